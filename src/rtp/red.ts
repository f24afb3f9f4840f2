/**
 * RFC 2198 redundant audio data (RED) payload.
 *
 * Each redundant block has a 4-byte header, the primary block a 1-byte header (section 3):
 *
 *   |F=1| block PT (7) |  timestamp offset (14)  |  block length (10)  |
 *   |F=0| block PT (7) |                        (final header, primary)
 *
 * followed by the block data in header order. The redundant block's timestamp is the RTP header
 * timestamp minus the offset; the primary block takes the rest of the payload.
 */
import { checkRtpInt, RtpParseError } from './errors.ts';
import { tsAdd } from './wrap.ts';

export const RED_MAX_TIMESTAMP_OFFSET = 0x3fff;
export const RED_MAX_BLOCK_LENGTH = 0x3ff;

export interface RedPrimaryBlock {
  pt: number;
  payload: Uint8Array;
}

export interface RedRedundantBlock {
  pt: number;
  /** RTP timestamp of the primary minus that of this block (0..16383). */
  timestampOffset: number;
  payload: Uint8Array;
}

export interface RedDecodedBlock {
  pt: number;
  timestamp: number;
  payload: Uint8Array;
  primary: boolean;
}

/**
 * Encodes a RED payload. Redundant blocks are written in the order given (by convention oldest
 * first, i.e. largest offset first, as RFC 2198 section 3's example and libwebrtc do).
 */
export function encodeRed(primary: RedPrimaryBlock, redundant: readonly RedRedundantBlock[]): Uint8Array {
  checkRtpInt('red.primary.pt', primary.pt, 0, 127);
  let total = 1 + primary.payload.length;
  for (const r of redundant) {
    checkRtpInt('red.pt', r.pt, 0, 127);
    checkRtpInt('red.timestampOffset', r.timestampOffset, 0, RED_MAX_TIMESTAMP_OFFSET);
    checkRtpInt('red.blockLength', r.payload.length, 0, RED_MAX_BLOCK_LENGTH);
    total += 4 + r.payload.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const r of redundant) {
    out[o] = 0x80 | r.pt;
    // 14-bit offset then 10-bit length packed in the next 24 bits.
    const word = (r.timestampOffset << 10) | r.payload.length;
    out[o + 1] = (word >>> 16) & 0xff;
    out[o + 2] = (word >>> 8) & 0xff;
    out[o + 3] = word & 0xff;
    o += 4;
  }
  out[o++] = primary.pt;
  for (const r of redundant) {
    out.set(r.payload, o);
    o += r.payload.length;
  }
  out.set(primary.payload, o);
  return out;
}

/**
 * Splits a RED payload carried in an RTP packet with header timestamp `timestamp` into its
 * blocks, in wire order (redundant blocks first, primary last). Payloads are views into the
 * input. Throws only `RtpParseError` (reason 'short' or 'red').
 */
export function decodeRed(payload: Uint8Array, timestamp: number): RedDecodedBlock[] {
  checkRtpInt('timestamp', timestamp, 0, 0xffffffff);
  if (payload.length === 0) throw new RtpParseError('short', 0, 'empty RED payload');
  const headers: { pt: number; offset: number; length: number }[] = [];
  let o = 0;
  for (;;) {
    if (o >= payload.length) throw new RtpParseError('red', o, 'block headers run past the end (no final header)');
    const b = payload[o];
    if ((b & 0x80) === 0) {
      o += 1;
      break;
    }
    if (o + 4 > payload.length) throw new RtpParseError('red', o, 'truncated redundant block header');
    const word = (payload[o + 1] << 16) | (payload[o + 2] << 8) | payload[o + 3];
    headers.push({ pt: b & 0x7f, offset: word >>> 10, length: word & 0x3ff });
    o += 4;
  }
  const primaryPt = payload[o - 1] & 0x7f;
  const blocks: RedDecodedBlock[] = [];
  for (const h of headers) {
    if (o + h.length > payload.length) {
      throw new RtpParseError('red', o, `redundant block of ${h.length} bytes runs past the end`);
    }
    blocks.push({
      pt: h.pt,
      timestamp: tsAdd(timestamp, -h.offset),
      payload: payload.subarray(o, o + h.length),
      primary: false,
    });
    o += h.length;
  }
  blocks.push({ pt: primaryPt, timestamp, payload: payload.subarray(o), primary: true });
  return blocks;
}

export interface RedEncoderOptions {
  /** Payload type of the encapsulated codec (the block PT). */
  pt: number;
  /** Redundancy distance N (1..3): each packet carries the previous N frames. */
  distance: number;
}

/**
 * Keeps the last N frames and wraps each new frame with them as redundancy (generations
 * 1..N back). Frames too old for the 14-bit offset, too large for the 10-bit length, or with a
 * timestamp not before the new frame's (a reset) are left out rather than failing.
 */
export class RedEncoder {
  private history: { timestamp: number; payload: Uint8Array }[] = [];

  constructor(private readonly opts: RedEncoderOptions) {
    checkRtpInt('red.pt', opts.pt, 0, 127);
    checkRtpInt('red.distance', opts.distance, 1, 3);
  }

  /** RED payload for the frame with RTP timestamp `timestamp`; remembers the frame. */
  encode(payload: Uint8Array, timestamp: number): Uint8Array {
    checkRtpInt('timestamp', timestamp, 0, 0xffffffff);
    const redundant: RedRedundantBlock[] = [];
    for (const h of this.history) {
      const offset = tsAdd(timestamp, -h.timestamp);
      if (offset === 0 || offset > RED_MAX_TIMESTAMP_OFFSET || h.payload.length > RED_MAX_BLOCK_LENGTH) continue;
      redundant.push({ pt: this.opts.pt, timestampOffset: offset, payload: h.payload });
    }
    const out = encodeRed({ pt: this.opts.pt, payload }, redundant);
    // Copy: the caller may reuse its buffer, and history must not change under us.
    this.history.push({ timestamp, payload: payload.slice() });
    if (this.history.length > this.opts.distance) this.history.shift();
    return out;
  }

  /** Forgets the history (e.g. on an SSRC change). */
  reset(): void {
    this.history = [];
  }
}
