/**
 * The bottleneck: a drop-tail FIFO queue in front of one serialisation stage.
 *
 * Rate mode (netem `rate R ovh cell cellovh`, channel-models.md section 1): the wire length is
 * len' = size + overhead, or with cells ceil(len'/cell) (cell + cellovh); it takes 8 len'/R ms
 * at R kbit/s, and exit = max(arrival, previous exit) + tx (FIFO: one slow packet delays all
 * later ones). Trace mode (Mahimahi, mahimahi-trace.ts): the packet's bytes are carried by the
 * trace's 1500-byte delivery opportunities at or after its start; the packet leaves at the
 * opportunity carrying its last byte; bytes left in an opportunity serve the next packet only if
 * that packet was already queued then. Without a rate or a trace the link is infinitely fast.
 *
 * Admission counts the packets waiting or in service at the arrival time (exit > arrival), as
 * netem's limit and WebRTC's queue_length_packets do, and the bytes they hold (wire lengths).
 */
import { MAHIMAHI_OPPORTUNITY_BYTES, type MahimahiTrace } from './mahimahi-trace.ts';

export interface LinkSettings {
  rateKbps: number | null;
  cellBytes: number;
  cellOverheadBytes: number;
  overheadBytes: number;
  limitPackets: number | null;
  limitBytes: number | null;
  /** Trace mode when non-null (takes precedence over rateKbps). */
  trace: MahimahiTrace | null;
  traceLoop: boolean;
}

export type LinkResult = { admitted: true; exitMs: number; wireBytes: number } | { admitted: false; wireBytes: number };

/** Bytes the packet occupies on the link in rate mode. */
export function wireBytes(sizeBytes: number, overheadBytes: number, cellBytes = 0, cellOverheadBytes = 0): number {
  const len = sizeBytes + overheadBytes;
  if (cellBytes > 0) return Math.ceil(len / cellBytes) * (cellBytes + cellOverheadBytes);
  return len;
}

/** Serialisation time in ms of `bytes` at `rateKbps` (kbit/s = bit/ms). */
export function serializationMs(bytes: number, rateKbps: number): number {
  return (8 * bytes) / rateKbps;
}

export class BottleneckLink {
  private prevExit = Number.NEGATIVE_INFINITY;
  /** Exit times and wire sizes of admitted packets, oldest first (exit times non-decreasing). */
  private exits: number[] = [];
  private sizes: number[] = [];
  private head = 0;
  private heldBytes = 0;
  /** Trace mode: the opportunity last used and the bytes left in it. */
  private opp = -1;
  private oppLeft = 0;
  private oppTrace: MahimahiTrace | null = null;

  /** Packets and bytes still queued or in service at time t (t non-decreasing across calls). */
  backlog(t: number): { packets: number; bytes: number } {
    this.drain(t);
    return { packets: this.exits.length - this.head, bytes: this.heldBytes };
  }

  /** Forget the packets that have left the link by time t. */
  private drain(t: number): void {
    while (this.head < this.exits.length && this.exits[this.head] <= t) {
      this.heldBytes -= this.sizes[this.head];
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.exits.length) {
      this.exits = this.exits.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }

  /** Offer a packet arriving at `arrivalMs` (non-decreasing across calls). */
  admit(arrivalMs: number, sizeBytes: number, s: LinkSettings): LinkResult {
    const wire = s.trace ? sizeBytes + s.overheadBytes : wireBytes(sizeBytes, s.overheadBytes, s.cellBytes, s.cellOverheadBytes);
    this.drain(arrivalMs);
    if (s.limitPackets !== null && this.exits.length - this.head >= s.limitPackets) return { admitted: false, wireBytes: wire };
    if (s.limitBytes !== null && this.heldBytes + wire > s.limitBytes) return { admitted: false, wireBytes: wire };
    const start = Math.max(arrivalMs, this.prevExit);
    let exit: number;
    if (s.trace) {
      exit = this.traceExit(arrivalMs, start, wire, s.trace, s.traceLoop);
      if (exit === Infinity) return { admitted: false, wireBytes: wire }; // a trace run once has ended
    } else {
      exit = s.rateKbps === null ? start : start + serializationMs(wire, s.rateKbps);
      this.oppTrace = null;
    }
    this.prevExit = exit;
    if (exit > arrivalMs) {
      this.exits.push(exit);
      this.sizes.push(wire);
      this.heldBytes += wire;
    }
    return { admitted: true, exitMs: exit, wireBytes: wire };
  }

  private traceExit(arrivalMs: number, start: number, wire: number, trace: MahimahiTrace, loop: boolean): number {
    let q: number;
    let left: number;
    // Reuse the rest of the current opportunity only if this packet was queued when it happened.
    if (this.oppTrace === trace && this.opp >= 0 && this.oppLeft > 0 && trace.opportunityMs(this.opp, loop) >= arrivalMs) {
      q = this.opp;
      left = this.oppLeft;
    } else {
      q = trace.firstAtOrAfter(start, loop);
      if (this.oppTrace === trace && q <= this.opp) q = this.opp + 1;
      left = MAHIMAHI_OPPORTUNITY_BYTES;
    }
    let need = wire;
    for (;;) {
      const t = trace.opportunityMs(q, loop);
      if (t === Infinity) return Infinity;
      if (need <= left) {
        left -= need;
        break;
      }
      need -= left;
      q++;
      left = MAHIMAHI_OPPORTUNITY_BYTES;
    }
    this.oppTrace = trace;
    this.opp = q;
    this.oppLeft = left;
    return trace.opportunityMs(q, loop);
  }
}
