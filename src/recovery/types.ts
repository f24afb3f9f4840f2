import type { RtpPacket } from '../rtp/header.ts';

/**
 * A recovery mechanism on the receive side (RED, XOR parity, RTX): it sees every parsed RTP
 * packet that is not plain media and returns the media packets it can rebuild, tagged with how.
 * Rebuilt packets enter the jitter buffer exactly like received ones (and are late if too late).
 */
export interface RebuiltMedia {
  packet: RtpPacket;
  origin: 'red' | 'parity' | 'rtx';
}

export interface RecoveryStage {
  readonly kind: 'red' | 'parity' | 'rtx';
  /** Does this stage consume packets of this payload type? */
  accepts(payloadType: number): boolean;
  /** A non-media packet arrives; returns media packets rebuilt from it (possibly none). */
  onPacket(packet: RtpPacket, nowMs: number): RebuiltMedia[];
  /** Every media packet that arrives is shown too (parity needs them to rebuild the others). */
  onMedia(packet: RtpPacket, nowMs: number): RebuiltMedia[];
  /** Counters for reports: packets received, frames it rebuilt that were then used, bytes. */
  stats(): { packetsReceived: number; rebuilt: number };
}
