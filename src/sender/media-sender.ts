/**
 * The sender's transmit side for one variant: frames → RTP packets (RFC 7587), with the DTX rule
 * and the marker bit, plus the redundancy the variant adds (RED, XOR parity) and the RTX history.
 * It returns serialized packets with their lane; it does no I/O and reads no clock.
 */
import type { Lane } from '../channel/types.ts';
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

interface HistoryEntry {
  /** The media-stream packet as sent (RED-encapsulated when RED is on): what RTX resends. */
  packet: RtpPacket;
  sentMs: number;
}

export class MediaSender {
  private readonly packetizer: OpusPacketizer;
  private prevDtx = true; // so the first frame starts a talkspurt
  private readonly history = new Map<number, HistoryEntry>();
  private readonly historyOrder: number[] = [];
  mediaPacketsSent = 0;
  framesSuppressed = 0;

  constructor(
    readonly init: RtpInit,
    private readonly frameTs: number,
    private readonly stages: SendStage[] = [],
    private readonly historyPackets = 512,
  ) {
    this.packetizer = new OpusPacketizer(init);
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
    const plain = serializeRtp(rtp);
    const out: OutgoingPacket[] = [{ lane: 'media', bytes: plain, frameIndex: index, seq: rtp.sequenceNumber, timestamp: rtp.timestamp, kind: 'media' }];
    for (const s of this.stages) s.process(rtp, out);
    // Remember the packet as it went on the wire, so a retransmission repeats it exactly (RFC 4588 section 4).
    this.remember(out[0].bytes === plain ? rtp : parseRtp(out[0].bytes), nowMs);
    return out;
  }

  private remember(p: RtpPacket, sentMs: number): void {
    if (!this.history.has(p.sequenceNumber)) this.historyOrder.push(p.sequenceNumber);
    this.history.set(p.sequenceNumber, { packet: p, sentMs });
    if (this.historyOrder.length > this.historyPackets) this.history.delete(this.historyOrder.shift()!);
  }

  /** A packet still in the retransmission history (RFC 4588), by sequence number. */
  fromHistory(seq: number): RtpPacket | undefined {
    return this.history.get(seq)?.packet;
  }

  /** When the packet with this sequence number was sent (NaN when no time was given), if still in the history. */
  sentAt(seq: number): number | undefined {
    return this.history.get(seq)?.sentMs;
  }
}
