/**
 * Transport-wide congestion control feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01
 * section 3.1: RTPFB (PT 205), FMT 15.
 *
 *   sender SSRC | media SSRC | base seq (16) | status count (16) |
 *   reference time (24, ×64 ms) | fb pkt count (8) | packet chunks (16 each) | recv deltas |
 *   zero padding to 32 bits
 *
 * Status symbols: 0 not received, 1 received with a 1-byte delta (0..255 × 250 µs),
 * 2 received with a 2-byte signed delta, 3 reserved (rejected).
 * Chunks: run length (T=0 | symbol (2) | run (13)) or status vector (T=1 | S | 14×1-bit or
 * 7×2-bit symbols). Deltas are relative to the previous received packet; the first to the
 * reference time.
 */
import { checkRtcpInt, RtcpFieldError, RtcpParseError } from './errors.ts';
import { rtcpPacket, RTCP_PT_RTPFB, RTPFB_FMT_TWCC, type BodyView } from './rtcp-header.ts';

/** One delta unit in ms (250 µs). */
export const TWCC_DELTA_UNIT_MS = 0.25;
/** Reference time unit in ms. */
export const TWCC_REFERENCE_UNIT_MS = 64;

export type TwccPacketStatus =
  | { status: 'not-received' }
  /** delta in 250 µs units: small 0..255, large −32768..32767. */
  | { status: 'small-delta' | 'large-delta'; delta: number };

export interface RtcpTwccFeedback {
  type: 'twcc';
  senderSsrc: number;
  mediaSsrc: number;
  /** Transport-wide sequence number of `packets[0]`. */
  baseSeq: number;
  /**
   * 24-bit reference time in 64 ms units. The draft calls it signed; it is handled here as an
   * unsigned counter that wraps at 2^24 (as libwebrtc does), which compares the same way.
   */
  referenceTime: number;
  fbPktCount: number;
  /** One entry per reported sequence number baseSeq, baseSeq+1, ... (the status count). */
  packets: TwccPacketStatus[];
}

function symbolOf(p: TwccPacketStatus): number {
  return p.status === 'not-received' ? 0 : p.status === 'small-delta' ? 1 : 2;
}

/** Greedy chunking: long runs as run-length chunks, otherwise the densest vector that fits. */
function encodeChunks(symbols: readonly number[]): number[] {
  const chunks: number[] = [];
  let i = 0;
  while (i < symbols.length) {
    let run = 1;
    while (i + run < symbols.length && symbols[i + run] === symbols[i] && run < 0x1fff) run++;
    const window14 = symbols.slice(i, i + 14);
    if (run >= 14) {
      chunks.push((symbols[i] << 13) | run);
      i += run;
    } else if (!window14.includes(2)) {
      let c = 0x8000;
      window14.forEach((s, j) => (c |= s << (13 - j)));
      chunks.push(c);
      i += 14;
    } else if (run >= 7) {
      chunks.push((symbols[i] << 13) | run);
      i += run;
    } else {
      let c = 0xc000;
      symbols.slice(i, i + 7).forEach((s, j) => (c |= s << (12 - 2 * j)));
      chunks.push(c);
      i += 7;
    }
  }
  return chunks;
}

export function serializeTwccFeedback(fb: RtcpTwccFeedback): Uint8Array {
  checkRtcpInt('twcc.senderSsrc', fb.senderSsrc, 0, 0xffffffff);
  checkRtcpInt('twcc.mediaSsrc', fb.mediaSsrc, 0, 0xffffffff);
  checkRtcpInt('twcc.baseSeq', fb.baseSeq, 0, 0xffff);
  checkRtcpInt('twcc.statusCount', fb.packets.length, 0, 0xffff);
  checkRtcpInt('twcc.referenceTime', fb.referenceTime, 0, 0xffffff);
  checkRtcpInt('twcc.fbPktCount', fb.fbPktCount, 0, 255);
  const symbols: number[] = [];
  let deltaBytes = 0;
  for (const p of fb.packets) {
    const s = symbolOf(p);
    symbols.push(s);
    if (p.status === 'small-delta') {
      checkRtcpInt('twcc.smallDelta', p.delta, 0, 255);
      deltaBytes += 1;
    } else if (p.status === 'large-delta') {
      checkRtcpInt('twcc.largeDelta', p.delta, -0x8000, 0x7fff);
      deltaBytes += 2;
    }
  }
  const chunks = encodeChunks(symbols);
  const unpadded = 16 + 2 * chunks.length + deltaBytes;
  const body = new Uint8Array(Math.ceil(unpadded / 4) * 4);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, fb.senderSsrc);
  dv.setUint32(4, fb.mediaSsrc);
  dv.setUint16(8, fb.baseSeq);
  dv.setUint16(10, fb.packets.length);
  dv.setUint32(12, ((fb.referenceTime << 8) | fb.fbPktCount) >>> 0);
  let o = 16;
  for (const c of chunks) {
    dv.setUint16(o, c);
    o += 2;
  }
  for (const p of fb.packets) {
    if (p.status === 'small-delta') {
      body[o++] = p.delta;
    } else if (p.status === 'large-delta') {
      dv.setInt16(o, p.delta);
      o += 2;
    }
  }
  return rtcpPacket(RTPFB_FMT_TWCC, RTCP_PT_RTPFB, body);
}

export function parseTwccFeedbackBody(v: BodyView): RtcpTwccFeedback {
  const { bytes, dv, base } = v;
  if (bytes.length < 16) throw new RtcpParseError('length', base, `TWCC body of ${bytes.length} bytes, needs 16`);
  const count = dv.getUint16(10);
  const symbols: number[] = [];
  let o = 16;
  while (symbols.length < count) {
    if (o + 2 > bytes.length) throw new RtcpParseError('length', base + o, `packet chunks end before ${count} statuses`);
    const c = dv.getUint16(o);
    const before = symbols.length;
    if ((c & 0x8000) === 0) {
      const sym = (c >> 13) & 3;
      const run = c & 0x1fff;
      for (let j = 0; j < run && symbols.length < count; j++) symbols.push(sym);
    } else if ((c & 0x4000) === 0) {
      for (let j = 0; j < 14 && symbols.length < count; j++) symbols.push((c >> (13 - j)) & 1);
    } else {
      for (let j = 0; j < 7 && symbols.length < count; j++) symbols.push((c >> (12 - 2 * j)) & 3);
    }
    for (let j = before; j < symbols.length; j++) {
      if (symbols[j] === 3) throw new RtcpParseError('field', base + o, 'reserved status symbol 3');
    }
    o += 2;
  }
  const packets: TwccPacketStatus[] = [];
  for (const s of symbols) {
    if (s === 0) {
      packets.push({ status: 'not-received' });
    } else if (s === 1) {
      if (o + 1 > bytes.length) throw new RtcpParseError('length', base + o, 'receive deltas run past the end');
      packets.push({ status: 'small-delta', delta: bytes[o] });
      o += 1;
    } else {
      if (o + 2 > bytes.length) throw new RtcpParseError('length', base + o, 'receive deltas run past the end');
      packets.push({ status: 'large-delta', delta: dv.getInt16(o) });
      o += 2;
    }
  }
  if (bytes.length - o > 3) {
    throw new RtcpParseError('length', base + o, `${bytes.length - o} bytes after the receive deltas (at most 3 of padding)`);
  }
  const w = dv.getUint32(12);
  return {
    type: 'twcc',
    senderSsrc: dv.getUint32(0),
    mediaSsrc: dv.getUint32(4),
    baseSeq: dv.getUint16(8),
    referenceTime: w >>> 8,
    fbPktCount: w & 0xff,
    packets,
  };
}

export interface TwccBuildInput {
  senderSsrc: number;
  mediaSsrc: number;
  baseSeq: number;
  fbPktCount: number;
  /** Arrival time (ms, ≥ 0, receiver clock) of seq baseSeq + i, or null if not received. */
  arrivalTimesMs: readonly (number | null)[];
}

/**
 * Builds feedback from arrival times: reference time = first arrival floored to 64 ms; each
 * arrival is rounded to 250 µs and coded as the difference from the previous one (small when
 * 0..255 units). Throws `RtcpFieldError` when a gap exceeds the 16-bit delta (the caller must
 * start a new feedback packet there).
 */
export function buildTwccFeedback(input: TwccBuildInput): RtcpTwccFeedback {
  const first = input.arrivalTimesMs.find((t) => t !== null);
  const ref = first === undefined || first === null ? 0 : Math.floor(first / TWCC_REFERENCE_UNIT_MS);
  let prev = ref * (TWCC_REFERENCE_UNIT_MS / TWCC_DELTA_UNIT_MS);
  const packets: TwccPacketStatus[] = input.arrivalTimesMs.map((t, i) => {
    if (t === null) return { status: 'not-received' };
    if (!(t >= 0) || !Number.isFinite(t)) throw new RtcpFieldError(`arrivalTimesMs[${i}]`, t, 'must be finite and ≥ 0');
    const units = Math.round(t / TWCC_DELTA_UNIT_MS);
    const delta = units - prev;
    prev = units;
    if (delta >= 0 && delta <= 255) return { status: 'small-delta', delta };
    if (delta < -0x8000 || delta > 0x7fff) {
      throw new RtcpFieldError(`arrivalTimesMs[${i}]`, t, 'delta from the previous arrival exceeds ±8191.75 ms');
    }
    return { status: 'large-delta', delta };
  });
  return {
    type: 'twcc',
    senderSsrc: input.senderSsrc,
    mediaSsrc: input.mediaSsrc,
    baseSeq: input.baseSeq,
    referenceTime: ref % 0x1000000,
    fbPktCount: input.fbPktCount,
    packets,
  };
}

/**
 * Arrival times (ms, in the feedback's reference time base, i.e. modulo 2^24 × 64 ms) of each
 * reported packet, null where not received.
 */
export function twccArrivalTimesMs(fb: RtcpTwccFeedback): (number | null)[] {
  let units = fb.referenceTime * (TWCC_REFERENCE_UNIT_MS / TWCC_DELTA_UNIT_MS);
  return fb.packets.map((p) => {
    if (p.status === 'not-received') return null;
    units += p.delta;
    return units * TWCC_DELTA_UNIT_MS;
  });
}
