import { Histogram } from './histogram.ts';
import { DELAY_BUCKET_MS } from './underrun-optimizer.ts';

const NUM_BUCKETS = 100;

/** The bucket minimising cost(i) above (the first one on ties). */
export function optimalBucket(p: readonly number[], baseDelayMs: number, msPerLossPercent: number): number {
  let best = 0;
  let bestCost = Infinity;
  let below = 0; // P(bucket <= i), so P(bucket > i) = 1 - below
  for (let i = 0; i < p.length; i++) {
    below += p[i];
    // Q30 integers in upstream reach exactly 0; here rounding residue below 1e-9 counts as 0.
    const late = 1 - below > 1e-9 ? 1 - below : 0;
    const cost = Math.max(0, i * DELAY_BUCKET_MS - baseDelayMs) + 100 * msPerLossPercent * late;
    if (cost < bestCost) {
      bestCost = cost;
      best = i;
    }
    if (late === 0) break;
  }
  return best;
}

/**
 * NetEq `ReorderOptimizer` (research notes section 1; reorder_optimizer.cc): a histogram of the
 * relative delays of reordered packets (in-order packets count in bucket 0). The optimal bucket
 * trades the delay it adds above the underrun target against the packets that would still come
 * too late: cost(i) = max(0, 20 i - base) + 100 x msPerLossPercent x P(delay bucket > i), the
 * first minimum wins, and the delay is (i + 1) x 20 ms. (Upstream charges bucket i for 20 i ms,
 * not for the (i + 1) x 20 ms it then targets: one bucket above the underrun target is free.)
 */
export class ReorderOptimizer {
  readonly histogram: Histogram;
  private optimalMs: number | null = null;

  constructor(
    forgetFactor: number,
    startForgetWeight: number | null,
    private readonly msPerLossPercent: number,
  ) {
    this.histogram = new Histogram(NUM_BUCKETS, forgetFactor, startForgetWeight);
  }

  update(relativeDelayMs: number, reordered: boolean, baseDelayMs: number): void {
    const index = reordered ? Math.floor(relativeDelayMs / DELAY_BUCKET_MS) : 0;
    if (index < this.histogram.numBuckets) this.histogram.add(index);
    this.optimalMs = (optimalBucket(this.histogram.probabilities(), baseDelayMs, this.msPerLossPercent) + 1) * DELAY_BUCKET_MS;
  }

  reset(): void {
    this.histogram.reset();
    this.optimalMs = null;
  }

  get optimalDelayMs(): number | null {
    return this.optimalMs;
  }
}
