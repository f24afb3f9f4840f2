import type { FrameOrigin } from '../jitter-buffer/types.ts';
import type { RtpPacket } from '../rtp/header.ts';

/**
 * A recovery mechanism on the receive side (RED, XOR parity, RTX): it sees the packets of the
 * media stream and its own packets, and returns the media-stream packets it can rebuild, tagged
 * with how. Rebuilt packets go back through the receiver's dispatch exactly like received ones:
 * a rebuilt RED packet is unwrapped by the RED stage, a rebuilt media packet enters the jitter
 * buffer (and is late if too late: a repair helps only if it beats the playout deadline).
 *
 * `origin` of a rebuilt packet: 'red' / 'parity' / 'rtx' for the mechanism that rebuilt it, or
 * 'primary' for a packet carried whole inside another one (RED's primary block), which keeps the
 * origin of the packet that carried it.
 */
export interface RebuiltMedia {
  packet: RtpPacket;
  origin: FrameOrigin;
}

/** How a media-stream packet reached `onMedia`. */
export interface MediaInfo {
  /** 'primary' = from the network; otherwise the mechanism that rebuilt it. */
  origin: FrameOrigin;
  /**
   * true for packets as they were sent on the wire in the media sequence space (plain media, or
   * RED-encapsulated media); false for media unwrapped from RED (its primary or a redundant
   * block). Parity protects wire packets, so it only uses those.
   */
  wire: boolean;
}

export interface RecoveryStats {
  /** Packets of this mechanism received from the network (RED: redundant blocks; parity: FEC packets; RTX: retransmissions). */
  packetsReceived: number;
  /** Payload bytes of those packets (RED: the redundant blocks; parity: the FEC payload; RTX: the original payload, OSN excluded). */
  bytesReceived: number;
  /** Media packets this stage rebuilt (handed to the jitter buffer, useful or not). */
  rebuilt: number;
  /** Its own packets that did not parse (RED block structure, FEC header, RTX without OSN). */
  malformed: number;
}

export interface RecoveryStage {
  readonly kind: 'red' | 'parity' | 'rtx';
  /** Does this stage consume packets of this payload type (its own packets)? */
  accepts(payloadType: number): boolean;
  /** One of its own packets arrives (or was rebuilt: `origin`); returns media-stream packets rebuilt from it. */
  onPacket(packet: RtpPacket, nowMs: number, origin: FrameOrigin): RebuiltMedia[];
  /** Every media-stream packet, received or rebuilt, is shown too (parity needs them to rebuild the others). */
  onMedia(packet: RtpPacket, nowMs: number, info: MediaInfo): RebuiltMedia[];
  stats(): RecoveryStats;
}
