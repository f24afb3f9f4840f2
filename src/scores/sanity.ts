/**
 * Simple full-reference sanity measures (speech-quality.md section 6): alignment lag, level
 * offset, log-spectral distance and segmental SNR. They need exact alignment and mean little for
 * parametric codecs or time-stretching jitter buffers; they catch gross errors (wrong gain, wrong
 * delay, broken decoder), not perceived quality.
 */
import { fft, nextPowerOfTwo } from './visqol/fft.ts';
import { readCrossCorrelation } from './visqol/xcorr.ts';

type Samples = Float32Array | Float64Array;

export interface LagEstimate {
  /** Positive: the degraded signal is late by this many samples (deg[n + lag] ~ ref[n]). */
  lagSamples: number;
  lagS: number;
  /** Normalised correlation at the lag (-1..1); 0 when either signal is silent. */
  correlation: number;
}

/**
 * Waveform cross-correlation lag via FFT, searched over +/- maxLagS (default: 2 s, and at most
 * half the shorter signal).
 */
export function estimateLag(ref: Samples, deg: Samples, sampleRate: number, maxLagS?: number): LagEstimate {
  const shorter = Math.min(ref.length, deg.length);
  const maxLag = Math.max(0, Math.min(Math.floor((maxLagS ?? 2) * sampleRate), Math.floor(shorter / 2)));
  // Lags within +/- maxLag are free of circular wrap-around once n >= max(lengths) + maxLag (the
  // zero padding then covers every shifted term): for a one-minute segment at 16 kHz that is
  // 2^20 points, half the 2^21 of a full linear cross-correlation (and half its memory).
  const n = nextPowerOfTwo(Math.max(ref.length, deg.length) + maxLag + 1);
  const { best, lag } = readCrossCorrelation(ref, deg, n, (cr) => {
    let top = -Infinity;
    let at = 0;
    for (let l = -maxLag; l <= maxLag; l++) {
      const v = cr[l < 0 ? n + l : l];
      if (v > top) {
        top = v;
        at = l;
      }
    }
    return { best: top, lag: at };
  });
  const e = energy(ref) * energy(deg);
  return { lagSamples: lag, lagS: lag / sampleRate, correlation: e > 0 ? best / Math.sqrt(e) : 0 };
}

function energy(x: Samples): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/**
 * The overlapping parts of ref and deg once deg is shifted back by `lagSamples`: views of
 * Float64Array inputs (read only), float64 copies of others.
 */
export function alignedOverlap(ref: Samples, deg: Samples, lagSamples: number): { ref: Float64Array; deg: Float64Array } {
  const refStart = Math.max(0, -lagSamples);
  const degStart = Math.max(0, lagSamples);
  const len = Math.max(0, Math.min(ref.length - refStart, deg.length - degStart));
  return { ref: float64Part(ref, refStart, len), deg: float64Part(deg, degStart, len) };
}

function float64Part(x: Samples, start: number, len: number): Float64Array {
  const part = x.subarray(start, start + len);
  // A minute at 16 kHz is 7.7 MB: no copy when the samples are float64 already.
  return part instanceof Float64Array ? part : new Float64Array(part);
}

/** 20 log10(rms(deg) / rms(ref)); +/-Infinity when one side is silent, NaN when both are. */
export function levelOffsetDb(ref: Samples, deg: Samples): number {
  const r = Math.sqrt(energy(ref) / Math.max(1, ref.length));
  const d = Math.sqrt(energy(deg) / Math.max(1, deg.length));
  if (r === 0 && d === 0) return Number.NaN;
  return 20 * Math.log10(d / r);
}

export interface LsdOptions {
  frameMs?: number;
  hopMs?: number;
  eps?: number;
}

function periodicHann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * Log-spectral distance in dB: mean over frames of sqrt(mean over bins 0..N/2 of
 * (10 log10(P_ref + eps) - 10 log10(P_deg + eps))^2), with 32 ms periodic-Hann frames, 16 ms hop,
 * eps 1e-8 and P = |X|^2 / sum(w^2) (a power spectral density per frame). Signals must be aligned;
 * only the common length is used. NaN when shorter than one frame.
 */
export function logSpectralDistance(ref: Samples, deg: Samples, sampleRate: number, opts: LsdOptions = {}): number {
  const n = Math.round(((opts.frameMs ?? 32) / 1000) * sampleRate);
  const hop = Math.max(1, Math.round(((opts.hopMs ?? 16) / 1000) * sampleRate));
  const eps = opts.eps ?? 1e-8;
  const len = Math.min(ref.length, deg.length);
  if (len < n || n < 2) return Number.NaN;
  const w = periodicHann(n);
  let wSq = 0;
  for (let i = 0; i < n; i++) wSq += w[i] * w[i];
  const bins = Math.floor(n / 2) + 1;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let total = 0;
  let frames = 0;
  for (let start = 0; start + n <= len; start += hop) {
    // Both real frames in one complex FFT.
    for (let i = 0; i < n; i++) {
      re[i] = ref[start + i] * w[i];
      im[i] = deg[start + i] * w[i];
    }
    fft(re, im);
    let acc = 0;
    for (let k = 0; k < bins; k++) {
      const kn = (n - k) % n;
      const rr = (re[k] + re[kn]) / 2;
      const ri = (im[k] - im[kn]) / 2;
      const dr = (im[k] + im[kn]) / 2;
      const di = -(re[k] - re[kn]) / 2;
      const pr = (rr * rr + ri * ri) / wSq;
      const pd = (dr * dr + di * di) / wSq;
      // 10 log10(P_ref + eps) - 10 log10(P_deg + eps), with one logarithm.
      const diff = 10 * Math.log10((pr + eps) / (pd + eps));
      acc += diff * diff;
    }
    total += Math.sqrt(acc / bins);
    frames++;
  }
  return total / frames;
}

/**
 * Segmental SNR in dB: per frame 10 log10(sum s^2 / sum (s - s_hat)^2) clamped to [-10, 35],
 * averaged over frames (default 20 ms, non-overlapping). Frames where both the reference and the
 * error are exactly zero carry no information and are skipped. NaN when no frame qualifies.
 */
export function segmentalSnrDb(ref: Samples, deg: Samples, sampleRate: number, frameMs = 20): number {
  const n = Math.max(1, Math.round((frameMs / 1000) * sampleRate));
  const len = Math.min(ref.length, deg.length);
  let total = 0;
  let frames = 0;
  for (let start = 0; start + n <= len; start += n) {
    let sig = 0;
    let err = 0;
    for (let i = start; i < start + n; i++) {
      sig += ref[i] * ref[i];
      const e = ref[i] - deg[i];
      err += e * e;
    }
    if (sig === 0 && err === 0) continue;
    const snr = err === 0 ? 35 : sig === 0 ? -10 : 10 * Math.log10(sig / err);
    total += Math.min(35, Math.max(-10, snr));
    frames++;
  }
  return frames > 0 ? total / frames : Number.NaN;
}
