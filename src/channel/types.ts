/**
 * The channel's interface (in the manner of str0m's netem): it takes packets with their send
 * times and returns decisions; it does no I/O and reads no clock. One `Channel` instance is one
 * direction of one variant's path; its endogenous state (bottleneck queue, FIFO order) belongs
 * to that instance, while its exogenous draws (loss episodes, delay jitter, outages, flaps) are
 * pure functions of (seed, direction, time slot, lane), so every variant meets the same network.
 */

/**
 * What kind of packet this is. The lane keys the exogenous per-packet draws inside a slot, so a
 * variant that sends extra FEC or RTX packets does not shift the draws of its media packets.
 */
export type Lane = 'media' | 'fec' | 'rtx' | 'rtcp' | 'other';

export interface ChannelPacket {
  /** Send time at the sender (ms, simulated). Must be non-decreasing across calls to send(). */
  sendMs: number;
  /** Bytes of the UDP payload (the RTP/RTCP packet); overheadBytes is added for the link. */
  sizeBytes: number;
  lane: Lane;
  /** The bytes; corruption flips a bit in a copy of them. Optional when only timing matters. */
  payload?: Uint8Array;
}

export type DropCause = 'loss' | 'queue' | 'outage' | 'replay';

export interface Delivery {
  arrivalMs: number;
  /** true for the extra copy made by the duplicate model */
  duplicate: boolean;
  corrupted: boolean;
  /** the (possibly corrupted) bytes, when a payload was given */
  payload?: Uint8Array;
  /** true when this packet arrives before a packet sent earlier on this path */
  reordered: boolean;
}

export interface ChannelDecision {
  /** The original packet's fate: delivered (possibly late), or dropped with a cause. */
  delivered: boolean;
  cause: DropCause | null;
  /** 0 deliveries when dropped; 1, or 2 with a duplicate (the duplicate may survive its original's loss). */
  deliveries: Delivery[];
  /** The time slot index the exogenous draws were keyed by. */
  slot: number;
  /** Time spent waiting in and serialising through the bottleneck (ms), 0 without a link. */
  queueDelayMs: number;
  /** Propagation + jitter + flap part of the delay (ms) drawn for this packet. */
  pathDelayMs: number;
}

export interface ChannelStats {
  sent: number;
  delivered: number;
  lost: number;
  queueDrops: number;
  outageDrops: number;
  duplicated: number;
  corrupted: number;
  reordered: number;
  bytesSent: number;
}

/** One direction of a simulated path. */
export interface ChannelPath {
  send(packet: ChannelPacket): ChannelDecision;
  stats(): ChannelStats;
}
