/**
 * The most recent samples played, oldest first: `data[capacity - 1]` is the last sample. A push
 * shifts by the frame length (one `copyWithin` per frame, no per-sample work beyond the copy).
 */
import type { Samples } from './types.ts';

export class SampleHistory {
  data: Float32Array;
  /** How many of the trailing samples are real history (the rest is the initial zero fill). */
  filled = 0;

  constructor(capacity: number) {
    this.data = new Float32Array(Math.max(1, capacity));
  }

  get capacity(): number {
    return this.data.length;
  }

  /** Grow (keeping the newest samples at the end); never shrinks. */
  ensureCapacity(capacity: number): void {
    if (capacity <= this.data.length) return;
    const grown = new Float32Array(capacity);
    grown.set(this.data, capacity - this.data.length);
    this.data = grown;
  }

  push(x: Samples): void {
    const cap = this.data.length;
    const n = x.length;
    if (n >= cap) {
      this.data.set(n === cap ? x : x.subarray(n - cap));
    } else if (n > 0) {
      this.data.copyWithin(0, n);
      this.data.set(x, cap - n);
    }
    this.filled = Math.min(cap, this.filled + n);
  }
}
