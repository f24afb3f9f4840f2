/**
 * RTCP compound packets (RFC 3550 section 6.1): a concatenation of RTCP packets, each with the
 * common header. Parsed types: SR, RR (RFC 3550), generic NACK (RFC 4585), TWCC feedback
 * (draft-holmer-...-01), XR (RFC 3611). Anything else (SDES, BYE, APP, other feedback) is kept
 * opaque so a compound packet round-trips.
 *
 * Padding (P bit) is honoured on parse for any packet; the serializer never pads except the
 * TWCC zero padding. The parser does not insist that the compound start with SR/RR
 * (RFC 5506 reduced-size RTCP is allowed).
 */
import { RtcpFieldError, RtcpParseError } from './errors.ts';
import {
  bodyView,
  rtcpPacket,
  RTCP_PT_RR,
  RTCP_PT_RTPFB,
  RTCP_PT_SR,
  RTCP_PT_XR,
  RTPFB_FMT_NACK,
  RTPFB_FMT_TWCC,
} from './rtcp-header.ts';
import { parseGenericNackBody, serializeGenericNack, type RtcpGenericNack } from './rtcp-nack.ts';
import {
  parseReceiverReportBody,
  parseSenderReportBody,
  serializeReceiverReport,
  serializeSenderReport,
  type RtcpReceiverReport,
  type RtcpSenderReport,
} from './rtcp-report.ts';
import { parseTwccFeedbackBody, serializeTwccFeedback, type RtcpTwccFeedback } from './rtcp-twcc.ts';
import { parseExtendedReportBody, serializeExtendedReport, type RtcpExtendedReport } from './rtcp-xr.ts';

/** An RTCP packet this module does not interpret. */
export interface RtcpUnknownPacket {
  type: 'unknown';
  packetType: number;
  /** The 5-bit count/FMT field. */
  countOrFmt: number;
  /** Body after the 4-byte common header, padding removed (multiple of 4 to re-serialize). */
  body: Uint8Array;
}

export type RtcpPacket =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpGenericNack
  | RtcpTwccFeedback
  | RtcpExtendedReport
  | RtcpUnknownPacket;

/** Serializes one RTCP packet. */
export function serializeRtcpPacket(p: RtcpPacket): Uint8Array {
  switch (p.type) {
    case 'sr':
      return serializeSenderReport(p);
    case 'rr':
      return serializeReceiverReport(p);
    case 'nack':
      return serializeGenericNack(p);
    case 'twcc':
      return serializeTwccFeedback(p);
    case 'xr':
      return serializeExtendedReport(p);
    case 'unknown':
      if (p.body.length % 4 !== 0) throw new RtcpFieldError('body', p.body.length, 'must be a multiple of 4 bytes');
      return rtcpPacket(p.countOrFmt, p.packetType, p.body);
  }
}

/** Serializes a compound packet (the packets concatenated in order). */
export function serializeRtcp(packets: readonly RtcpPacket[]): Uint8Array {
  const parts = packets.map(serializeRtcpPacket);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Parses a compound RTCP packet. Throws only `RtcpParseError`. */
export function parseRtcp(bytes: Uint8Array): RtcpPacket[] {
  if (bytes.length < 4) throw new RtcpParseError('short', bytes.length, `${bytes.length} bytes, an RTCP header needs 4`);
  const packets: RtcpPacket[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 4 > bytes.length) throw new RtcpParseError('short', o, 'trailing bytes shorter than an RTCP header');
    const b0 = bytes[o];
    if (b0 >> 6 !== 2) throw new RtcpParseError('version', o, `version ${b0 >> 6}, expected 2`);
    const countOrFmt = b0 & 0x1f;
    const packetType = bytes[o + 1];
    const size = 4 * (((bytes[o + 2] << 8) | bytes[o + 3]) + 1);
    if (o + size > bytes.length) {
      throw new RtcpParseError('length', o + 2, `packet of ${size} bytes runs past the end (${bytes.length - o} left)`);
    }
    let end = o + size;
    if (b0 & 0x20) {
      const pad = bytes[end - 1];
      if (pad === 0 || pad > size - 4) throw new RtcpParseError('padding', end - 1, `pad count ${pad} in a ${size}-byte packet`);
      end -= pad;
    }
    const v = bodyView(bytes.subarray(o + 4, end), o + 4);
    if (packetType === RTCP_PT_SR) packets.push(parseSenderReportBody(v, countOrFmt));
    else if (packetType === RTCP_PT_RR) packets.push(parseReceiverReportBody(v, countOrFmt));
    else if (packetType === RTCP_PT_RTPFB && countOrFmt === RTPFB_FMT_NACK) packets.push(parseGenericNackBody(v));
    else if (packetType === RTCP_PT_RTPFB && countOrFmt === RTPFB_FMT_TWCC) packets.push(parseTwccFeedbackBody(v));
    else if (packetType === RTCP_PT_XR) packets.push(parseExtendedReportBody(v));
    else packets.push({ type: 'unknown', packetType, countOrFmt, body: v.bytes });
    o += size;
  }
  return packets;
}

export type TryParseRtcpResult = { ok: true; packets: RtcpPacket[] } | { ok: false; error: RtcpParseError };

/** Non-throwing `parseRtcp`. */
export function tryParseRtcp(bytes: Uint8Array): TryParseRtcpResult {
  try {
    return { ok: true, packets: parseRtcp(bytes) };
  } catch (e) {
    if (e instanceof RtcpParseError) return { ok: false, error: e };
    throw e;
  }
}
