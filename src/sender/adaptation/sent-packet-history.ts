/**
 * Sender side of transport-wide feedback: the send time and wire size of every packet by its
 * transport-wide sequence number, and the matching of feedback to them (send-side bandwidth
 * estimation, draft-holmer-rmcat-transport-wide-cc-extensions-01 section 1).
 *
 * Arrival times in the feedback are on the receiver's clock (any offset); only their differences
 * are used downstream.
 */
import { twccArrivalTimesMs, type RtcpTwccFeedback } from '../../rtp/rtcp-twcc.ts';
import { SeqUnwrapper } from '../../rtp/wrap.ts';

export interface PacketResult {
  /** Extended transport-wide sequence number. */
  seq: number;
  sendMs: number;
  /** Bytes on the wire (RTP + overhead). */
  sizeBytes: number;
  /** Receiver-clock arrival, null when reported lost. */
  arrivalMs: number | null;
}

interface Sent {
  sendMs: number;
  sizeBytes: number;
  /** What feedback has said so far: a later "lost" after "received" is ignored, as is a repeat. */
  status: 'none' | 'lost' | 'received';
}

export class SentPacketHistory {
  private readonly unwrap = new SeqUnwrapper();
  private readonly sent = new Map<number, Sent>();

  constructor(private readonly keepMs = 10_000) {}

  /** A packet with transport-wide sequence number `seq16` left at `sendMs` with `sizeBytes` on the wire. */
  onSend(seq16: number, sendMs: number, sizeBytes: number): void {
    const ext = this.unwrap.unwrap(seq16);
    if (this.sent.has(ext)) return; // a retransmission repeating the number: keep the first send
    this.sent.set(ext, { sendMs, sizeBytes, status: 'none' });
    // Packets are inserted in send order, so the oldest come first.
    for (const [k, v] of this.sent) {
      if (v.sendMs >= sendMs - this.keepMs) break;
      this.sent.delete(k);
    }
  }

  /** Extended seq of a 16-bit seq, taken as the closest to the newest one sent. */
  private extend(seq16: number): number {
    return this.unwrap.peek(seq16);
  }

  /**
   * The packets a feedback reports on, in sequence order: newly received ones with their arrival
   * times, and newly lost ones (a packet first reported lost and later received appears twice). Unknown (forgotten) numbers are skipped.
   */
  onFeedback(fb: RtcpTwccFeedback): PacketResult[] {
    const arrivals = twccArrivalTimesMs(fb);
    const base = this.extend(fb.baseSeq);
    const out: PacketResult[] = [];
    arrivals.forEach((a, i) => {
      const seq = base + i;
      const s = this.sent.get(seq);
      if (!s || s.status === 'received' || (a === null && s.status === 'lost')) return;
      s.status = a === null ? 'lost' : 'received';
      out.push({ seq, sendMs: s.sendMs, sizeBytes: s.sizeBytes, arrivalMs: a });
    });
    return out;
  }
}
