/**
 * An append-only Float64 series that grows by doubling (per-tick timelines of long calls, the
 * report's per-packet columns).
 */
export class Series {
  private a: Float64Array;
  length = 0;

  constructor(initial = 1024) {
    this.a = new Float64Array(initial);
  }

  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }

  /** A copy of the values. */
  toArray(): Float64Array {
    return this.a.slice(0, this.length);
  }

  /** The values without copying: a view, valid until the next push. */
  values(): Float64Array {
    return this.a.subarray(0, this.length);
  }
}
