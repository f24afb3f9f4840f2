/**
 * RTCP common header (RFC 3550 section 6.4.1) and the packet type numbers used here.
 *
 *   |V=2|P| count/FMT (5) |      PT (8)     |  length (16): 32-bit words − 1 |
 */
import { checkRtcpInt, RtcpFieldError } from './errors.ts';

export const RTCP_PT_SR = 200;
export const RTCP_PT_RR = 201;
export const RTCP_PT_SDES = 202;
export const RTCP_PT_BYE = 203;
export const RTCP_PT_RTPFB = 205; // RFC 4585 transport-layer feedback
export const RTCP_PT_XR = 207; // RFC 3611
export const RTPFB_FMT_NACK = 1; // RFC 4585 6.2.1
export const RTPFB_FMT_TWCC = 15; // draft-holmer-rmcat-transport-wide-cc-extensions-01

/** Builds one RTCP packet from its count/FMT field, type and body (a multiple of 4 bytes). */
export function rtcpPacket(countOrFmt: number, packetType: number, body: Uint8Array): Uint8Array {
  checkRtcpInt('count/FMT', countOrFmt, 0, 31);
  checkRtcpInt('packetType', packetType, 0, 255);
  if (body.length % 4 !== 0) throw new RtcpFieldError('body length', body.length, 'must be a multiple of 4');
  const words = body.length / 4;
  checkRtcpInt('length', words, 0, 0xffff);
  const out = new Uint8Array(4 + body.length);
  out[0] = 0x80 | countOrFmt;
  out[1] = packetType;
  out[2] = words >>> 8;
  out[3] = words & 0xff;
  out.set(body, 4);
  return out;
}

/** Big-endian accessors with the offset of the body in the compound packet, for error offsets. */
export interface BodyView {
  bytes: Uint8Array;
  dv: DataView;
  /** Offset of `bytes[0]` in the buffer given to the parser. */
  base: number;
}

export function bodyView(bytes: Uint8Array, base: number): BodyView {
  return { bytes, dv: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), base };
}
