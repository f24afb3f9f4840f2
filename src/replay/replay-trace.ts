/**
 * A recorded network as per-packet fates in sequence order (the neteq_rtpplay idea: replay
 * exactly the network of a real call through another receiver). Entry i is the fate of the i-th
 * packet of the recorded stream in sequence-number order: lost (sequence number missing or no
 * arrival) or delivered after `delayMs`.
 */
export interface PacketFate {
  lost: boolean;
  /** One-way delay (ms) of a delivered packet; 0 for a lost one. */
  delayMs: number;
}

export interface ReplayTrace {
  /** Where it came from (file and stream), for messages and reports. */
  source: string;
  fates: PacketFate[];
  /** How delays were obtained. */
  delayKind: 'absolute' | 'relative';
}

export function traceStats(t: ReplayTrace): { packets: number; lost: number; lossRate: number; minDelayMs: number; maxDelayMs: number } {
  let lost = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const f of t.fates) {
    if (f.lost) lost++;
    else {
      min = Math.min(min, f.delayMs);
      max = Math.max(max, f.delayMs);
    }
  }
  const n = t.fates.length;
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
export function fatesFromObservations(obs: ReadonlyArray<{ seq: number; delayMs: number | null }>): PacketFate[] {
  if (obs.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const o of obs) {
    lo = Math.min(lo, o.seq);
    hi = Math.max(hi, o.seq);
  }
  const fates: PacketFate[] = Array.from({ length: hi - lo + 1 }, () => ({ lost: true, delayMs: 0 }));
  for (const o of obs) {
    if (o.delayMs === null) continue;
    const f = fates[o.seq - lo];
    if (f.lost || o.delayMs < f.delayMs) {
      f.lost = false;
      f.delayMs = o.delayMs;
    }
  }
  return fates;
}
