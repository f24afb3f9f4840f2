/**
 * The sender's answer to RFC 4585 generic NACKs: each requested packet still in the MediaSender's
 * history (and younger than historyMs) is resent as an RFC 4588 retransmission, in the RTX
 * stream's own SSRC, payload type and sequence space, with the original sequence number (OSN)
 * in front of the original payload. The packet resent is the media-stream packet exactly as it
 * went on the wire (RED-encapsulated when RED is on; the RTX payload type's apt says so).
 *
 * Like libwebrtc's RTPSender, a packet is not resent again within one round-trip time of its
 * previous retransmission (the earlier copy may still be on its way).
 */
import type { RtcpGenericNack } from '../rtp/rtcp-nack.ts';
import { seqsFromNackItems } from '../rtp/rtcp-nack.ts';
import { serializeRtp } from '../rtp/packet.ts';
import { toRtxPacket } from '../rtp/rtx.ts';
import { seqAdd } from '../rtp/wrap.ts';
import type { MediaSender, OutgoingPacket } from './media-sender.ts';

export interface RtxResponderOptions {
  payloadType: number;
  ssrc: number;
  initialSeq: number;
  /** Packets older than this are not resent (RFC 4588 section 6: the sender's buffer). */
  historyMs: number;
  /** The sender's current RTT estimate (ms) from receiver reports, or null. */
  rttMs?: () => number | null;
}

export class RtxResponder {
  private seq: number;
  private readonly lastResent = new Map<number, number>();
  /** Retransmissions sent, and their bytes (RTP packet sizes). */
  packetsSent = 0;
  bytesSent = 0;
  /** Requested packets not resent: no longer in the history, too old, or resent less than an RTT ago. */
  requestsIgnored = 0;

  constructor(
    private readonly sender: MediaSender,
    private readonly opts: RtxResponderOptions,
  ) {
    this.seq = opts.initialSeq;
  }

  /** A generic NACK for our media SSRC arrived at `nowMs`: the retransmissions to send now. */
  onNack(nack: RtcpGenericNack, nowMs: number): OutgoingPacket[] {
    const out: OutgoingPacket[] = [];
    if (nack.mediaSsrc !== this.sender.init.ssrc) return out;
    const rtt = this.opts.rttMs?.() ?? 0;
    for (const seq of seqsFromNackItems(nack.items)) {
      const original = this.sender.fromHistory(seq);
      const sentMs = this.sender.sentAt(seq);
      const last = this.lastResent.get(seq);
      const tooOld = sentMs !== undefined && Number.isFinite(sentMs) && nowMs - sentMs > this.opts.historyMs;
      if (!original || tooOld || (last !== undefined && nowMs - last < rtt)) {
        this.requestsIgnored++;
        continue;
      }
      const rtx = toRtxPacket(original, { payloadType: this.opts.payloadType, ssrc: this.opts.ssrc, sequenceNumber: this.seq });
      this.seq = seqAdd(this.seq, 1);
      const bytes = serializeRtp(rtx);
      this.lastResent.set(seq, nowMs);
      if (this.lastResent.size > 2048) this.lastResent.delete(this.lastResent.keys().next().value as number);
      this.packetsSent++;
      this.bytesSent += bytes.length;
      out.push({ lane: 'rtx', bytes, frameIndex: -1, seq: rtx.sequenceNumber, timestamp: rtx.timestamp, kind: 'rtx' });
    }
    return out;
  }
}
