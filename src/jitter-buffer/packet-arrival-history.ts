/**
 * Relative packet delay over a sliding window of media time (NetEq `PacketArrivalHistory`, see
 * shared/research/jitter-buffers.md section 1): the reference is the packet with the smallest
 * arrival - send-time (the fastest one seen in the window), and a packet's relative delay is
 * how much later than that reference it arrived: max(0, (arr - arr_ref) - (ts - ts_ref)).
 *
 * Every accepted packet is remembered for the window (so a second copy of one, e.g. the Opus
 * in-band FEC copy of a frame that did arrive, is refused), but a reordered packet (older than
 * the newest) neither becomes the reference nor counts toward the maximum delay. The reference
 * and the maximum are kept in monotonic queues of the in-order packets, as upstream does, so
 * both are O(1) to read.
 */
interface Arrival {
  tsMs: number;
  arrivalMs: number;
  durMs: number;
}

export type HistoryInsert = { accepted: false } | { accepted: true; reordered: boolean };

/** A queue that can drop from both ends (monotonic deque). */
class Deque {
  private items: Arrival[] = [];
  private head = 0;

  get empty(): boolean {
    return this.head === this.items.length;
  }

  front(): Arrival {
    return this.items[this.head];
  }

  back(): Arrival {
    return this.items[this.items.length - 1];
  }

  push(a: Arrival): void {
    this.items.push(a);
  }

  popBack(): void {
    this.items.pop();
  }

  popFront(): void {
    this.head++;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

const transit = (a: Arrival): number => a.arrivalMs - a.tsMs;

export class PacketArrivalHistory {
  /** Every accepted packet of the window, ascending timestamp. */
  private all: Arrival[] = [];
  private first = 0;
  private newestTsMs: number | null = null;
  /** In-order packets by increasing transit: the front is the reference (the fastest packet). */
  private readonly minQ = new Deque();
  /** In-order packets by decreasing transit: the front is the slowest packet. */
  private readonly maxQ = new Deque();

  constructor(
    private readonly clockRate: number,
    private readonly windowMs = 2000,
  ) {}

  private toMs(ts: number): number {
    return (ts * 1000) / this.clockRate;
  }

  /** Accepted packets in the window (reordered ones included). */
  get size(): number {
    return this.all.length - this.first;
  }

  /** Whether an accepted packet of the window covers this timestamp (its start, or within its duration). */
  contains(timestamp: number): boolean {
    const tsMs = this.toMs(timestamp);
    const a = this.all;
    let lo = this.first;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid].tsMs <= tsMs) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.first) return false;
    const e = a[lo - 1];
    return e.tsMs === tsMs || tsMs < e.tsMs + e.durMs;
  }

  /**
   * Record one arrival (`durationTs`: the packet's media length, for `contains`). Packets older
   * than the window (relative to the newest timestamp) and packets already covered are not
   * accepted; older-than-newest packets are reordered.
   */
  insert(timestamp: number, arrivalMs: number, durationTs = 0): HistoryInsert {
    const tsMs = this.toMs(timestamp);
    const p: Arrival = { tsMs, arrivalMs, durMs: this.toMs(durationTs) };
    if (this.newestTsMs !== null) {
      if (tsMs + this.windowMs < this.newestTsMs || this.contains(timestamp)) return { accepted: false };
      if (tsMs < this.newestTsMs) {
        this.insertSorted(p);
        return { accepted: true, reordered: true };
      }
    }
    this.newestTsMs = tsMs;
    this.all.push(p);
    this.dropObsolete(tsMs);
    while (!this.minQ.empty && transit(p) <= transit(this.minQ.back())) this.minQ.popBack();
    while (!this.maxQ.empty && transit(p) >= transit(this.maxQ.back())) this.maxQ.popBack();
    this.minQ.push(p);
    this.maxQ.push(p);
    return { accepted: true, reordered: false };
  }

  private insertSorted(p: Arrival): void {
    const a = this.all;
    let i = a.length;
    while (i > this.first && a[i - 1].tsMs > p.tsMs) i--;
    a.splice(i, 0, p);
  }

  private dropObsolete(newestTsMs: number): void {
    const a = this.all;
    while (this.first < a.length - 1 && a[this.first].tsMs + this.windowMs < newestTsMs) {
      const old = a[this.first++];
      if (!this.minQ.empty && this.minQ.front() === old) this.minQ.popFront();
      if (!this.maxQ.empty && this.maxQ.front() === old) this.maxQ.popFront();
    }
    if (this.first > 256 && this.first * 2 > a.length) {
      this.all = a.slice(this.first);
      this.first = 0;
    }
  }

  /** Forget everything (NetEq's SoftReset). */
  reset(): void {
    this.all = [];
    this.first = 0;
    this.newestTsMs = null;
    this.minQ.clear();
    this.maxQ.clear();
  }

  /** Whether `timestamp` is the newest in-order timestamp (false for a reordered packet). */
  isNewest(timestamp: number): boolean {
    return this.newestTsMs === null || this.toMs(timestamp) === this.newestTsMs;
  }

  /**
   * Relative delay (ms) of a packet with this timestamp arriving at `arrivalMs`: also the playout
   * delay of the sample with this timestamp if it is played at `arrivalMs`.
   */
  delayMs(timestamp: number, arrivalMs: number): number {
    if (this.minQ.empty) return 0;
    const ref = this.minQ.front();
    return Math.max(0, arrivalMs - ref.arrivalMs - (this.toMs(timestamp) - ref.tsMs));
  }

  /** Largest relative delay among the in-order packets of the window. */
  maxDelayMs(): number {
    if (this.minQ.empty) return 0;
    return Math.max(0, transit(this.maxQ.front()) - transit(this.minQ.front()));
  }

  /** Smallest transit (arrival - timestamp in ms) of the window: the delay floor; null before any packet. */
  minTransitMs(): number | null {
    return this.minQ.empty ? null : transit(this.minQ.front());
  }
}
