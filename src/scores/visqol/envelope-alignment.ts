/**
 * Global alignment of ViSQOL v3 (google/visqol `alignment.cc`, `envelope.cc`, `xcorr.cc`,
 * `fast_fourier_transform.cc`).
 *
 * Envelope: ViSQOL calls it a Hilbert envelope, but its FFT wrapper is a real-input transform
 * whose inverse keeps only the real part. With the analytic-signal weights (DC 1, bins 1..N/2-1
 * doubled, Nyquist 1 when the length is already the power-of-two FFT size N, else 0) that real part
 * is y[n] = 2 x_c[n] - (2 - w_nyq) X[N/2] (-1)^n / N (x_c = x - mean, zero-padded to N), and the
 * "envelope" is |y| + mean: a rectified signal, not an analytic-signal magnitude. We reproduce that,
 * because the lag ViSQOL finds (and hence its scores) depend on it.
 *
 * Lag: argmax of the FFT cross-correlation of the two envelopes over lags -(L-1)..(L-1),
 * first maximum in that order. A positive lag means the degraded signal leads: that many zeros are
 * prepended to it. A negative lag drops its leading samples. A lag of 0 or of more than half the
 * reference length is ignored.
 */
import { fftBuffers, fftFromBitReversed, fftToBitReversed, nextPowerOfTwo } from './fft.ts';
import { readCrossCorrelation } from './xcorr.ts';

/** pffft (used by ViSQOL) refuses sizes below 32. */
const MIN_FFT_SIZE = 32;

/**
 * ViSQOL's upper envelopes of one or two signals (see the module comment). Two real signals of the
 * same padded FFT size share one complex transform (z = a + i b); since both weighted spectra
 * stay Hermitian, one inverse returns a's result in the real part and b's in the imaginary part.
 * The weights (DC 1, bins 1..m/2-1 doubled, Nyquist 1 only when the length is already m) then
 * act on z directly: bins 1..m/2-1 and m/2+1..m-1 doubled, DC kept, Nyquist re/im scaled by the
 * weight of a/b respectively.
 */
function envelopes(a: Float64Array, b: Float64Array | null): [Float64Array, Float64Array | null] {
  const n = a.length;
  const m = Math.max(nextPowerOfTwo(Math.max(n, b ? b.length : 0, 1)), MIN_FFT_SIZE);
  const [re, im] = fftBuffers(m);
  const meanA = mean(a);
  const meanB = b ? mean(b) : 0;
  for (let i = 0; i < n; i++) re[i] = a[i] - meanA;
  if (b) for (let i = 0; i < b.length; i++) im[i] = b[i] - meanB;
  // Weights in the bit-reversed order of the spectrum: bin 0 at position 0, bin m/2 at position 1.
  fftToBitReversed(re, im, -1);
  for (let k = 2; k < m; k++) {
    re[k] *= 2;
    im[k] *= 2;
  }
  re[1] *= n === m ? 1 : 0;
  im[1] *= b && b.length === m ? 1 : 0;
  fftFromBitReversed(re, im, 1);
  // Copied out (the transform's arrays may be the SIMD kernels' memory, fftBuffers), with the
  // inverse's 1/m scaling of scaleInverse applied on the way, to the samples kept only.
  const scale = 1 / m;
  const outA = new Float64Array(n);
  for (let i = 0; i < n; i++) outA[i] = Math.abs(re[i] * scale) + meanA;
  if (!b) return [outA, null];
  const outB = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) outB[i] = Math.abs(im[i] * scale) + meanB;
  return [outA, outB];
}

function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return x.length > 0 ? s / x.length : 0;
}

/** ViSQOL's upper envelope of one signal (see the module comment). */
export function upperEnvelope(x: Float64Array): Float64Array {
  if (x.length === 0) return new Float64Array(0);
  return envelopes(x, null)[0];
}

/** Upper envelopes of two signals; shares one FFT when their padded sizes agree. */
export function upperEnvelopePair(a: Float64Array, b: Float64Array): [Float64Array, Float64Array] {
  const ma = Math.max(nextPowerOfTwo(Math.max(a.length, 1)), MIN_FFT_SIZE);
  const mb = Math.max(nextPowerOfTwo(Math.max(b.length, 1)), MIN_FFT_SIZE);
  if (ma !== mb || a.length === 0 || b.length === 0) return [upperEnvelope(a), upperEnvelope(b)];
  const [ea, eb] = envelopes(a, b);
  return [ea, eb ?? upperEnvelope(b)];
}

/**
 * Lag (samples) maximising sum_m ref[m + lag] * deg[m], over -(L-1)..(L-1), L = max length.
 * Ties go to the most negative lag (first maximum in ViSQOL's ordering).
 */
export function bestLag(refEnv: Float64Array, degEnv: Float64Array): number {
  const L = Math.max(refEnv.length, degEnv.length);
  if (L <= 1) return 0;
  const maxLag = L - 1;
  // ViSQOL: 2^e with 2L - 1 = f 2^e, f in [0.5, 1), i.e. the power of two above 2L - 1.
  const p = nextPowerOfTwo(2 * L);
  // c[k] = sum_m ref[m] deg[m + k]; ViSQOL's lag is the opposite shift, so it reads c[-lag].
  return readCrossCorrelation(refEnv, degEnv, p, (c) => {
    let best = -Infinity;
    let bestLagValue = 0;
    for (let lag = -maxLag; lag <= maxLag; lag++) {
      const v = c[lag > 0 ? p - lag : -lag];
      if (v > best) {
        best = v;
        bestLagValue = lag;
      }
    }
    return bestLagValue;
  });
}

export interface GlobalAlignment {
  /** The degraded signal shifted onto the reference. */
  deg: Float64Array;
  /** Applied lag in samples (0 when ignored). Positive: zeros were prepended to deg. */
  lagSamples: number;
  /** lagSamples / sampleRate. */
  lagS: number;
}

/** ViSQOL `Alignment::GloballyAlign`. A negative lag returns a view of `deg` (read only). */
export function globallyAlign(ref: Float64Array, deg: Float64Array, sampleRate: number): GlobalAlignment {
  const [refEnv, degEnv] = upperEnvelopePair(ref, deg);
  const lag = bestLag(refEnv, degEnv);
  if (lag === 0 || Math.abs(lag) > ref.length / 2) return { deg, lagSamples: 0, lagS: 0 };
  let out: Float64Array;
  if (lag < 0) {
    out = deg.subarray(-lag);
  } else {
    out = new Float64Array(deg.length + lag);
    out.set(deg, lag);
  }
  return { deg: out, lagSamples: lag, lagS: lag / sampleRate };
}

export interface AlignedPair {
  ref: Float64Array;
  deg: Float64Array;
  lagS: number;
}

/**
 * ViSQOL `Alignment::AlignAndTruncate`: globally align, then cut both to a common start/length.
 * The sample offset is recomputed as int(lagS * fs), as ViSQOL does.
 */
export function alignAndTruncate(ref: Float64Array, deg: Float64Array, sampleRate: number): AlignedPair {
  const { deg: aligned, lagS } = globallyAlign(ref, deg, sampleRate);
  if (ref.length > aligned.length) {
    return { ref: ref.subarray(0, aligned.length), deg: aligned, lagS };
  }
  if (ref.length < aligned.length) {
    // ViSQOL would index before the start for a negative lag here; clamp at 0.
    const start = Math.max(0, Math.trunc(lagS * sampleRate));
    // With exactly the prepended zeros cut off again this is deg itself: return its view.
    const lag = aligned.length - deg.length;
    const degPart = lag > 0 && start === lag ? deg.subarray(0, ref.length - start) : aligned.subarray(start, ref.length);
    return { ref: ref.subarray(start, ref.length), deg: degPart, lagS };
  }
  return { ref, deg: aligned, lagS };
}
