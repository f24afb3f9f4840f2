/**
 * RFC 3550 sender report (6.4.1) and receiver report (6.4.2) with their report blocks.
 *
 * Report block (24 bytes): SSRC | fraction lost (8) cumulative lost (24, signed) |
 * extended highest seq | interarrival jitter | LSR | DLSR.
 */
import { checkRtcpInt, RtcpFieldError, RtcpParseError } from './errors.ts';
import { rtcpPacket, RTCP_PT_RR, RTCP_PT_SR, type BodyView } from './rtcp-header.ts';

export interface RtcpReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, ×256 (0..255). */
  fractionLost: number;
  /** Cumulative packets lost, signed 24 bit (duplicates can make it negative). */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the last SR's NTP timestamp (0 if none). */
  lsr: number;
  /** Delay since that SR in units of 1/65536 s. */
  dlsr: number;
}

export interface RtcpSenderReport {
  type: 'sr';
  ssrc: number;
  /** NTP timestamp, seconds since 1900 (32-bit field). */
  ntpSeconds: number;
  /** NTP timestamp fraction, units of 2^-32 s. */
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
  /** Profile-specific extension after the report blocks (multiple of 4 bytes; usually empty). */
  profileExtension: Uint8Array;
}

export interface RtcpReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: RtcpReportBlock[];
  profileExtension: Uint8Array;
}

const REPORT_BLOCK_BYTES = 24;

function writeReportBlock(dv: DataView, o: number, r: RtcpReportBlock): void {
  checkRtcpInt('report.ssrc', r.ssrc, 0, 0xffffffff);
  checkRtcpInt('report.fractionLost', r.fractionLost, 0, 255);
  checkRtcpInt('report.cumulativeLost', r.cumulativeLost, -0x800000, 0x7fffff);
  checkRtcpInt('report.extendedHighestSeq', r.extendedHighestSeq, 0, 0xffffffff);
  checkRtcpInt('report.jitter', r.jitter, 0, 0xffffffff);
  checkRtcpInt('report.lsr', r.lsr, 0, 0xffffffff);
  checkRtcpInt('report.dlsr', r.dlsr, 0, 0xffffffff);
  dv.setUint32(o, r.ssrc);
  dv.setUint32(o + 4, ((r.fractionLost << 24) | (r.cumulativeLost & 0xffffff)) >>> 0);
  dv.setUint32(o + 8, r.extendedHighestSeq);
  dv.setUint32(o + 12, r.jitter);
  dv.setUint32(o + 16, r.lsr);
  dv.setUint32(o + 20, r.dlsr);
}

function readReportBlock(dv: DataView, o: number): RtcpReportBlock {
  const w = dv.getUint32(o + 4);
  const lost = w & 0xffffff;
  return {
    ssrc: dv.getUint32(o),
    fractionLost: w >>> 24,
    cumulativeLost: lost >= 0x800000 ? lost - 0x1000000 : lost,
    extendedHighestSeq: dv.getUint32(o + 8),
    jitter: dv.getUint32(o + 12),
    lsr: dv.getUint32(o + 16),
    dlsr: dv.getUint32(o + 20),
  };
}

function checkReports(reports: readonly RtcpReportBlock[], ext: Uint8Array): void {
  if (reports.length > 31) throw new RtcpFieldError('reports', reports.length, 'at most 31 report blocks');
  if (ext.length % 4 !== 0) throw new RtcpFieldError('profileExtension', ext.length, 'must be a multiple of 4 bytes');
}

export function serializeSenderReport(sr: RtcpSenderReport): Uint8Array {
  checkReports(sr.reports, sr.profileExtension);
  checkRtcpInt('sr.ssrc', sr.ssrc, 0, 0xffffffff);
  checkRtcpInt('sr.ntpSeconds', sr.ntpSeconds, 0, 0xffffffff);
  checkRtcpInt('sr.ntpFraction', sr.ntpFraction, 0, 0xffffffff);
  checkRtcpInt('sr.rtpTimestamp', sr.rtpTimestamp, 0, 0xffffffff);
  checkRtcpInt('sr.packetCount', sr.packetCount, 0, 0xffffffff);
  checkRtcpInt('sr.octetCount', sr.octetCount, 0, 0xffffffff);
  const body = new Uint8Array(24 + REPORT_BLOCK_BYTES * sr.reports.length + sr.profileExtension.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, sr.ssrc);
  dv.setUint32(4, sr.ntpSeconds);
  dv.setUint32(8, sr.ntpFraction);
  dv.setUint32(12, sr.rtpTimestamp);
  dv.setUint32(16, sr.packetCount);
  dv.setUint32(20, sr.octetCount);
  sr.reports.forEach((r, i) => writeReportBlock(dv, 24 + REPORT_BLOCK_BYTES * i, r));
  body.set(sr.profileExtension, 24 + REPORT_BLOCK_BYTES * sr.reports.length);
  return rtcpPacket(sr.reports.length, RTCP_PT_SR, body);
}

export function serializeReceiverReport(rr: RtcpReceiverReport): Uint8Array {
  checkReports(rr.reports, rr.profileExtension);
  checkRtcpInt('rr.ssrc', rr.ssrc, 0, 0xffffffff);
  const body = new Uint8Array(4 + REPORT_BLOCK_BYTES * rr.reports.length + rr.profileExtension.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, rr.ssrc);
  rr.reports.forEach((r, i) => writeReportBlock(dv, 4 + REPORT_BLOCK_BYTES * i, r));
  body.set(rr.profileExtension, 4 + REPORT_BLOCK_BYTES * rr.reports.length);
  return rtcpPacket(rr.reports.length, RTCP_PT_RR, body);
}

function readReports(v: BodyView, start: number, count: number): { reports: RtcpReportBlock[]; ext: Uint8Array } {
  const need = start + REPORT_BLOCK_BYTES * count;
  if (need > v.bytes.length) {
    throw new RtcpParseError('length', v.base, `${count} report blocks need ${need} bytes, body has ${v.bytes.length}`);
  }
  const reports: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) reports.push(readReportBlock(v.dv, start + REPORT_BLOCK_BYTES * i));
  return { reports, ext: v.bytes.subarray(need) };
}

export function parseSenderReportBody(v: BodyView, count: number): RtcpSenderReport {
  if (v.bytes.length < 24) throw new RtcpParseError('length', v.base, `SR body of ${v.bytes.length} bytes, needs 24`);
  const { reports, ext } = readReports(v, 24, count);
  return {
    type: 'sr',
    ssrc: v.dv.getUint32(0),
    ntpSeconds: v.dv.getUint32(4),
    ntpFraction: v.dv.getUint32(8),
    rtpTimestamp: v.dv.getUint32(12),
    packetCount: v.dv.getUint32(16),
    octetCount: v.dv.getUint32(20),
    reports,
    profileExtension: ext,
  };
}

export function parseReceiverReportBody(v: BodyView, count: number): RtcpReceiverReport {
  if (v.bytes.length < 4) throw new RtcpParseError('length', v.base, `RR body of ${v.bytes.length} bytes, needs 4`);
  const { reports, ext } = readReports(v, 4, count);
  return { type: 'rr', ssrc: v.dv.getUint32(0), reports, profileExtension: ext };
}
