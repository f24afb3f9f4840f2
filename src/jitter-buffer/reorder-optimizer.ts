import { Histogram } from './histogram.ts';
import { DELAY_BUCKET_MS } from './underrun-optimizer.ts';

const NUM_BUCKETS = 100;

/**
 * NetEq `ReorderOptimizer` (research notes section 1): a histogram of the relative delays of
 * reordered packets (in-order packets count in bucket 0). The optimal delay trades the extra
 * delay above the underrun target against the packets that would arrive too late:
 * cost(i) = max(0, d_i - base) + 100 x msPerLossPercent x P(delay bucket > i), d_i = (i+1) x 20 ms.
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
    this.histogram.add(reordered ? relativeDelayMs / DELAY_BUCKET_MS : 0);
    const p = this.histogram.probabilities();
    let best = 0;
    let bestCost = Infinity;
    let below = 0; // P(bucket <= i), so P(bucket > i) = 1 - below
    for (let i = 0; i < p.length; i++) {
      below += p[i];
      const delay = (i + 1) * DELAY_BUCKET_MS;
      const cost = Math.max(0, delay - baseDelayMs) + 100 * this.msPerLossPercent * Math.max(0, 1 - below);
      if (cost < bestCost) {
        bestCost = cost;
        best = i;
      }
    }
    this.optimalMs = (best + 1) * DELAY_BUCKET_MS;
  }

  get optimalDelayMs(): number | null {
    return this.optimalMs;
  }
}
