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

/** 20 ms RMS envelope of a signal. */
function rmsEnvelope(x: Int16Array, rate: number): Float64Array {
  const w = Math.round(rate * 0.02);
  const n = Math.floor(x.length / w);
  const e = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = k * w; i < (k + 1) * w; i++) s += x[i] * x[i];
    e[k] = Math.sqrt(s / w);
  }
  return e;
}

/** Envelope frames per window, and the shift searched in each (±60 ms). */
const WINDOW_FRAMES = 100;
const MAX_SHIFT_FRAMES = 3;

/**
 * Whether the browser played the call's speech where the reference has it: the correlation of
 * the 20 ms RMS envelopes, in 2 s windows, each at its best shift within ±60 ms, averaged over
 * the windows weighted by the reference's energy. Waveforms would not do (a shift of a
 * millisecond decorrelates speech waveforms), nor one shift for the whole call: a browser
 * time-stretches, so its output drifts against the reference by tens of milliseconds.
 */
export function envelopeCorrelation(a: Int16Array, b: Int16Array, rate: number): number {
  const ea = rmsEnvelope(a, rate);
  const eb = rmsEnvelope(b, rate);
  const n = Math.min(ea.length, eb.length);
  let sum = 0;
  let weight = 0;
  for (let start = 0; start + WINDOW_FRAMES <= n; start += WINDOW_FRAMES) {
    const ref = ea.subarray(start, start + WINDOW_FRAMES);
    let energy = 0;
    for (let i = 0; i < ref.length; i++) energy += ref[i];
    if (energy === 0) continue;
    let best = -1;
    for (let d = -MAX_SHIFT_FRAMES; d <= MAX_SHIFT_FRAMES; d++) {
      const from = start + d;
      if (from < 0 || from + WINDOW_FRAMES > eb.length) continue;
      best = Math.max(best, pearson(ref, eb.subarray(from, from + WINDOW_FRAMES)));
    }
    sum += best * energy;
    weight += energy;
  }
  return weight > 0 ? sum / weight : 0;
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
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
