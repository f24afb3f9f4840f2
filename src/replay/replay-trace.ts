/**
 * A recorded network as per-packet fates in sequence order (the neteq_rtpplay idea: replay
 * exactly the network of a real call through another receiver). Fate i is that of the i-th
 * packet of the recorded stream in sequence-number order: lost (sequence number missing or no
 * arrival) or delivered after `delayMs`.
 *
 * Only the delivered packets are stored (sorted positions and their delays): a missing range is
 * a count, not a row per number, so memory follows the packets a file holds, not its sequence
 * span (a two-row CSV spanning 10 million numbers once took 620 MB; issue 16).
 */
export interface PacketFate {
  lost: boolean;
  /** One-way delay (ms) of a delivered packet; 0 for a lost one. */
  delayMs: number;
}

export class PacketFates {
  /**
   * `length`: fates from the lowest to the highest sequence number; `positions`: the delivered
   * ones' places in that range, strictly increasing; `delays`: their delays, same order.
   */
  constructor(
    readonly length: number,
    private readonly positions: Float64Array,
    private readonly delays: Float64Array,
  ) {
    if (positions.length !== delays.length) throw new Error('PacketFates: one delay per position');
  }

  /** Fates given one by one (small traces, tests). */
  static of(fates: readonly PacketFate[]): PacketFates {
    const at = fates.flatMap((f, i) => (f.lost ? [] : [i]));
    return new PacketFates(fates.length, Float64Array.from(at), Float64Array.from(at, (i) => fates[i].delayMs));
  }

  /** Delivered packets in the range. */
  get delivered(): number {
    return this.positions.length;
  }

  /** The fate at place i, 0 <= i < length (binary search over the delivered packets). */
  at(i: number): PacketFate {
    let lo = 0;
    let hi = this.positions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.positions[mid];
      if (p === i) return { lost: false, delayMs: this.delays[mid] };
      if (p < i) lo = mid + 1;
      else hi = mid - 1;
    }
    return { lost: true, delayMs: 0 };
  }

  /** Smallest and largest delay of the delivered packets (Infinity / -Infinity when none). */
  delayRange(): { min: number; max: number } {
    let min = Infinity;
    let max = -Infinity;
    for (const d of this.delays) {
      if (d < min) min = d;
      if (d > max) max = d;
    }
    return { min, max };
  }

  /** Every fate as an array (for small traces: tests, exports). */
  toArray(): PacketFate[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

export interface ReplayTrace {
  /** Where it came from (file and stream), for messages and reports. */
  source: string;
  fates: PacketFates;
  /** How delays were obtained. */
  delayKind: 'absolute' | 'relative';
}

export function traceStats(t: ReplayTrace): { packets: number; lost: number; lossRate: number; minDelayMs: number; maxDelayMs: number } {
  const n = t.fates.length;
  const lost = n - t.fates.delivered;
  const { min, max } = t.fates.delayRange();
  return { packets: n, lost, lossRate: n ? lost / n : 0, minDelayMs: min, maxDelayMs: max };
}

/** Number of sequence numbers from the lowest to the highest observed. */
export function seqSpan(obs: ReadonlyArray<{ seq: number }>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const o of obs) {
    lo = Math.min(lo, o.seq);
    hi = Math.max(hi, o.seq);
  }
  return obs.length ? hi - lo + 1 : 0;
}

/**
 * Fates from (extended sequence number, delay or null) observations in any order: the range from
 * the lowest to the highest number, a missing number being a loss; a repeated number (a network
 * duplicate) keeps its earliest delivery.
 */
export function fatesFromObservations(obs: ReadonlyArray<{ seq: number; delayMs: number | null }>): PacketFates {
  if (obs.length === 0) return new PacketFates(0, new Float64Array(0), new Float64Array(0));
  let lo = Infinity;
  for (const o of obs) lo = Math.min(lo, o.seq);
  const span = seqSpan(obs);
  const got = obs.filter((o): o is { seq: number; delayMs: number } => o.delayMs !== null);
  got.sort((a, b) => a.seq - b.seq || a.delayMs - b.delayMs);
  const positions: number[] = [];
  const delays: number[] = [];
  for (const o of got) {
    // Sorted by delay within a number: the first copy is the earliest delivery.
    if (positions.length && positions[positions.length - 1] === o.seq - lo) continue;
    positions.push(o.seq - lo);
    delays.push(o.delayMs);
  }
  return new PacketFates(span, Float64Array.from(positions), Float64Array.from(delays));
}
