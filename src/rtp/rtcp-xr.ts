/**
 * RFC 3611 extended reports (PT 207) with the VoIP Metrics block (BT 7, section 4.7).
 * Other block types are kept as opaque bodies so a compound packet round-trips.
 *
 * XR header: |V=2|P|reserved|PT=207|length| then SSRC of the sender, then blocks:
 *   |BT (8)|type-specific (8)|block length (16): 32-bit words − 1, header included| body
 */
import { checkRtcpInt, RtcpFieldError, RtcpParseError } from './errors.ts';
import { rtcpPacket, RTCP_PT_XR, type BodyView } from './rtcp-header.ts';

export const XR_BT_VOIP_METRICS = 7;
const VOIP_METRICS_BODY_BYTES = 32;

/** RX config byte (RFC 3611 4.7.6): PLC (2 bits) | JBA (2 bits) | JB rate (4 bits). */
export interface XrRxConfig {
  /** 3 standard, 2 enhanced, 1 disabled, 0 unspecified. */
  plc: number;
  /** 3 adaptive, 2 non-adaptive, 1 reserved, 0 unknown. */
  jba: number;
  /** Jitter buffer adjustment rate 0..15. */
  jbRate: number;
}

export interface XrVoipMetricsBlock {
  kind: 'voip-metrics';
  ssrc: number;
  /** Fractions ×256 (0..255). */
  lossRate: number;
  discardRate: number;
  burstDensity: number;
  gapDensity: number;
  /** Mean burst/gap durations in ms. */
  burstDuration: number;
  gapDuration: number;
  /** ms. */
  roundTripDelay: number;
  endSystemDelay: number;
  /** dBm0, signed 8 bit; 127 = unavailable. */
  signalLevel: number;
  noiseLevel: number;
  /** Residual echo return loss, dB; 127 = unavailable. */
  rerl: number;
  /** Gap threshold (RFC 3611 default 16). */
  gmin: number;
  /** 0..100; 127 = unavailable. */
  rFactor: number;
  extRFactor: number;
  /** MOS ×10 (10..50); 127 = unavailable. */
  mosLq: number;
  mosCq: number;
  rxConfig: XrRxConfig;
  /** Jitter buffer delays in ms. */
  jbNominal: number;
  jbMaximum: number;
  jbAbsMax: number;
}

export interface XrUnknownBlock {
  kind: 'unknown';
  blockType: number;
  typeSpecific: number;
  /** Block body after the 4-byte block header (multiple of 4 bytes). */
  body: Uint8Array;
}

export type XrBlock = XrVoipMetricsBlock | XrUnknownBlock;

export interface RtcpExtendedReport {
  type: 'xr';
  ssrc: number;
  blocks: XrBlock[];
}

function voipMetricsBody(b: XrVoipMetricsBlock): Uint8Array {
  const u8 = (name: string, v: number): number => {
    checkRtcpInt(`xr.${name}`, v, 0, 255);
    return v;
  };
  const s8 = (name: string, v: number): number => {
    checkRtcpInt(`xr.${name}`, v, -128, 127);
    return v & 0xff;
  };
  const u16 = (name: string, v: number): number => {
    checkRtcpInt(`xr.${name}`, v, 0, 0xffff);
    return v;
  };
  checkRtcpInt('xr.ssrc', b.ssrc, 0, 0xffffffff);
  checkRtcpInt('xr.rxConfig.plc', b.rxConfig.plc, 0, 3);
  checkRtcpInt('xr.rxConfig.jba', b.rxConfig.jba, 0, 3);
  checkRtcpInt('xr.rxConfig.jbRate', b.rxConfig.jbRate, 0, 15);
  const out = new Uint8Array(VOIP_METRICS_BODY_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, b.ssrc);
  out[4] = u8('lossRate', b.lossRate);
  out[5] = u8('discardRate', b.discardRate);
  out[6] = u8('burstDensity', b.burstDensity);
  out[7] = u8('gapDensity', b.gapDensity);
  dv.setUint16(8, u16('burstDuration', b.burstDuration));
  dv.setUint16(10, u16('gapDuration', b.gapDuration));
  dv.setUint16(12, u16('roundTripDelay', b.roundTripDelay));
  dv.setUint16(14, u16('endSystemDelay', b.endSystemDelay));
  out[16] = s8('signalLevel', b.signalLevel);
  out[17] = s8('noiseLevel', b.noiseLevel);
  out[18] = u8('rerl', b.rerl);
  out[19] = u8('gmin', b.gmin);
  out[20] = u8('rFactor', b.rFactor);
  out[21] = u8('extRFactor', b.extRFactor);
  out[22] = u8('mosLq', b.mosLq);
  out[23] = u8('mosCq', b.mosCq);
  out[24] = (b.rxConfig.plc << 6) | (b.rxConfig.jba << 4) | b.rxConfig.jbRate;
  out[25] = 0; // reserved
  dv.setUint16(26, u16('jbNominal', b.jbNominal));
  dv.setUint16(28, u16('jbMaximum', b.jbMaximum));
  dv.setUint16(30, u16('jbAbsMax', b.jbAbsMax));
  return out;
}

function parseVoipMetrics(body: Uint8Array): XrVoipMetricsBlock {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const s8 = (x: number): number => (x >= 128 ? x - 256 : x);
  return {
    kind: 'voip-metrics',
    ssrc: dv.getUint32(0),
    lossRate: body[4],
    discardRate: body[5],
    burstDensity: body[6],
    gapDensity: body[7],
    burstDuration: dv.getUint16(8),
    gapDuration: dv.getUint16(10),
    roundTripDelay: dv.getUint16(12),
    endSystemDelay: dv.getUint16(14),
    signalLevel: s8(body[16]),
    noiseLevel: s8(body[17]),
    rerl: body[18],
    gmin: body[19],
    rFactor: body[20],
    extRFactor: body[21],
    mosLq: body[22],
    mosCq: body[23],
    rxConfig: { plc: body[24] >> 6, jba: (body[24] >> 4) & 3, jbRate: body[24] & 15 },
    jbNominal: dv.getUint16(26),
    jbMaximum: dv.getUint16(28),
    jbAbsMax: dv.getUint16(30),
  };
}

export function serializeExtendedReport(xr: RtcpExtendedReport): Uint8Array {
  checkRtcpInt('xr.ssrc', xr.ssrc, 0, 0xffffffff);
  const parts: Uint8Array[] = [];
  for (const b of xr.blocks) {
    let bt: number;
    let ts: number;
    let body: Uint8Array;
    if (b.kind === 'voip-metrics') {
      bt = XR_BT_VOIP_METRICS;
      ts = 0;
      body = voipMetricsBody(b);
    } else {
      checkRtcpInt('xr.blockType', b.blockType, 0, 255);
      if (b.blockType === XR_BT_VOIP_METRICS) {
        throw new RtcpFieldError('xr.blockType', 7, "use kind 'voip-metrics' for block type 7");
      }
      checkRtcpInt('xr.typeSpecific', b.typeSpecific, 0, 255);
      if (b.body.length % 4 !== 0) throw new RtcpFieldError('xr.body', b.body.length, 'must be a multiple of 4 bytes');
      bt = b.blockType;
      ts = b.typeSpecific;
      body = b.body;
    }
    checkRtcpInt('xr.blockLength', body.length / 4, 0, 0xffff);
    const block = new Uint8Array(4 + body.length);
    block[0] = bt;
    block[1] = ts;
    block[2] = (body.length / 4) >>> 8;
    block[3] = (body.length / 4) & 0xff;
    block.set(body, 4);
    parts.push(block);
  }
  const total = 4 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, xr.ssrc);
  let o = 4;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return rtcpPacket(0, RTCP_PT_XR, out);
}

export function parseExtendedReportBody(v: BodyView): RtcpExtendedReport {
  if (v.bytes.length < 4) throw new RtcpParseError('length', v.base, 'XR body needs the 4-byte SSRC');
  const blocks: XrBlock[] = [];
  let o = 4;
  while (o < v.bytes.length) {
    if (o + 4 > v.bytes.length) throw new RtcpParseError('length', v.base + o, 'truncated XR block header');
    const bt = v.bytes[o];
    const words = v.dv.getUint16(o + 2);
    const end = o + 4 + 4 * words;
    if (end > v.bytes.length) {
      throw new RtcpParseError('length', v.base + o + 2, `XR block of ${words} words runs past the packet`);
    }
    const body = v.bytes.subarray(o + 4, end);
    if (bt === XR_BT_VOIP_METRICS) {
      if (body.length !== VOIP_METRICS_BODY_BYTES) {
        throw new RtcpParseError('field', v.base + o + 2, `VoIP Metrics block length ${words}, must be 8`);
      }
      blocks.push(parseVoipMetrics(body));
    } else {
      blocks.push({ kind: 'unknown', blockType: bt, typeSpecific: v.bytes[o + 1], body });
    }
    o = end;
  }
  return { type: 'xr', ssrc: v.dv.getUint32(0), blocks };
}
