/**
 * Puts the transport-wide sequence number (RFC 8285 one-byte element, draft-holmer-rmcat-
 * transport-wide-cc-extensions-01 section 2) on every RTP packet the sender emits, as two send
 * stages around the configured ones:
 *
 * - `mediaStage` runs first: it adds the element to the media packet itself (the RtpPacket the
 *   later stages read, so RED re-encapsulates it with the element, and parity FEC protects the
 *   packet exactly as it goes on the wire);
 * - `extrasStage` runs last: it numbers the packets earlier stages added (parity FEC).
 *
 * Retransmissions (RTX) repeat the original's header extension (RFC 4588 section 4), hence its
 * number; feedback about them is matched to the first send.
 */
import { DEFAULT_TRANSPORT_CC_ID, stampTransportSeq, withTransportSeq } from '../../rtp/header-extension.ts';
import type { RtpPacket } from '../../rtp/header.ts';
import { serializeRtp } from '../../rtp/packet.ts';
import type { OutgoingPacket, SendStage } from '../media-sender.ts';

export class TransportSequencer {
  private next = 0;

  constructor(readonly extensionId = DEFAULT_TRANSPORT_CC_ID) {}

  private allocate(): number {
    const s = this.next;
    this.next = (this.next + 1) & 0xffff;
    return s;
  }

  readonly mediaStage: SendStage = {
    process: (media: RtpPacket, out: OutgoingPacket[]): void => {
      const stamped = withTransportSeq(media, this.allocate(), this.extensionId);
      // Later stages read `media`: give it the element so what they wrap or protect carries it.
      media.extension = stamped.extension;
      out[0] = { ...out[0], bytes: serializeRtp(stamped) };
    },
  };

  readonly extrasStage: SendStage = {
    process: (_media: RtpPacket, out: OutgoingPacket[]): void => {
      // out[0] is the media packet, numbered by mediaStage (RED re-encapsulation keeps the element).
      for (let i = 1; i < out.length; i++) {
        out[i] = { ...out[i], bytes: stampTransportSeq(out[i].bytes, this.allocate(), this.extensionId) };
      }
    },
  };
}
