/**
 * The receiver's RFC 3611 section 4.7 VoIP Metrics block: loss and discard rates since the start
 * of the stream (4.7.1), burst/gap metrics (4.7.2, appendix A.2 via src/metrics/rfc3611-burst-gap.ts),
 * delay (4.7.3), and R / MOS-LQ / MOS-CQ (4.7.5) from the G.107 E-model of src/scores, whose
 * `emodelForCall` already applies the 4.7.5 conventions (R on the 0..100 scale, MOS x 10).
 *
 * Burst/gap and the E-model are computed over the most recent `windowPackets` sequence numbers
 * rather than the whole call, so a report costs O(window) whatever the call length.
 */
import { opusLookaheadMs, type CodecConfig } from '../../codec/config.ts';
import { rfc3611BurstGap } from '../../metrics/rfc3611-burst-gap.ts';
import { burstRFromLossSequence, emodelForCall, opusImpairment, type Rfc3611QualityFields } from '../../scores/index.ts';
import type { XrVoipMetricsBlock } from '../../rtp/rtcp-xr.ts';

const NOT_RECEIVED = 0;
const RECEIVED = 1;
const DISCARDED = 2;
/** RFC 3611 4.7.2 recommended Gmin. */
export const XR_GMIN = 16;

export interface VoipMetricsContext {
  /** SSRC of the source reported on. */
  ssrc: number;
  codec: CodecConfig;
  /** Bitrate the receiver sees (payload bits / frame time), for the codec's Ie; null = codec.bitrateKbps. */
  observedBitrateKbps: number | null;
  /** One-way network delay estimate (ms), or null when unknown. */
  networkDelayMs: number | null;
  /** Round-trip time known to the receiver (ms), or null (field set to 0). */
  rttMs: number | null;
  jitterBufferMs: number;
  jitterBufferMaxMs: number;
  deviceBufferMs: number;
  /** RX config (4.7.6): PLC 3 standard / 2 enhanced / 1 disabled; JBA 3 adaptive / 2 fixed. */
  plc: number;
  adaptiveJitterBuffer: boolean;
}

const u8 = (x: number): number => Math.min(255, Math.max(0, Math.floor(x)));
const u16 = (x: number): number => Math.min(0xffff, Math.max(0, Math.round(x)));

export class VoipMetricsRecorder {
  private state = new Uint8Array(1024);
  private base: number | null = null;
  private highest = -1;
  private received = 0;
  private discarded = 0;

  constructor(
    readonly frameMs: number,
    readonly windowPackets = 1500,
  ) {}

  private slot(extSeq: number): number {
    if (this.base === null) this.base = extSeq;
    const i = extSeq - this.base;
    if (i < 0) return -1;
    while (i >= this.state.length) {
      const bigger = new Uint8Array(this.state.length * 2);
      bigger.set(this.state);
      this.state = bigger;
    }
    if (i > this.highest) this.highest = i;
    return i;
  }

  /** A media packet (extended seq) arrived. Duplicates are ignored. */
  onReceived(extSeq: number): void {
    const i = this.slot(extSeq);
    if (i < 0 || this.state[i] !== NOT_RECEIVED) return;
    this.state[i] = RECEIVED;
    this.received++;
  }

  /** A received media packet was discarded by the jitter buffer (late or overflow). */
  onDiscarded(extSeq: number): void {
    const i = this.slot(extSeq);
    if (i < 0 || this.state[i] !== RECEIVED) return;
    this.state[i] = DISCARDED;
    this.discarded++;
  }

  get expected(): number {
    return this.highest + 1;
  }

  /** Lost-or-discarded flags of the last `windowPackets` sequence numbers. */
  recentLossSequence(): boolean[] {
    const end = this.highest + 1;
    const start = Math.max(0, end - this.windowPackets);
    const out: boolean[] = new Array(end - start);
    for (let i = start; i < end; i++) out[i - start] = this.state[i] !== RECEIVED;
    return out;
  }

  block(ctx: VoipMetricsContext): XrVoipMetricsBlock {
    const expected = this.expected;
    const lost = Math.max(0, expected - this.received);
    const seq = this.recentLossSequence();
    const bg = rfc3611BurstGap(seq, this.frameMs, XR_GMIN);
    const endSystemDelay = ctx.codec.frameMs + ctx.jitterBufferMs + ctx.deviceBufferMs;
    const q = seq.length > 0 && ctx.networkDelayMs !== null ? quality(seq, ctx, ctx.networkDelayMs) : null;
    return {
      kind: 'voip-metrics',
      ssrc: ctx.ssrc,
      lossRate: expected === 0 ? 0 : u8((256 * lost) / expected),
      discardRate: expected === 0 ? 0 : u8((256 * this.discarded) / expected),
      burstDensity: bg.burstDensity256,
      gapDensity: bg.gapDensity256,
      burstDuration: u16(bg.burstDurationMs),
      gapDuration: u16(bg.gapDurationMs),
      roundTripDelay: ctx.rttMs === null ? 0 : u16(ctx.rttMs),
      endSystemDelay: u16(endSystemDelay),
      signalLevel: 127,
      noiseLevel: 127,
      rerl: 127,
      gmin: XR_GMIN,
      rFactor: q?.rFactor ?? 127,
      extRFactor: 127,
      mosLq: q?.mosLq ?? 127,
      mosCq: q?.mosCq ?? 127,
      rxConfig: { plc: ctx.plc, jba: ctx.adaptiveJitterBuffer ? 3 : 2, jbRate: 0 },
      jbNominal: u16(ctx.jitterBufferMs),
      jbMaximum: u16(ctx.jitterBufferMaxMs),
      jbAbsMax: u16(ctx.jitterBufferMaxMs),
    };
  }
}

/**
 * R and MOS of the recent window: Ppl = lost-or-discarded share, BurstR from that sequence,
 * Ta = packetization + lookahead + network + jitter buffer + device (speech-quality.md 7A).
 * Scale and Opus entry are the report's (scores/codec-impairments.ts opusImpairment).
 */
function quality(lost: readonly boolean[], ctx: VoipMetricsContext, networkDelayMs: number): Rfc3611QualityFields | null {
  const kbps = Math.max(6, ctx.observedBitrateKbps ?? ctx.codec.bitrateKbps);
  const entry = opusImpairment(ctx.codec.sampleRate, kbps);
  if (!entry) return null;
  let n = 0;
  for (const l of lost) if (l) n++;
  const burstR = burstRFromLossSequence(lost);
  const mouthToEarMs = Math.max(0, ctx.codec.frameMs + opusLookaheadMs(ctx.codec) + networkDelayMs + ctx.jitterBufferMs + ctx.deviceBufferMs);
  const r = emodelForCall({ codecEntry: entry, mouthToEarMs, pplPercent: (100 * n) / lost.length, burstR: Number.isFinite(burstR) && burstR > 0 ? burstR : 1 });
  return r.rfc3611;
}
