/**
 * XOR parity FEC on the receive side (RFC 5109 section 8, FlexFEC L×D groups): media-stream
 * packets as they were on the wire and the FEC packets go into the parity decoder, which
 * rebuilds a missing packet whenever one of its groups lacks exactly that one (iterating rows
 * and columns, so a 2-D layout repairs a whole lost row). A rebuilt packet may be RED-encapsulated
 * (parity protects what was sent); the receiver unwraps it like a received one.
 */
import type { FrameOrigin } from '../jitter-buffer/types.ts';
import { RtpParseError } from '../rtp/errors.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { ParityFecDecoder } from '../rtp/parity-fec.ts';
import { parseRtp, serializeRtp } from '../rtp/packet.ts';
import type { MediaInfo, RebuiltMedia, RecoveryStage, RecoveryStats } from './types.ts';

export class ParityRecoveryStage implements RecoveryStage {
  readonly kind = 'parity' as const;
  private readonly decoder: ParityFecDecoder;
  private readonly st: RecoveryStats = { packetsReceived: 0, bytesReceived: 0, rebuilt: 0, malformed: 0 };
  /** FEC packets that protect another stream, or arrive too late for the decoder's history. */
  rejected = 0;

  constructor(
    private readonly fecPayloadType: number,
    mediaSsrc: number,
  ) {
    this.decoder = new ParityFecDecoder({ mediaSsrc });
  }

  accepts(payloadType: number): boolean {
    return payloadType === this.fecPayloadType;
  }

  onPacket(packet: RtpPacket, nowMs: number, origin: FrameOrigin): RebuiltMedia[] {
    void nowMs;
    const bytes = serializeRtp(packet);
    if (origin === 'primary') {
      this.st.packetsReceived++;
      this.st.bytesReceived += packet.payload.length;
    }
    try {
      if (!this.decoder.addFec(bytes)) this.rejected++;
    } catch (e) {
      if (!(e instanceof RtpParseError)) throw e;
      this.st.malformed++;
      return [];
    }
    return this.recover();
  }

  onMedia(packet: RtpPacket, nowMs: number, info: MediaInfo): RebuiltMedia[] {
    void nowMs;
    if (!info.wire) return [];
    if (!this.decoder.addMedia(serializeRtp(packet))) return [];
    return this.recover();
  }

  private recover(): RebuiltMedia[] {
    const out: RebuiltMedia[] = [];
    for (const bytes of this.decoder.recover()) {
      this.st.rebuilt++;
      out.push({ packet: parseRtp(bytes), origin: 'parity' });
    }
    return out;
  }

  stats(): RecoveryStats {
    return { ...this.st };
  }
}
