/**
 * The per-packet record, the ground truth every aggregate is derived from (design-notes "Data").
 */
import type { DropCause } from '../channel/types.ts';

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
  /** handed to a receiver that keeps its per-packet fates to itself (a real browser) */
  | 'delivered'
  /** sent, no fate yet (transient) */
  | 'pending';

export interface PacketRecord {
  kind: 'media' | 'fec' | 'rtx';
  seq: number;
  timestamp: number;
  /** Media frame index carried as primary (-1 for FEC / RTX). */
  frameIndex: number;
  sizeBytes: number;
  /** Of sizeBytes, the bytes a redundancy stage added inside the packet (RED header and redundant blocks). */
  redundantBytes: number;
  sendMs: number;
  /** First arrival of the packet (or its duplicate), null when lost. */
  arrivalMs: number | null;
  queueDelayMs: number;
  networkCause: DropCause | null;
  duplicated: boolean;
  reordered: boolean;
  corrupted: boolean;
  fate: PacketFate;
  playoutMs: number | null;
}

/** How each frame slot of the call was played. */
export const FRAME_OUTCOMES = ['unplayed', 'normal', 'fec', 'red', 'parity', 'rtx', 'concealed', 'dtx'] as const;
export type FrameOutcomeName = (typeof FRAME_OUTCOMES)[number];
