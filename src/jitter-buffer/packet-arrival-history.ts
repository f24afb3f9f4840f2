/**
 * Relative packet delay over a sliding window of media time (NetEq `PacketArrivalHistory`, see
 * shared/research/jitter-buffers.md section 1): the reference is the packet with the smallest
 * arrival - send-time (the fastest one seen in the window), and a packet's relative delay is
 * how much later than that reference it arrived: max(0, (arr - arr_ref) - (ts - ts_ref)).
 * Reordered packets (not the newest timestamp) neither become the reference nor count toward
 * the maximum delay.
 */
interface Arrival {
  tsMs: number;
  arrivalMs: number;
}

export type HistoryInsert = { accepted: false } | { accepted: true; reordered: boolean };

export class PacketArrivalHistory {
  /** In-order packets, ascending timestamp, within the window. */
  private entries: Arrival[] = [];
  private newestTsMs: number | null = null;

  constructor(
    private readonly clockRate: number,
    private readonly windowMs = 2000,
  ) {}

  private toMs(ts: number): number {
    return (ts * 1000) / this.clockRate;
  }

  /**
   * Record one arrival. Packets older than the window (relative to the newest timestamp) and
   * repeats of the newest timestamp are not accepted; older-than-newest packets are reordered.
   */
  insert(timestamp: number, arrivalMs: number): HistoryInsert {
    const tsMs = this.toMs(timestamp);
    if (this.newestTsMs !== null) {
      if (tsMs + this.windowMs < this.newestTsMs || tsMs === this.newestTsMs) return { accepted: false };
      if (tsMs < this.newestTsMs) return { accepted: true, reordered: true };
    }
    this.newestTsMs = tsMs;
    this.entries.push({ tsMs, arrivalMs });
    let drop = 0;
    while (drop < this.entries.length - 1 && this.entries[drop].tsMs + this.windowMs < tsMs) drop++;
    if (drop > 0) this.entries.splice(0, drop);
    return { accepted: true, reordered: false };
  }

  private reference(): Arrival | null {
    let ref: Arrival | null = null;
    for (const e of this.entries) if (ref === null || e.arrivalMs - e.tsMs < ref.arrivalMs - ref.tsMs) ref = e;
    return ref;
  }

  /** Relative delay (ms) of a packet with this timestamp arriving at `arrivalMs`. */
  delayMs(timestamp: number, arrivalMs: number): number {
    const ref = this.reference();
    if (ref === null) return 0;
    return Math.max(0, arrivalMs - ref.arrivalMs - (this.toMs(timestamp) - ref.tsMs));
  }

  /** Largest relative delay among the in-order packets of the window. */
  maxDelayMs(): number {
    const ref = this.reference();
    if (ref === null) return 0;
    let max = 0;
    for (const e of this.entries) max = Math.max(max, e.arrivalMs - ref.arrivalMs - (e.tsMs - ref.tsMs));
    return max;
  }

  /** Smallest transit (arrival - timestamp in ms) of the window: the delay floor; null before any packet. */
  minTransitMs(): number | null {
    const ref = this.reference();
    return ref === null ? null : ref.arrivalMs - ref.tsMs;
  }
}
