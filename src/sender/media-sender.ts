/**
 * The sender's transmit side for one variant: frames → RTP packets (RFC 7587), with the DTX rule
 * and the marker bit, plus the redundancy the variant adds (RED, XOR parity) and the RTX history.
 * It returns serialized packets with their lane; it does no I/O and reads no clock.
 */
import type { Lane } from '../channel/types.ts';
import { ByteSlab } from '../core/byte-slab.ts';
import { JitterlabError } from '../core/errors.ts';
import { OpusPacketizer } from '../rtp/opus-packetizer.ts';
import { parseRtp, serializeRtp } from '../rtp/packet.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { isDtxPayload } from './encoded-stream.ts';

export interface OutgoingPacket {
  lane: Lane;
  bytes: Uint8Array;
  /** Media frame index this packet carries as primary, or -1. */
  frameIndex: number;
  seq: number;
  timestamp: number;
  kind: 'media' | 'fec' | 'rtx';
  /** Bytes a redundancy stage added inside this packet (RED header + redundant blocks), for overhead accounting. */
  redundantBytes?: number;
}

export interface RtpInit {
  ssrc: number;
  initialSeq: number;
  initialTimestamp: number;
  payloadType: number;
}

/**
 * A plug-in on the send side (RED wraps media; parity adds packets). Stages run in order on the
 * packets of one media packet; out[0] is the media-stream packet as it will go on the wire (a
 * stage that re-encapsulates it replaces out[0].bytes), later entries are extra packets.
 */
export interface SendStage {
  /** Transform or add to the packets produced for one media packet. */
  process(media: RtpPacket, out: OutgoingPacket[]): void;
}

export class MediaSender {
  private readonly packetizer: OpusPacketizer;
  private prevDtx = true; // so the first frame starts a talkspurt
  /**
   * The retransmission history: the last `historyPackets` media-stream packets as sent
   * (RED-encapsulated when RED is on), what RTX resends. A ring of slots in sending order, and
   * the slot of each sequence number.
   */
  private readonly slotOf = new Map<number, number>();
  private readonly ringSeq: Int32Array;
  private readonly ringPacket: Array<RtpPacket | undefined>;
  private readonly ringSentMs: Float64Array;
  private ringNext = 0;
  /** Serialized media packets are views into shared blocks (see ByteSlab). */
  private readonly slab = new ByteSlab();
  private readonly alloc = (n: number): Uint8Array => this.slab.take(n);
  mediaPacketsSent = 0;
  framesSuppressed = 0;

  constructor(
    readonly init: RtpInit,
    private readonly frameTs: number,
    private readonly stages: SendStage[] = [],
    historyPackets = 512,
  ) {
    this.packetizer = new OpusPacketizer(init);
    if (!(Number.isInteger(historyPackets) && historyPackets >= 1)) throw new JitterlabError('internal', `MediaSender: historyPackets must be a positive integer (got ${historyPackets})`);
    this.ringSeq = new Int32Array(historyPackets).fill(-1);
    this.ringPacket = new Array<RtpPacket | undefined>(historyPackets).fill(undefined);
    this.ringSentMs = new Float64Array(historyPackets);
  }

  /**
   * Packets to send for frame `index`. DTX (RFC 6716 3.2.1): a run of DTX frames sends only its
   * first frame (it tells the receiver the silence is intended); the first frame after silence
   * carries the marker bit (RFC 3551 4.1).
   */
  packetsForFrame(index: number, payload: Uint8Array, nowMs = Number.NaN): OutgoingPacket[] {
    const dtx = isDtxPayload(payload);
    if (dtx && this.prevDtx) {
      this.framesSuppressed++;
      return [];
    }
    const talkspurtStart = !dtx && this.prevDtx;
    this.prevDtx = dtx;
    const rtp = this.packetizer.packetize({ payload, timestampOffset48k: index * this.frameTs, talkspurtStart });
    this.mediaPacketsSent++;
    const plain = serializeRtp(rtp, this.alloc);
    const out: OutgoingPacket[] = [{ lane: 'media', bytes: plain, frameIndex: index, seq: rtp.sequenceNumber, timestamp: rtp.timestamp, kind: 'media' }];
    for (const s of this.stages) s.process(rtp, out);
    // Remember the packet as it went on the wire, so a retransmission repeats it exactly (RFC 4588 section 4).
    this.remember(out[0].bytes === plain ? rtp : parseRtp(out[0].bytes), nowMs);
    return out;
  }

  private remember(p: RtpPacket, sentMs: number): void {
    const seq = p.sequenceNumber;
    let slot = this.slotOf.get(seq);
    if (slot === undefined) {
      slot = this.ringNext;
      this.ringNext = (slot + 1) % this.ringSeq.length;
      const evicted = this.ringSeq[slot];
      if (evicted >= 0) this.slotOf.delete(evicted);
      this.ringSeq[slot] = seq;
      this.slotOf.set(seq, slot);
    }
    this.ringPacket[slot] = p;
    this.ringSentMs[slot] = sentMs;
  }

  /** A packet still in the retransmission history (RFC 4588), by sequence number. */
  fromHistory(seq: number): RtpPacket | undefined {
    const slot = this.slotOf.get(seq);
    return slot === undefined ? undefined : this.ringPacket[slot];
  }

  /** When the packet with this sequence number was sent (NaN when no time was given), if still in the history. */
  sentAt(seq: number): number | undefined {
    const slot = this.slotOf.get(seq);
    return slot === undefined ? undefined : this.ringSentMs[slot];
  }
}
