/**
 * The RTP packet model, RFC 3550 section 5.1:
 *
 *   0                   1                   2                   3
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers (0..15)     |
 *   [ header extension: profile (16) | length in 32-bit words (16) | data ]
 *   payload ... [ padding, last octet = pad count including itself ]
 */
import { checkRtpInt, RtpFieldError } from './errors.ts';

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_BYTES = 12;
export const RTP_MAX_CSRCS = 15;

/** RFC 3550 5.3.1 header extension: a 16-bit profile-defined value and 32-bit-aligned data. */
export interface RtpHeaderExtension {
  profile: number;
  /** Length is a multiple of 4 (the wire carries it in 32-bit words). */
  data: Uint8Array;
}

export interface RtpPacket {
  version: 2;
  /** Number of padding octets at the end (the last one holds this count); 0 = P bit clear. */
  padding: number;
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  extension: RtpHeaderExtension | null;
  payload: Uint8Array;
}

/** Bytes of the header (fixed part, CSRCs and extension) of `p`. */
export function rtpHeaderLength(p: Pick<RtpPacket, 'csrcs' | 'extension'>): number {
  return RTP_FIXED_HEADER_BYTES + 4 * p.csrcs.length + (p.extension ? 4 + p.extension.data.length : 0);
}

/** Total serialized size of `p` in bytes. */
export function rtpPacketLength(p: RtpPacket): number {
  return rtpHeaderLength(p) + p.payload.length + p.padding;
}

/** Throws `RtpFieldError` when a field of `p` does not fit its wire field. */
export function validateRtpPacket(p: RtpPacket): void {
  if (p.version !== RTP_VERSION) throw new RtpFieldError('version', p.version, 'must be 2');
  checkRtpInt('padding', p.padding, 0, 255);
  checkRtpInt('payloadType', p.payloadType, 0, 127);
  checkRtpInt('sequenceNumber', p.sequenceNumber, 0, 0xffff);
  checkRtpInt('timestamp', p.timestamp, 0, 0xffffffff);
  checkRtpInt('ssrc', p.ssrc, 0, 0xffffffff);
  if (p.csrcs.length > RTP_MAX_CSRCS) throw new RtpFieldError('csrcs', p.csrcs.length, 'at most 15 CSRCs');
  for (const c of p.csrcs) checkRtpInt('csrc', c, 0, 0xffffffff);
  if (p.extension) {
    checkRtpInt('extension.profile', p.extension.profile, 0, 0xffff);
    const n = p.extension.data.length;
    if (n % 4 !== 0 || n / 4 > 0xffff) {
      throw new RtpFieldError('extension.data', n, 'length must be a multiple of 4 and at most 262140');
    }
  }
}
