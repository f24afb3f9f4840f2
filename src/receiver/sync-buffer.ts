/** The receiver's FIFO of decoded audio waiting to be played (NetEq's sync buffer). */
export class SyncBuffer {
  private buf: Int16Array;
  private start = 0;
  private end = 0;

  constructor(capacity: number) {
    this.buf = new Int16Array(capacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  push(samples: Int16Array): void {
    if (this.end + samples.length > this.buf.length) {
      // Compact, then grow if still needed.
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
      if (this.end + samples.length > this.buf.length) {
        const bigger = new Int16Array(Math.max(this.buf.length * 2, this.end + samples.length));
        bigger.set(this.buf.subarray(0, this.end));
        this.buf = bigger;
      }
    }
    this.buf.set(samples, this.end);
    this.end += samples.length;
  }

  /** Move `n` samples into `out` (zero-filled if fewer are held). */
  pop(out: Int16Array): void {
    const n = out.length;
    const take = Math.min(n, this.length);
    out.set(this.buf.subarray(this.start, this.start + take));
    if (take < n) out.fill(0, take);
    this.start += take;
    if (this.start === this.end) this.start = this.end = 0;
  }
}
