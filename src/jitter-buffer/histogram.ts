/**
 * NetEq's delay histogram (`Histogram`, research notes section 1), in floating point instead of
 * Q30: on each Add(v) every bucket is scaled by the forget factor f and bucket v gains 1 - f, so
 * the probabilities keep summing to 1. With a start forget weight w, f starts at 0 and ramps as
 * 1 - w/(n+1) after n samples until it reaches the base factor, so the first samples quickly
 * replace the reset shape. Reset sets p_i = 0.5^(i+1).
 */
export class Histogram {
  private readonly p: number[];
  private forget = 0;
  private added = 0;

  constructor(
    readonly numBuckets: number,
    private readonly baseForgetFactor: number,
    private readonly startForgetWeight: number | null,
  ) {
    this.p = new Array<number>(numBuckets).fill(0);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.numBuckets; i++) this.p[i] = 0.5 ** (i + 1);
    this.forget = this.startForgetWeight === null ? this.baseForgetFactor : 0;
    this.added = 0;
  }

  /** Add one observation to bucket `index` (clamped into range). */
  add(index: number): void {
    const v = Math.min(this.numBuckets - 1, Math.max(0, Math.floor(index)));
    const f = this.forget;
    for (let i = 0; i < this.numBuckets; i++) this.p[i] *= f;
    this.p[v] += 1 - f;
    this.added++;
    if (this.startForgetWeight !== null) {
      this.forget = Math.min(this.baseForgetFactor, Math.max(0, 1 - this.startForgetWeight / (this.added + 1)));
    }
  }

  /** Smallest bucket index whose cumulative probability reaches q. */
  quantile(q: number): number {
    let sum = 0;
    for (let i = 0; i < this.numBuckets; i++) {
      sum += this.p[i];
      if (sum >= q - 1e-12) return i;
    }
    return this.numBuckets - 1;
  }

  probabilities(): readonly number[] {
    return this.p;
  }

  get forgetFactor(): number {
    return this.forget;
  }
}
