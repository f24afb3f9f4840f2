/**
 * The per-packet record, the ground truth every aggregate is derived from (design-notes "Data"):
 * one per packet A puts on the A→B path, in the order the path took them (RTP media, FEC, RTX and
 * the RTCP reports that share its bottleneck), so the path's queue can be replayed from them.
 */
import type { ChannelDecision, DropCause } from '../channel/types.ts';
import { rfc4737Reordered } from '../metrics/rfc4737-reordering.ts';

export type PacketFate =
  /** decoded at its playout time */
  | 'played'
  /** arrived after its playout time (or was dropped by the buffer as late) */
  | 'late'
  /** dropped by the buffer's own policy (overflow, progressive discard) */
  | 'discarded'
  /** lost in the network */
  | 'lost'
  /** arrived, but its frame had already been played from redundancy, or the call ended first */
  | 'unused'
  /** failed to parse at the receiver (corrupted) */
  | 'malformed'
  /** an RTCP packet that reached the other end's RTCP agent; or a media packet handed to a receiver that keeps its per-packet fates to itself (a real browser) */
  | 'delivered'
  /** sent, no fate yet (transient) */
  | 'pending';

export interface PacketRecord {
  kind: 'media' | 'fec' | 'rtx' | 'rtcp';
  /** RTP sequence number (-1 for RTCP). */
  seq: number;
  /** RTP timestamp (-1 for RTCP). */
  timestamp: number;
  /** Media frame index carried as primary (-1 for FEC / RTX / RTCP). */
  frameIndex: number;
  sizeBytes: number;
  /** Of sizeBytes, the bytes a redundancy stage added inside the packet (RED header and redundant blocks). */
  redundantBytes: number;
  sendMs: number;
  /** First arrival of the packet (or its duplicate), null when lost. */
  arrivalMs: number | null;
  /** Arrival of the other copy when the packet was duplicated and both copies arrived, else null. */
  secondArrivalMs: number | null;
  queueDelayMs: number;
  networkCause: DropCause | null;
  duplicated: boolean;
  /** RFC 4737 Type-P-Reordered within the media stream (media packets only; see markMediaReordering). */
  reordered: boolean;
  corrupted: boolean;
  fate: PacketFate;
  playoutMs: number | null;
}

/** How each frame slot of the call was played. */
export const FRAME_OUTCOMES = ['unplayed', 'normal', 'fec', 'red', 'parity', 'rtx', 'concealed', 'dtx'] as const;
export type FrameOutcomeName = (typeof FRAME_OUTCOMES)[number];

/** A packet's record as it leaves its sender at `sendMs`, before the path has done anything to it. */
export function packetRecord(head: Pick<PacketRecord, 'kind' | 'seq' | 'timestamp' | 'frameIndex' | 'sizeBytes' | 'redundantBytes'>, sendMs: number): PacketRecord {
  return {
    kind: head.kind,
    seq: head.seq,
    timestamp: head.timestamp,
    frameIndex: head.frameIndex,
    sizeBytes: head.sizeBytes,
    redundantBytes: head.redundantBytes,
    sendMs,
    arrivalMs: null,
    secondArrivalMs: null,
    queueDelayMs: 0,
    networkCause: null,
    duplicated: false,
    reordered: false,
    corrupted: false,
    fate: 'pending',
    playoutMs: null,
  };
}

/** The record of an RTCP packet A sends on the A→B path at `sendMs`. */
export function rtcpRecord(sizeBytes: number, sendMs: number): PacketRecord {
  return packetRecord({ kind: 'rtcp', seq: -1, timestamp: -1, frameIndex: -1, sizeBytes, redundantBytes: 0 }, sendMs);
}

/** What the path did to the packet: its drop cause, queueing delay, and the arrival of each copy. */
export function applyChannelDecision(rec: PacketRecord, d: ChannelDecision): void {
  rec.queueDelayMs = d.queueDelayMs;
  if (!d.delivered) {
    rec.networkCause = d.cause;
    rec.fate = 'lost';
  }
  for (const del of d.deliveries) {
    if (del.duplicate) rec.duplicated = true;
    if (del.corrupted) rec.corrupted = true;
    const t = del.arrivalMs;
    if (rec.arrivalMs === null) rec.arrivalMs = t;
    else if (t < rec.arrivalMs) {
      rec.secondArrivalMs = rec.arrivalMs;
      rec.arrivalMs = t;
    } else rec.secondArrivalMs = t;
  }
}

/**
 * Sets `reordered` on the media packets per RFC 4737 section 3.3, within the media stream alone
 * (packets of other kinds neither count nor make a media packet reordered); media packets are
 * recorded in sequence-number order.
 */
export function markMediaReordering(packets: readonly PacketRecord[]): void {
  const media = packets.filter((r) => r.kind === 'media');
  const flags = rfc4737Reordered(media.map((r) => r.arrivalMs));
  for (let i = 0; i < media.length; i++) media[i].reordered = flags[i];
}
