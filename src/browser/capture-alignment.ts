/**
 * The browser's played audio lined up with the reference, as our own variants' degraded.wav is:
 * sample k of the result sits at sample k of the reference (the loss-free decode). The capture
 * starts before the call and the browser's output is late by its network and buffer delay, so
 * the offset is found by cross-correlating the start of the call (estimateLag, the same search
 * the sanity score uses); later drift from time-stretching stays, as in our variants.
 */
import { estimateLag } from '../scores/sanity.ts';
import { resampleMono } from '../source/resample.ts';

export interface AlignedCapture {
  /** At the reference's rate, starting at the reference's first sample. */
  pcm: Int16Array;
  /** Offset of the reference's start in the capture (ms). */
  offsetMs: number;
  /** Normalised cross-correlation at that offset (1 = identical shape). */
  correlation: number;
}

/** Seconds of the reference searched for; long enough to hold speech, short enough to be cheap. */
const PROBE_S = 8;
/** The capture starts at most this long before the reference appears in it. */
const MAX_OFFSET_S = 6;

function toFloat(x: Int16Array, from = 0, to = x.length): Float32Array {
  const out = new Float32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = x[from + i] / 32768;
  return out;
}

function toInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768)));
  return out;
}

/**
 * `captured` (48 kHz) aligned to `reference` (at `rate`), `lengthSamples` long at `rate`
 * (zero-padded where the capture ran out).
 */
export function alignCapture(captured: Int16Array, reference: Int16Array, rate: number, lengthSamples: number): AlignedCapture {
  const cap = resampleMono(toFloat(captured), 48000, rate);
  const probe = Math.min(reference.length, PROBE_S * rate);
  const ref = toFloat(reference, 0, probe);
  // The capture window searched: the probe plus the largest plausible offset.
  const window = cap.subarray(0, Math.min(cap.length, probe + MAX_OFFSET_S * rate));
  // estimateLag searches +/- maxLag; a positive lag means the reference appears later in the capture.
  const padded = new Float32Array(Math.max(window.length, ref.length));
  padded.set(ref);
  const lag = estimateLag(padded, window, rate, MAX_OFFSET_S);
  const offset = Math.max(0, lag.lagSamples);
  const out = new Int16Array(lengthSamples);
  out.set(toInt16(cap.subarray(offset, Math.min(cap.length, offset + lengthSamples))));
  return { pcm: out, offsetMs: (offset / rate) * 1000, correlation: envelopeCorrelation(reference, out, rate) };
}

/**
 * Correlation of the 20 ms RMS envelopes of two signals over their common length: whether the
 * browser played the call's speech where the reference has it. Waveforms would not do: a browser
 * time-stretches, and a shift of a millisecond decorrelates speech waveforms while the envelope
 * stays.
 */
export function envelopeCorrelation(a: Int16Array, b: Int16Array, rate: number): number {
  const w = Math.round(rate * 0.02);
  const n = Math.floor(Math.min(a.length, b.length) / w);
  const ea = new Float64Array(n);
  const eb = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sa = 0;
    let sb = 0;
    for (let i = k * w; i < (k + 1) * w; i++) {
      sa += a[i] * a[i];
      sb += b[i] * b[i];
    }
    ea[k] = Math.sqrt(sa / w);
    eb[k] = Math.sqrt(sb / w);
  }
  return pearson(ea, eb);
}

function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
