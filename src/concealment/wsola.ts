/**
 * Time-stretching of decoded speech without changing its pitch.
 *
 * `accelerate` / `preemptiveExpand` are the pitch-synchronous operations of WebRTC NetEq
 * (time_stretch.cc, accelerate.cc, preemptive_expand.cc), written from their description: find
 * the pitch period T in 2.5..15 ms by normalised autocorrelation on the signal decimated to about
 * 4 kHz, refine at full rate, then remove (or insert) one period by cross-fading two consecutive
 * periods over T samples. This is done only when the two periods correlate above 0.9 (0.5 in fast
 * mode), or when the input is not speech (a simple energy VAD); otherwise the input is returned
 * unchanged, since cutting or repeating a non-periodic segment is audible.
 *
 * `stretchTo` is WSOLA (Verhelst & Roelands, ICASSP 1993, "An overlap-add technique based on
 * waveform similarity (WSOLA) for high quality time-scale modification of speech"), as used by
 * Liang, Färber & Girod (2001/2003) to scale single packets for adaptive playout: each output
 * segment is the input segment, within a tolerance of its nominal position, that best matches the
 * natural continuation of the previous segment; consecutive segments are cross-faded (triangular
 * windows, 50 % overlap). Output length is exactly the target.
 *
 * Splice placement: every operation keeps the first input sample first and (up to the cross-fade
 * rounding) the last input sample last, so consecutive frames processed independently still join
 * without a discontinuity.
 */
import { JitterlabError } from '../core/errors.ts';
import { MatchSearch, correlationCoefficient } from './match-search.ts';
import { assertSampleRate, coarseDecimation, msToSamples } from './sample-rate.ts';
import { levelDbfs, toInt16 } from './pcm.ts';

export interface PitchStretchOptions {
  /** Shortest pitch period searched (ms). Default 2.5 (NetEq: lag 10 at 4 kHz). */
  minLagMs?: number;
  /** Longest pitch period searched (ms). Default 15 (NetEq: lag 60 at 4 kHz). Limited to half the input. */
  maxLagMs?: number;
  /** Correlation of the two periods required to stretch active speech. Default 0.9 (0.5 with `fast`). */
  minCorrelation?: number;
  /** Inputs quieter than this mean power (dBFS) are treated as non-speech and stretched regardless. Default -45. */
  vadThresholdDbfs?: number;
}

export interface AccelerateOptions extends PitchStretchOptions {
  /** NetEq FastAccelerate: remove as many whole periods as fit (k periods, 2kT <= input) with a 0.5 threshold. */
  fast?: boolean;
}

export interface AccelerateResult {
  /** The shortened signal; `input` itself (not a copy) when nothing was removed. */
  output: Int16Array;
  removedSamples: number;
  /** Correlation coefficient of the two cross-faded segments (0 if the input was too short to search). */
  correlation: number;
}

export interface PreemptiveExpandResult {
  /** The lengthened signal; `input` itself (not a copy) when nothing was inserted. */
  output: Int16Array;
  insertedSamples: number;
  correlation: number;
}

export interface StretchOptions {
  /** Synthesis hop = cross-fade length (ms); windows are twice as long. Default 10. */
  segmentMs?: number;
  /** Search tolerance around the nominal analysis position (ms), half the longest pitch period. Default 7.5. */
  toleranceMs?: number;
}

/** Stretch ratios `targetLength / input.length` accepted by `stretchTo`. */
export const MIN_STRETCH_RATIO = 0.5;
export const MAX_STRETCH_RATIO = 2;

const CORRELATION_WINDOW_MS = 20;
const SUBHARMONIC_RATIO = 0.9;
/** WSOLA: near-ties between candidates one period apart go to the one nearest the nominal position. */
const WSOLA_TIE_RATIO = 0.95;
/** Below this many samples WSOLA has no room for a single period; plain interpolation is used. */
const MIN_WSOLA_SAMPLES = 40;

// Module-level scratch: JavaScript runs these synchronously, so one search object is never shared
// by two calls at once.
const search = new MatchSearch();

interface PeriodChoice {
  lag: number;
  periods: number;
  correlation: number;
  stretch: boolean;
}

function fail(message: string): never {
  throw new JitterlabError('internal', `time-stretch: ${message}`);
}

function resolveLags(opts: PitchStretchOptions, sampleRate: number): { minLag: number; maxLag: number } {
  const minLagMs = opts.minLagMs ?? 2.5;
  const maxLagMs = opts.maxLagMs ?? 15;
  if (!(minLagMs > 0) || !(maxLagMs >= minLagMs)) fail(`need 0 < minLagMs <= maxLagMs, got ${minLagMs}, ${maxLagMs}`);
  return { minLag: Math.max(1, msToSamples(minLagMs, sampleRate)), maxLag: msToSamples(maxLagMs, sampleRate) };
}

/**
 * Pitch period of the start of `input` and whether the periods that follow it may be merged.
 * `fast` lets k periods go at once (k = floor(N / 2T)), judged on kT-long segments.
 */
function choosePeriod(input: Int16Array, sampleRate: number, opts: PitchStretchOptions, fast: boolean): PeriodChoice | null {
  assertSampleRate(sampleRate);
  const { minLag, maxLag: maxLagOpt } = resolveLags(opts, sampleRate);
  const n = input.length;
  const maxLag = Math.min(maxLagOpt, n >> 1);
  if (maxLag < minLag) return null;
  const window = Math.min(n - maxLag, msToSamples(CORRELATION_WINDOW_MS, sampleRate));
  search.load(input, n, coarseDecimation(sampleRate));
  const lag = search.find(0, window, minLag, maxLag, minLag, SUBHARMONIC_RATIO);
  const periods = fast ? Math.max(1, Math.floor(n / (2 * lag))) : 1;
  const span = periods * lag;
  const correlation = correlationCoefficient(input, 0, span, span);
  const threshold = opts.minCorrelation ?? (fast ? 0.5 : 0.9);
  const passive = levelDbfs(input, 0, n) < (opts.vadThresholdDbfs ?? -45);
  return { lag, periods, correlation, stretch: passive || correlation > threshold };
}

/**
 * Shorten `input` by about one pitch period (several with `fast`), pitch-synchronously.
 * The segment x[0, 2S) (S = removed samples) becomes S samples cross-fading x[0, S) into x[S, 2S).
 */
export function accelerate(input: Int16Array, sampleRate: number, opts: AccelerateOptions = {}): AccelerateResult {
  const choice = choosePeriod(input, sampleRate, opts, opts.fast === true);
  if (choice === null || !choice.stretch) {
    return { output: input, removedSamples: 0, correlation: choice?.correlation ?? 0 };
  }
  const s = choice.lag * choice.periods;
  const n = input.length;
  const out = new Int16Array(n - s);
  const inv = 1 / (s + 1);
  for (let i = 0; i < s; i++) {
    const w = (i + 1) * inv;
    out[i] = toInt16((1 - w) * input[i] + w * input[i + s]);
  }
  out.set(input.subarray(2 * s), s);
  return { output: out, removedSamples: s, correlation: choice.correlation };
}

/**
 * Lengthen `input` by about one pitch period T, pitch-synchronously: x[0, T) is kept, then T
 * samples cross-fading x[T, 2T) into x[0, T) (a repeat of the first period), then x[T, N).
 */
export function preemptiveExpand(input: Int16Array, sampleRate: number, opts: PitchStretchOptions = {}): PreemptiveExpandResult {
  const choice = choosePeriod(input, sampleRate, opts, false);
  if (choice === null || !choice.stretch) {
    return { output: input, insertedSamples: 0, correlation: choice?.correlation ?? 0 };
  }
  const t = choice.lag;
  const n = input.length;
  const out = new Int16Array(n + t);
  out.set(input.subarray(0, t), 0);
  const inv = 1 / (t + 1);
  for (let j = 0; j < t; j++) {
    const w = (j + 1) * inv;
    out[t + j] = toInt16((1 - w) * input[t + j] + w * input[j]);
  }
  out.set(input.subarray(t), 2 * t);
  return { output: out, insertedSamples: t, correlation: choice.correlation };
}

/** Linear-interpolation resampling to `targetLength`: only for inputs too short for WSOLA (pitch changes). */
function interpolate(input: Int16Array, targetLength: number): Int16Array {
  const out = new Int16Array(targetLength);
  const n = input.length;
  if (targetLength === 1 || n === 1) {
    out.fill(input[0]);
    return out;
  }
  const step = (n - 1) / (targetLength - 1);
  for (let i = 0; i < targetLength; i++) {
    const p = i * step;
    const k = Math.min(n - 2, Math.floor(p));
    const f = p - k;
    out[i] = toInt16((1 - f) * input[k] + f * input[k + 1]);
  }
  return out;
}

/**
 * WSOLA time-scale modification of `input` to exactly `targetLength` samples
 * (`targetLength / input.length` within 0.5..2). Returns `input` itself when the lengths are equal.
 *
 * The output is cut into K >= 5 intervals at o_k = round(k T / K); interval k maps nominally to
 * input position a_k = round(k N / K). Interval 0 copies the input start; interval k >= 1
 * cross-fades the natural continuation of interval k-1 into the input segment starting within
 * +-tolerance of a_k that best matches that continuation; the last interval is forced to end at
 * the input's end, so the frame's last sample stays last. With a periodic input and both ends
 * fixed, a phase step of (T - N) mod period is unavoidable: it falls in that last cross-fade.
 */
export function stretchTo(input: Int16Array, sampleRate: number, targetLength: number, opts: StretchOptions = {}): Int16Array {
  assertSampleRate(sampleRate);
  const n = input.length;
  if (!Number.isInteger(targetLength) || targetLength < 0) fail(`target length must be a non-negative integer, got ${targetLength}`);
  if (n === 0) {
    if (targetLength === 0) return input;
    fail('cannot stretch an empty input to a non-empty output');
  }
  const ratio = targetLength / n;
  if (ratio < MIN_STRETCH_RATIO || ratio > MAX_STRETCH_RATIO) {
    fail(`stretch ratio ${ratio.toFixed(3)} (${n} -> ${targetLength}) is outside ${MIN_STRETCH_RATIO}..${MAX_STRETCH_RATIO}`);
  }
  if (targetLength === n) return input;
  if (Math.min(n, targetLength) < MIN_WSOLA_SAMPLES) return interpolate(input, targetLength);

  const segMs = opts.segmentMs ?? 10;
  const tolMs = opts.toleranceMs ?? 7.5;
  if (!(segMs > 0) || !(tolMs >= 0)) fail(`need segmentMs > 0 and toleranceMs >= 0, got ${segMs}, ${tolMs}`);
  const T = targetLength;
  // Two consecutive intervals (at most 2T/K + 1 samples) must fit in the input, so that the
  // natural continuation of a chosen segment never runs past the input's end.
  const kMin = Math.max(2, Math.ceil((2 * T) / (n - 1)));
  const K = Math.max(kMin, Math.round(T / Math.max(1, msToSamples(segMs, sampleRate))));
  const tol = msToSamples(tolMs, sampleRate);
  const outPos = (k: number): number => Math.round((k * T) / K);

  search.load(input, n, coarseDecimation(sampleRate));
  const out = new Int16Array(T);
  const h0 = outPos(1);
  out.set(input.subarray(0, h0), 0);
  let natural = h0; // input index that would follow the last output sample without a splice
  for (let k = 1; k < K; k++) {
    const o = outPos(k);
    const h = outPos(k + 1) - o;
    let c: number;
    if (k === K - 1) {
      c = n - h;
    } else {
      const hNext = outPos(k + 2) - outPos(k + 1);
      const nominal = Math.round((k * n) / K);
      // The chosen segment's own continuation (next interval) must stay inside the input.
      const hi = Math.max(0, Math.min(nominal + tol, n - h - hNext));
      let lo = Math.max(0, nominal - tol);
      if (lo > hi) lo = Math.max(0, hi - 2 * tol);
      c = search.find(natural, h, lo, hi, nominal, WSOLA_TIE_RATIO);
    }
    const inv = 1 / (h + 1);
    for (let j = 0; j < h; j++) {
      const w = (j + 1) * inv;
      out[o + j] = toInt16((1 - w) * input[natural + j] + w * input[c + j]);
    }
    natural = c + h;
  }
  return out;
}
