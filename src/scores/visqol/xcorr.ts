import { fft, ifft } from './fft.ts';

/**
 * Circular cross-correlation of two real signals by one complex FFT of n points (a power of two,
 * at least their combined length for a linear result): c[k mod n] = sum_m a[m] b[m + k].
 * Both signals ride in one transform as z = a + i b; A = (Z[k] + conj Z[-k]) / 2 and
 * B = (Z[k] - conj Z[-k]) / (2i), then c = IFFT(conj(A) B). Shared by ViSQOL's envelope
 * alignment and the waveform lag of the sanity measures.
 */
export function crossCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re.set(a);
  im.set(b);
  fft(re, im);
  const cr = new Float64Array(n);
  const ci = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const kn = (n - k) % n;
    const ar = (re[k] + re[kn]) / 2;
    const ai = (im[k] - im[kn]) / 2;
    const br = (im[k] + im[kn]) / 2;
    const bi = -(re[k] - re[kn]) / 2;
    cr[k] = ar * br + ai * bi;
    ci[k] = ar * bi - ai * br;
  }
  ifft(cr, ci);
  return cr;
}
