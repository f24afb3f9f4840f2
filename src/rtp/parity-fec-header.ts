/**
 * The parity-FEC payload header used by jitterlab ("JLPF"). It keeps the RFC 5109 section 7.3
 * FEC-header recovery fields and replaces the ULP level header's bit mask with an explicit
 * (SN base, count, stride) description of the protected set, which covers FlexFEC's (RFC 8627)
 * row groups (stride 1) and column groups (stride L) of any size. The media SSRC is carried
 * because FEC packets travel in their own SSRC/PT/seq space (as in FlexFEC).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0|0|P|X|  CC   |M| PT recovery |            SN base            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          TS recovery                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        length recovery        |     count     |    stride     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      protected media SSRC                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |       protection length       |     kind      |   reserved    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            payload recovery (protection length bytes)         |
 *
 * - Bits 0-1 (RFC 5109's E and L) must be 0. P, X, CC, M, PT recovery: XOR of those bits of the
 *   protected packets' first two header bytes. TS recovery: XOR of their timestamps.
 * - Length recovery: XOR of each protected packet's length minus the 12-byte fixed header
 *   (RFC 5109 7.3: CSRC list + extension + payload + padding).
 * - Protected set: SN base + i·stride (mod 2^16), i = 0..count−1; count ≥ 1, stride ≥ 1.
 * - Protection length: the longest protected packet minus 12 bytes; payload recovery is the XOR
 *   of every protected packet's bytes after the fixed header, zero-extended to that length, and
 *   must be exactly the rest of the FEC packet's payload.
 * - kind: 0 row group, 1 column group (informational, recovery does not need it); the
 *   reserved byte must be 0.
 */
import { checkRtpInt, RtpParseError } from './errors.ts';

export const PARITY_FEC_HEADER_BYTES = 20;

export type ParityFecKind = 'row' | 'column';

export interface ParityFecHeader {
  /** Low 6 bits of the XOR of the protected packets' first byte (P, X, CC). */
  pxccRecovery: number;
  /** XOR of the protected packets' second byte (M, PT). */
  mptRecovery: number;
  snBase: number;
  tsRecovery: number;
  lengthRecovery: number;
  count: number;
  stride: number;
  mediaSsrc: number;
  kind: ParityFecKind;
  payloadRecovery: Uint8Array;
}

export function serializeParityFec(h: ParityFecHeader): Uint8Array {
  checkRtpInt('fec.pxccRecovery', h.pxccRecovery, 0, 0x3f);
  checkRtpInt('fec.mptRecovery', h.mptRecovery, 0, 0xff);
  checkRtpInt('fec.snBase', h.snBase, 0, 0xffff);
  checkRtpInt('fec.tsRecovery', h.tsRecovery, 0, 0xffffffff);
  checkRtpInt('fec.lengthRecovery', h.lengthRecovery, 0, 0xffff);
  checkRtpInt('fec.count', h.count, 1, 255);
  checkRtpInt('fec.stride', h.stride, 1, 255);
  checkRtpInt('fec.mediaSsrc', h.mediaSsrc, 0, 0xffffffff);
  checkRtpInt('fec.protectionLength', h.payloadRecovery.length, 0, 0xffff);
  const out = new Uint8Array(PARITY_FEC_HEADER_BYTES + h.payloadRecovery.length);
  const dv = new DataView(out.buffer);
  out[0] = h.pxccRecovery;
  out[1] = h.mptRecovery;
  dv.setUint16(2, h.snBase);
  dv.setUint32(4, h.tsRecovery);
  dv.setUint16(8, h.lengthRecovery);
  out[10] = h.count;
  out[11] = h.stride;
  dv.setUint32(12, h.mediaSsrc);
  dv.setUint16(16, h.payloadRecovery.length);
  out[18] = h.kind === 'row' ? 0 : 1;
  out[19] = 0;
  out.set(h.payloadRecovery, PARITY_FEC_HEADER_BYTES);
  return out;
}

/** Parses the FEC payload (the RTP payload of a FEC packet). Throws only `RtpParseError`. */
export function parseParityFec(payload: Uint8Array): ParityFecHeader {
  if (payload.length < PARITY_FEC_HEADER_BYTES) {
    throw new RtpParseError('short', payload.length, `FEC header needs ${PARITY_FEC_HEADER_BYTES} bytes, got ${payload.length}`);
  }
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if ((payload[0] & 0xc0) !== 0) throw new RtpParseError('fec', 0, 'E/L bits must be 0');
  const count = payload[10];
  const stride = payload[11];
  if (count === 0) throw new RtpParseError('fec', 10, 'count must be at least 1');
  if (stride === 0) throw new RtpParseError('fec', 11, 'stride must be at least 1');
  const kindByte = payload[18];
  if (kindByte > 1) throw new RtpParseError('fec', 18, `unknown group kind ${kindByte}`);
  if (payload[19] !== 0) throw new RtpParseError('fec', 19, 'reserved byte must be 0');
  const protectionLength = dv.getUint16(16);
  if (PARITY_FEC_HEADER_BYTES + protectionLength !== payload.length) {
    throw new RtpParseError(
      'fec',
      16,
      `protection length ${protectionLength} but ${payload.length - PARITY_FEC_HEADER_BYTES} recovery bytes follow`,
    );
  }
  const lengthRecovery = dv.getUint16(8);
  return {
    pxccRecovery: payload[0] & 0x3f,
    mptRecovery: payload[1],
    snBase: dv.getUint16(2),
    tsRecovery: dv.getUint32(4),
    lengthRecovery,
    count,
    stride,
    mediaSsrc: dv.getUint32(12),
    kind: kindByte === 0 ? 'row' : 'column',
    payloadRecovery: payload.subarray(PARITY_FEC_HEADER_BYTES),
  };
}
