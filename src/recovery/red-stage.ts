/**
 * RFC 2198 RED on the receive side: a RED packet is split into its primary block (the media
 * packet itself, same sequence number and timestamp; it keeps the origin of the RED packet) and
 * its redundant blocks, each rebuilt as a media packet with origin 'red'.
 *
 * Sequence numbers of redundant blocks: RFC 2198 blocks carry only a timestamp offset. Our
 * sender (src/sender/red-stage.ts) puts the k-th newest block at exactly seq − k, so the block
 * at position i of n (oldest first) gets seq − (n − i). Redundant blocks for sequence numbers
 * already seen (received or rebuilt before) are not handed on: they are the redundancy that
 * W3C counts in fecPacketsDiscarded.
 */
import type { FrameOrigin } from '../jitter-buffer/types.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { decodeRed } from '../rtp/red.ts';
import { RtpParseError } from '../rtp/errors.ts';
import { seqAdd, SeqUnwrapper } from '../rtp/wrap.ts';
import type { MediaInfo, RebuiltMedia, RecoveryStage, RecoveryStats } from './types.ts';
import { SeenWindow } from '../core/seen-window.ts';

export class RedRecoveryStage implements RecoveryStage {
  readonly kind = 'red' as const;
  private readonly unwrap = new SeqUnwrapper();
  private readonly seen = new SeenWindow(4096);
  private readonly st: RecoveryStats = { packetsReceived: 0, bytesReceived: 0, rebuilt: 0, malformed: 0 };

  constructor(
    private readonly redPayloadType: number,
    private readonly mediaPayloadType: number,
  ) {}

  accepts(payloadType: number): boolean {
    return payloadType === this.redPayloadType;
  }

  onPacket(packet: RtpPacket, nowMs: number, origin: FrameOrigin): RebuiltMedia[] {
    void nowMs;
    let blocks;
    try {
      blocks = decodeRed(packet.payload, packet.timestamp);
    } catch (e) {
      if (e instanceof RtpParseError) {
        this.st.malformed++;
        return [];
      }
      throw e;
    }
    const out: RebuiltMedia[] = [];
    const n = blocks.length - 1;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (b.pt !== this.mediaPayloadType) continue;
      if (b.primary) {
        this.seen.add(this.unwrap.unwrap(packet.sequenceNumber));
        out.push({ packet: { ...packet, payloadType: b.pt, payload: b.payload }, origin });
        continue;
      }
      // Redundancy counts as received only when it came over the network itself.
      if (origin === 'primary') {
        this.st.packetsReceived++;
        this.st.bytesReceived += b.payload.length;
      }
      const seq = seqAdd(packet.sequenceNumber, -(n - i));
      const ext = this.unwrap.unwrap(seq);
      if (this.seen.has(ext)) continue;
      this.seen.add(ext);
      this.st.rebuilt++;
      out.push({ packet: { ...packet, marker: false, sequenceNumber: seq, timestamp: b.timestamp, payloadType: b.pt, payload: b.payload }, origin: 'red' });
    }
    return out;
  }

  onMedia(packet: RtpPacket, nowMs: number, info: MediaInfo): RebuiltMedia[] {
    void nowMs;
    void info;
    if (packet.payloadType === this.mediaPayloadType) this.seen.add(this.unwrap.unwrap(packet.sequenceNumber));
    return [];
  }

  stats(): RecoveryStats {
    return { ...this.st };
  }
}
