/**
 * Playout-tick lateness samples (run instant - due time, ms) in a bounded ring, summarised with
 * the project's percentile function. Bounded so a server running for days never grows.
 */
import { summarize, type Summary } from '../metrics/percentile.ts';
import type { LatenessSink } from './timer-wheel.ts';

export class LatenessRecorder implements LatenessSink {
  private readonly buf: Float64Array;
  private n = 0;
  private next = 0;
  /** Samples recorded since the last reset (the ring keeps the newest `capacity`). */
  total = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Float64Array(capacity);
  }

  record(lateMs: number): void {
    this.buf[this.next] = lateMs;
    this.next = (this.next + 1) % this.buf.length;
    if (this.n < this.buf.length) this.n++;
    this.total++;
  }

  reset(): void {
    this.n = 0;
    this.next = 0;
    this.total = 0;
  }

  summary(): Summary {
    return summarize(this.buf.subarray(0, this.n));
  }
}
