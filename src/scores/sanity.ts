/**
 * Simple full-reference sanity measures (speech-quality.md section 6): alignment lag, level
 * offset, log-spectral distance and segmental SNR. They need exact alignment and mean little for
 * parametric codecs or time-stretching jitter buffers; they catch gross errors (wrong gain, wrong
 * delay, broken decoder), not perceived quality.
 */
import { fft, fftBuffers, fftToBitReversed, isPowerOfTwo, nextPowerOfTwo } from './visqol/fft.ts';
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
  // Power-of-two frames (512 at 16 kHz) go through the transform in place on the SIMD kernels'
  // memory and are read in bit-reversed order (no permutation pass); others in natural order.
  const pow2 = isPowerOfTwo(n);
  const [re, im] = pow2 ? fftBuffers(n) : [new Float64Array(n), new Float64Array(n)];
  const bin = new BinTerm(re, im, wSq, eps);
  let total = 0;
  let frames = 0;
  for (let start = 0; start + n <= len; start += hop) {
    // Both real frames in one complex FFT.
    for (let i = 0; i < n; i++) {
      re[i] = ref[start + i] * w[i];
      im[i] = deg[start + i] * w[i];
    }
    let acc = 0;
    if (pow2) {
      fftToBitReversed(re, im, -1);
      // Bin 0 sits at position 0, bin n/2 at 1, and bins 1 .. n/2 - 1 at the even positions of
      // each block [q, 2q), their mirrors -k at 3q - 1 - i (fft.ts, bitReversedMirror).
      acc = bin.at(0, 0) + bin.at(1, 1);
      for (let q = 2; q < n; q <<= 1) for (let i = q; i < 2 * q; i += 2) acc += bin.at(i, 3 * q - 1 - i);
    } else {
      fft(re, im);
      for (let k = 0; k < bins; k++) acc += bin.at(k, (n - k) % n);
    }
    total += Math.sqrt(acc / bins);
    frames++;
  }
  return total / frames;
}

/** Decibels (of power) per neper: 10 log10 x = (10 / ln 10) ln x. */
const DB_PER_NEPER = 10 / Math.LN10;

/** (10 log10(P_ref + eps) - 10 log10(P_deg + eps))^2 of the bin at position i, its mirror at j. */
class BinTerm {
  constructor(
    private readonly re: Float64Array,
    private readonly im: Float64Array,
    private readonly wSq: number,
    private readonly eps: number,
  ) {}

  at(i: number, j: number): number {
    const { re, im } = this;
    const rr = (re[i] + re[j]) / 2;
    const ri = (im[i] - im[j]) / 2;
    const dr = (im[i] + im[j]) / 2;
    const di = -(re[i] - re[j]) / 2;
    const pr = (rr * rr + ri * ri) / this.wSq;
    const pd = (dr * dr + di * di) / this.wSq;
    // One natural logarithm of the ratio (about half the time of Math.log10).
    const diff = DB_PER_NEPER * Math.log((pr + this.eps) / (pd + this.eps));
    return diff * diff;
  }
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
