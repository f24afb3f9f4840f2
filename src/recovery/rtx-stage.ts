/**
 * RFC 4588 retransmissions on the receive side: an RTX packet (its own payload type and SSRC)
 * is turned back into the original media-stream packet (original sequence number from the OSN,
 * payload type from the RTX payload type's `apt`, media SSRC from signalling) with origin 'rtx'.
 * Every media-stream packet that becomes known, however it came, is reported to the NACK list so
 * that it is not requested (again).
 */
import type { FrameOrigin } from '../jitter-buffer/types.ts';
import { RtpParseError } from '../rtp/errors.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { fromRtxPacket } from '../rtp/rtx.ts';
import type { NackGenerator } from './nack-generator.ts';
import type { MediaInfo, RebuiltMedia, RecoveryStage, RecoveryStats } from './types.ts';

export interface RtxStageOptions {
  rtxPayloadType: number;
  /** The payload type RTX packets restore (RFC 4588 `apt`): RED's when RED is on, else the media PT. */
  associatedPayloadType: number;
  mediaSsrc: number;
  nack: NackGenerator | null;
}

export class RtxRecoveryStage implements RecoveryStage {
  readonly kind = 'rtx' as const;
  private readonly st: RecoveryStats = { packetsReceived: 0, bytesReceived: 0, rebuilt: 0, malformed: 0 };

  constructor(private readonly opts: RtxStageOptions) {}

  accepts(payloadType: number): boolean {
    return payloadType === this.opts.rtxPayloadType;
  }

  onPacket(packet: RtpPacket, nowMs: number, origin: FrameOrigin): RebuiltMedia[] {
    void nowMs;
    let original: RtpPacket;
    try {
      original = fromRtxPacket(packet, { payloadType: this.opts.associatedPayloadType, ssrc: this.opts.mediaSsrc });
    } catch (e) {
      if (!(e instanceof RtpParseError)) throw e;
      this.st.malformed++;
      return [];
    }
    if (origin === 'primary') {
      this.st.packetsReceived++;
      this.st.bytesReceived += original.payload.length;
    }
    this.st.rebuilt++;
    return [{ packet: original, origin: 'rtx' }];
  }

  onMedia(packet: RtpPacket, nowMs: number, info: MediaInfo): RebuiltMedia[] {
    void info;
    this.opts.nack?.onReceived(packet.sequenceNumber, packet.timestamp, nowMs);
    return [];
  }

  stats(): RecoveryStats {
    return { ...this.st };
  }
}
