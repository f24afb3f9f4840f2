/**
 * RFC 2198 redundancy on the send side: each media packet is re-encapsulated as a RED packet
 * (its own payload type, same sequence number, timestamp and marker) carrying the primary frame
 * and the previous 1..3 *sent* frames as redundant blocks (oldest first, RFC 2198 section 3).
 *
 * The redundant blocks are always the packets immediately before this one in sequence-number
 * order (seq − k for the k-th newest block): a block that cannot be carried (timestamp offset
 * beyond 14 bits after a long DTX pause, or a frame over 1023 bytes) ends the list instead of
 * being skipped. RFC 2198 blocks carry no sequence number; this rule lets the receiver give each
 * recovered frame its exact one (src/recovery/red-stage.ts), which loss detection and the jitter
 * buffers' DTX logic rely on.
 */
import { JitterlabError } from '../core/errors.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { serializeRtp } from '../rtp/packet.ts';
import { encodeRed, RED_MAX_BLOCK_LENGTH, RED_MAX_TIMESTAMP_OFFSET, type RedRedundantBlock } from '../rtp/red.ts';
import { seqAdd, tsDiff } from '../rtp/wrap.ts';
import type { OutgoingPacket, SendStage } from './media-sender.ts';

export interface RedStageOptions {
  /** Redundant generations per packet (RFC 2198 "distance"), 1..3. */
  generations: number;
  /** Payload type of the RED packets. */
  payloadType: number;
}

interface Sent {
  seq: number;
  timestamp: number;
  pt: number;
  payload: Uint8Array;
}

export class RedSendStage implements SendStage {
  private history: Sent[] = [];

  constructor(private readonly opts: RedStageOptions) {
    if (!Number.isInteger(opts.generations) || opts.generations < 1 || opts.generations > 3) {
      throw new JitterlabError('scenario', `sender.red.generations must be 1..3 (got ${opts.generations})`);
    }
  }

  process(media: RtpPacket, out: OutgoingPacket[]): void {
    const head = out[0];
    if (media.payloadType === this.opts.payloadType) {
      throw new JitterlabError('scenario', `sender.red.payloadType ${this.opts.payloadType} equals the media payload type`);
    }
    const redundant: RedRedundantBlock[] = [];
    // Walk back from the newest sent packet while the chain of sequence numbers is unbroken.
    let expectSeq = seqAdd(media.sequenceNumber, -1);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i];
      const offset = tsDiff(media.timestamp, h.timestamp);
      if (h.seq !== expectSeq || offset <= 0 || offset > RED_MAX_TIMESTAMP_OFFSET || h.payload.length > RED_MAX_BLOCK_LENGTH) break;
      redundant.unshift({ pt: h.pt, timestampOffset: offset, payload: h.payload });
      expectSeq = seqAdd(expectSeq, -1);
    }
    const payload = encodeRed({ pt: media.payloadType, payload: media.payload }, redundant);
    const bytes = serializeRtp({ ...media, payloadType: this.opts.payloadType, payload });
    out[0] = { ...head, bytes, redundantBytes: (head.redundantBytes ?? 0) + (bytes.length - head.bytes.length) };
    this.history.push({ seq: media.sequenceNumber, timestamp: media.timestamp, pt: media.payloadType, payload: media.payload.slice() });
    if (this.history.length > this.opts.generations) this.history.shift();
  }
}
