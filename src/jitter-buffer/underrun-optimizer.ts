import { Histogram } from './histogram.ts';

export const DELAY_BUCKET_MS = 20;
const NUM_BUCKETS = 100;

/**
 * NetEq `UnderrunOptimizer` (research notes section 1): a histogram of relative delays in
 * 100 buckets of 20 ms; with a resample interval it adds only the largest delay seen in each
 * interval (500 ms), so the histogram tracks delay peaks per half second rather than per packet.
 * Target = (1 + Quantile(q)) x 20 ms.
 */
export class UnderrunOptimizer {
  readonly histogram: Histogram;
  private intervalStartMs: number | null = null;
  private maxInIntervalMs = 0;
  private optimalMs: number | null = null;

  constructor(
    private readonly quantile: number,
    forgetFactor: number,
    startForgetWeight: number | null,
    private readonly resampleIntervalMs: number | null,
  ) {
    this.histogram = new Histogram(NUM_BUCKETS, forgetFactor, startForgetWeight);
  }

  update(relativeDelayMs: number, nowMs: number): void {
    let sample: number | null = null;
    if (this.resampleIntervalMs !== null && this.resampleIntervalMs > 0) {
      if (this.intervalStartMs === null) this.intervalStartMs = nowMs;
      if (nowMs - this.intervalStartMs > this.resampleIntervalMs) {
        sample = this.maxInIntervalMs;
        this.intervalStartMs = nowMs;
        this.maxInIntervalMs = 0;
      }
      this.maxInIntervalMs = Math.max(this.maxInIntervalMs, relativeDelayMs);
    } else {
      sample = relativeDelayMs;
    }
    if (sample === null) return;
    const index = Math.floor(sample / DELAY_BUCKET_MS);
    // Delays of 2 s and more are not registered (upstream), but the target is still recomputed.
    if (index < this.histogram.numBuckets) this.histogram.add(index);
    this.optimalMs = (1 + this.histogram.quantile(this.quantile)) * DELAY_BUCKET_MS;
  }

  reset(): void {
    this.histogram.reset();
    this.intervalStartMs = null;
    this.maxInIntervalMs = 0;
    this.optimalMs = null;
  }

  /** null until the first histogram sample. */
  get optimalDelayMs(): number | null {
    return this.optimalMs;
  }
}
