/**
 * Replay source (a): one RTP stream of a pcap/pcapng capture (Ethernet, raw IP, Linux cooked;
 * src/pcap), selected by SSRC and/or UDP port. Sequence numbers and timestamps are unwrapped in
 * capture order (RFC 3550 A.1); a missing sequence number is a loss.
 *
 * A capture taken at the receiver has arrival times but no send times, so the delay is relative
 * (channel-models.md section 5: absolute delay needs two synchronised captures). With the RTP
 * timestamp as the sender's clock, the transit of packet i is
 *   r_i = a_i - (ts_i - ts_0) / clock      (a_i = capture time, ms)
 * as in RFC 3550 section 6.4.1, and its replayed delay is
 *   d_i = r_i - min_j r_j + baseMs,
 * i.e. the fastest packet of the capture takes exactly `baseMs` (the scenario's
 * channel.delay.baseMs: the propagation delay the capture cannot see) and every other packet its
 * extra queueing/jitter on top. The RTP clock is the RFC 3551 rate of a static payload type, or
 * for a dynamic one the standard rate that keeps the transit times in the narrowest band.
 */
import { JitterlabError } from '../core/errors.ts';
import { readCaptureFile } from '../pcap/read-capture.ts';
import { extractRtpStream, type RtpSelection, type RtpStream } from '../pcap/rtp-stream.ts';
import { SeqUnwrapper, TimestampUnwrapper } from '../rtp/wrap.ts';
import { MAX_TRACE_PACKETS } from './csv-source.ts';
import { fatesFromObservations, seqSpan, type ReplayTrace } from './replay-trace.ts';

/** RFC 3551 section 6 clock rates of static payload types. */
const STATIC_CLOCK: Record<number, number> = {
  0: 8000, 3: 8000, 4: 8000, 5: 8000, 6: 16000, 7: 8000, 8: 8000, 9: 8000, 10: 44100, 11: 44100,
  12: 8000, 13: 8000, 14: 90000, 15: 8000, 16: 11025, 17: 22050, 18: 8000, 25: 90000, 26: 90000,
  28: 90000, 31: 90000, 32: 90000, 33: 90000, 34: 90000,
};
const COMMON_CLOCKS = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 90000];

/** The RTP clock of the stream (Hz). */
export function rtpClockRate(stream: RtpStream): number {
  const pts = new Set(stream.packets.map((p) => p.payloadType));
  if (pts.size === 1) {
    const known = STATIC_CLOCK[[...pts][0]];
    if (known) return known;
  }
  const ps = stream.packets;
  if (ps.length < 2) return 48000;
  // The true clock leaves the transit times a_i - ts_i / clock bounded by the jitter; a wrong one
  // adds a drift that grows over the capture. Pick the standard clock with the narrowest spread.
  const tsu = new TimestampUnwrapper();
  const ts = ps.map((p) => tsu.unwrap(p.timestamp));
  const a0 = ps[0].arrivalMs;
  let best = 48000;
  let bestSpread = Infinity;
  for (const c of COMMON_CLOCKS) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < ps.length; i++) {
      const r = ps[i].arrivalMs - a0 - ((ts[i] - ts[0]) * 1000) / c;
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    if (hi - lo < bestSpread) {
      bestSpread = hi - lo;
      best = c;
    }
  }
  return best;
}

export function traceFromRtpStream(stream: RtpStream, o: { baseMs: number; source: string; clockRate?: number }): ReplayTrace {
  const ps = stream.packets;
  if (ps.length === 0) throw new JitterlabError('pcap', `${o.source}: the selected stream has no packets`);
  const clock = o.clockRate ?? rtpClockRate(stream);
  const su = new SeqUnwrapper();
  const tu = new TimestampUnwrapper();
  const a0 = ps[0].arrivalMs;
  const raw = ps.map((p) => {
    const seq = su.unwrap(p.seq);
    const ts = tu.unwrap(p.timestamp);
    return { seq, ts, transit: p.arrivalMs - a0 };
  });
  // RFC 3550 section 6.4.1 transit, relative to the first packet (small numbers, no precision loss).
  const ts0 = raw[0].ts;
  for (const r of raw) r.transit -= ((r.ts - ts0) * 1000) / clock;
  let t0 = Infinity;
  for (const r of raw) t0 = Math.min(t0, r.transit);
  const span = seqSpan(raw);
  if (span > MAX_TRACE_PACKETS) throw new JitterlabError('pcap', `${o.source}: sequence numbers span ${span} packets (limit ${MAX_TRACE_PACKETS})`);
  const fates = fatesFromObservations(raw.map((r) => ({ seq: r.seq, delayMs: r.transit - t0 + o.baseMs })));
  return { source: o.source, fates, delayKind: 'relative' };
}

export function traceFromCaptureFile(file: string, selection: RtpSelection, baseMs: number): ReplayTrace {
  const stream = extractRtpStream(readCaptureFile(file), selection);
  const sel = `ssrc 0x${stream.ssrc.toString(16).padStart(8, '0')} ${stream.src}:${stream.srcPort} -> ${stream.dst}:${stream.dstPort}`;
  return traceFromRtpStream(stream, { baseMs, source: `${file} (${sel})` });
}
