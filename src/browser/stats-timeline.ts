/**
 * A browser receiver's getStats() samples (cumulative W3C RTCInboundRtpStreamStats counters,
 * https://w3c.github.io/webrtc-stats/#inboundrtpstats-dict*) turned into the shapes our own
 * receivers produce:
 * - a timeline per sampling interval: target delay = Δ jitterBufferTargetDelay / Δ
 *   jitterBufferEmittedCount (the spec's own per-interval reading), buffer level = Δ
 *   jitterBufferDelay / Δ jitterBufferEmittedCount (the browser does not expose its instantaneous
 *   level; the mean wait of the samples it emitted in the interval is what W3C gives), and the
 *   interval's operation from which counters moved;
 * - frame slots of the browser's output: slot k holds output samples [kF, (k+1)F) counted by
 *   totalSamplesReceived (which starts at the first playout), and is concealed when more than
 *   half of its samples were concealed. concealedSamples is read off between samples by linear
 *   interpolation over totalSamplesReceived, so the resolution is the sampling interval.
 */
import type { TimedStatSample } from './browser-call.ts';

export interface BrowserTimeline {
  tMs: Float64Array;
  targetDelayMs: Float64Array;
  levelMs: Float64Array;
  minimumDelayMs: Float64Array;
  /** Index into TICK_OPS of sim/playout-record.ts. */
  op: Uint8Array;
  /** Samples emitted in each interval (the weight of its delays). */
  emitted: Float64Array;
}

/** Ops of an interval, as named in TICK_OPS: which of the counters moved. */
export const OP = { idle: 0, normal: 1, expand: 3, accelerate: 4, preemptiveExpand: 5 } as const;

const c = (s: TimedStatSample, k: string): number => (typeof s[k] === 'number' ? s[k] : 0);

/** The sample where the call ended: the last one whose jitterBufferEmittedCount moved (later ones only conceal after the stream). */
export function endOfCallIndex(samples: readonly TimedStatSample[]): number {
  let end = -1;
  for (let i = 0; i < samples.length; i++) {
    if (i === 0 ? c(samples[0], 'jitterBufferEmittedCount') > 0 : c(samples[i], 'jitterBufferEmittedCount') > c(samples[i - 1], 'jitterBufferEmittedCount')) end = i;
  }
  return end;
}

export function browserTimeline(samples: readonly TimedStatSample[], end = samples.length - 1): BrowserTimeline {
  const n = Math.max(0, end);
  const out: BrowserTimeline = {
    tMs: new Float64Array(n),
    targetDelayMs: new Float64Array(n),
    levelMs: new Float64Array(n),
    minimumDelayMs: new Float64Array(n),
    op: new Uint8Array(n),
    emitted: new Float64Array(n),
  };
  let lastTarget = 0;
  let lastLevel = 0;
  let lastMin = 0;
  for (let i = 1; i <= end; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    const de = c(b, 'jitterBufferEmittedCount') - c(a, 'jitterBufferEmittedCount');
    if (de > 0) {
      lastTarget = ((c(b, 'jitterBufferTargetDelay') - c(a, 'jitterBufferTargetDelay')) / de) * 1000;
      lastLevel = ((c(b, 'jitterBufferDelay') - c(a, 'jitterBufferDelay')) / de) * 1000;
      lastMin = ((c(b, 'jitterBufferMinimumDelay') - c(a, 'jitterBufferMinimumDelay')) / de) * 1000;
    }
    const k = i - 1;
    out.tMs[k] = b.tMs;
    out.targetDelayMs[k] = lastTarget;
    out.levelMs[k] = lastLevel;
    out.minimumDelayMs[k] = lastMin;
    out.emitted[k] = Math.max(0, de);
    out.op[k] = intervalOp(a, b);
  }
  return out;
}

function intervalOp(a: TimedStatSample, b: TimedStatSample): number {
  const d = (k: string) => c(b, k) - c(a, k);
  if (d('totalSamplesReceived') <= 0) return OP.idle;
  if (d('concealedSamples') > 0) return OP.expand;
  if (d('removedSamplesForAcceleration') > 0) return OP.accelerate;
  if (d('insertedSamplesForDeceleration') > 0) return OP.preemptiveExpand;
  return OP.normal;
}

export interface OutputSlots {
  /** Per slot: concealed. */
  concealed: Uint8Array;
  /** Call time (ms) at which each slot's first sample was played (interpolated). */
  playoutMs: Float64Array;
}

/**
 * Frame slots of the output up to sample `end`, `slotSamples` samples each (at most `maxSlots`).
 * Within one stats interval the counters give how many samples were concealed and how many
 * concealment events began, not where: each event becomes one burst of slots (their number is
 * the interval's concealed samples in whole slots, split evenly over its events), spread evenly
 * over the interval's slots; concealment without a new event continues the previous burst, at the
 * interval's start. Burst counts and lengths are then the browser's, positions are known to
 * within one interval.
 */
export function outputSlots(samples: readonly TimedStatSample[], slotSamples: number, maxSlots: number, end = samples.length - 1): OutputSlots {
  const last = end >= 0 ? samples[end] : undefined;
  const n = Math.min(maxSlots, last ? Math.floor(c(last, 'totalSamplesReceived') / slotSamples) : 0);
  const concealed = new Uint8Array(n);
  const playoutMs = new Float64Array(n).fill(Number.NaN);
  let prev: TimedStatSample | null = null;
  for (let i = 0; i <= end; i++) {
    const b = samples[i];
    const a = prev;
    prev = b;
    const x0 = a ? c(a, 'totalSamplesReceived') : 0;
    const x1 = c(b, 'totalSamplesReceived');
    if (x1 <= x0) continue;
    const first = Math.ceil(x0 / slotSamples);
    const stop = Math.min(n, Math.ceil(x1 / slotSamples));
    const t0 = a ? a.tMs : b.tMs - 20;
    for (let k = first; k < stop; k++) playoutMs[k] = t0 + ((k * slotSamples - x0) / (x1 - x0)) * (b.tMs - t0);
    const width = stop - first;
    const dc = c(b, 'concealedSamples') - (a ? c(a, 'concealedSamples') : 0);
    const de = c(b, 'concealmentEvents') - (a ? c(a, 'concealmentEvents') : 0);
    const q = Math.min(width, Math.round(dc / slotSamples));
    if (q <= 0 || width <= 0) continue;
    if (de <= 0) {
      for (let k = 0; k < q; k++) concealed[first + k] = 1;
      continue;
    }
    const bursts = Math.min(de, q);
    for (let e = 0; e < bursts; e++) {
      const len = Math.floor(q / bursts) + (e < q % bursts ? 1 : 0);
      const start = first + Math.floor((e * width) / bursts);
      for (let k = 0; k < len && start + k < stop; k++) concealed[start + k] = 1;
    }
  }
  return { concealed, playoutMs };
}

/** getStats() answers from a cache younger than 50 ms (Chromium's RTCStatsCollector): drop repeated samples. */
export function distinctSamples(samples: readonly TimedStatSample[]): TimedStatSample[] {
  const out: TimedStatSample[] = [];
  for (const s of samples) {
    if (out.length && out[out.length - 1].timestamp === s.timestamp) out[out.length - 1] = s;
    else out.push(s);
  }
  return out;
}

/** NetEq decodes Opus at 48 kHz (RFC 7587's clock), so the browser's sample counters are at 48 kHz. */
export const BROWSER_OUTPUT_RATE = 48000;

export interface PlayoutClock {
  /** Jumps of more than `thresholdMs` in how far the browser's output lags wall time. */
  stalls: number;
  maxStallMs: number;
  totalStallMs: number;
  thresholdMs: number;
}

/**
 * The browser's audio output should advance 48 000 samples per second of wall time. When its
 * audio thread is held up (a loaded host), output falls behind and does not catch up, and NetEq,
 * which times arrivals by its output ticks, sees the stall as a network delay spike and raises its
 * target. Such jumps of the output's lag behind wall time, between consecutive samples, are
 * counted here; they make a run untrusted as late releases do. getStats() counters move in 10 ms
 * output blocks, so jumps below two blocks are not counted.
 */
export function playoutClock(samples: readonly TimedStatSample[], thresholdMs = 20, end = samples.length - 1): PlayoutClock {
  let first: TimedStatSample | null = null;
  let prevLag = 0;
  const out: PlayoutClock = { stalls: 0, maxStallMs: 0, totalStallMs: 0, thresholdMs };
  for (let i = 0; i <= end; i++) {
    const s = samples[i];
    const n = c(s, 'totalSamplesReceived');
    if (n <= 0) continue;
    if (!first) {
      first = s;
      continue;
    }
    const lag = s.tMs - first.tMs - ((n - c(first, 'totalSamplesReceived')) / BROWSER_OUTPUT_RATE) * 1000;
    const jump = lag - prevLag;
    if (jump > thresholdMs) {
      out.stalls++;
      out.totalStallMs += jump;
      out.maxStallMs = Math.max(out.maxStallMs, jump);
    }
    prevLag = lag;
  }
  out.maxStallMs = Math.round(out.maxStallMs * 10) / 10;
  out.totalStallMs = Math.round(out.totalStallMs * 10) / 10;
  return out;
}
