import { JitterlabError } from './errors.ts';

/**
 * A bounded set of numbers (extended sequence numbers, timestamps): the newest `capacity`
 * distinct additions are remembered. The order of additions is a ring, so the window costs no
 * allocation per packet.
 */
export class SeenWindow {
  private readonly set = new Set<number>();
  private readonly ring: Float64Array;
  private next = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new JitterlabError('internal', `SeenWindow: capacity must be a positive integer (got ${capacity})`);
    this.ring = new Float64Array(capacity);
  }

  has(x: number): boolean {
    return this.set.has(x);
  }

  add(x: number): void {
    if (this.set.has(x)) return;
    // Full: the slot about to be overwritten holds the oldest addition.
    if (this.set.size === this.ring.length) this.set.delete(this.ring[this.next]);
    this.set.add(x);
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.ring.length;
  }
}
