/**
 * RTP serializer and parser (RFC 3550 section 5.1). The parser returns views into the input
 * buffer for payload and extension data (no copy) and throws only `RtpParseError`.
 */
import { RtpParseError } from './errors.ts';
import {
  RTP_FIXED_HEADER_BYTES,
  RTP_VERSION,
  rtpHeaderLength,
  validateRtpPacket,
  type RtpHeaderExtension,
  type RtpPacket,
} from './header.ts';

/**
 * Serializes `p`; padding octets are zero except the last, which holds the count. `alloc` gives
 * the zero-filled output buffer of the requested size (a fresh Uint8Array by default).
 */
export function serializeRtp(p: RtpPacket, alloc: (bytes: number) => Uint8Array = newBytes): Uint8Array {
  validateRtpPacket(p);
  const headerLen = rtpHeaderLength(p);
  const out = alloc(headerLen + p.payload.length + p.padding);
  // Network byte order written by hand: a DataView per packet costs more than the packet.
  out[0] = (RTP_VERSION << 6) | (p.padding > 0 ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  put16(out, 2, p.sequenceNumber);
  put32(out, 4, p.timestamp);
  put32(out, 8, p.ssrc);
  let o = RTP_FIXED_HEADER_BYTES;
  for (const c of p.csrcs) {
    put32(out, o, c);
    o += 4;
  }
  if (p.extension) {
    put16(out, o, p.extension.profile);
    put16(out, o + 2, p.extension.data.length / 4);
    out.set(p.extension.data, o + 4);
    o += 4 + p.extension.data.length;
  }
  out.set(p.payload, o);
  if (p.padding > 0) out[out.length - 1] = p.padding;
  return out;
}

/** Parses one RTP packet; every index is checked before use. */
export function parseRtp(bytes: Uint8Array): RtpPacket {
  if (bytes.length < RTP_FIXED_HEADER_BYTES) {
    throw new RtpParseError('short', bytes.length, `${bytes.length} bytes, the fixed header needs 12`);
  }
  const b0 = bytes[0];
  const version = b0 >> 6;
  if (version !== RTP_VERSION) throw new RtpParseError('version', 0, `version ${version}, expected 2`);
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  let o = RTP_FIXED_HEADER_BYTES;
  if (o + 4 * cc > bytes.length) {
    throw new RtpParseError('csrc', o, `${cc} CSRCs need ${4 * cc} bytes, ${bytes.length - o} left`);
  }
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) {
    csrcs.push(get32(bytes, o));
    o += 4;
  }
  let extension: RtpHeaderExtension | null = null;
  if (hasExtension) {
    if (o + 4 > bytes.length) throw new RtpParseError('extension', o, 'extension header truncated');
    const profile = get16(bytes, o);
    const words = get16(bytes, o + 2);
    if (o + 4 + 4 * words > bytes.length) {
      throw new RtpParseError('extension', o + 2, `extension of ${words} words runs past the end`);
    }
    extension = { profile, data: bytes.subarray(o + 4, o + 4 + 4 * words) };
    o += 4 + 4 * words;
  }
  let end = bytes.length;
  let padding = 0;
  if (hasPadding) {
    padding = bytes[bytes.length - 1];
    // RFC 3550 5.1: the count includes the count octet itself, so 0 is impossible.
    if (padding === 0 || padding > bytes.length - o) {
      throw new RtpParseError('padding', bytes.length - 1, `pad count ${padding} with ${bytes.length - o} bytes after the header`);
    }
    end -= padding;
  }
  return {
    version: 2,
    padding,
    marker: (bytes[1] & 0x80) !== 0,
    payloadType: bytes[1] & 0x7f,
    sequenceNumber: get16(bytes, 2),
    timestamp: get32(bytes, 4),
    ssrc: get32(bytes, 8),
    csrcs,
    extension,
    payload: bytes.subarray(o, end),
  };
}

function newBytes(n: number): Uint8Array {
  return new Uint8Array(n);
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** Callers have checked that the bytes exist. */
function get16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function get32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export type TryParseRtpResult = { ok: true; packet: RtpPacket } | { ok: false; error: RtpParseError };

/** Non-throwing `parseRtp`. */
export function tryParseRtp(bytes: Uint8Array): TryParseRtpResult {
  try {
    return { ok: true, packet: parseRtp(bytes) };
  } catch (e) {
    if (e instanceof RtpParseError) return { ok: false, error: e };
    throw e;
  }
}
