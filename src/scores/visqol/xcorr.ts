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
  // The product spectrum overwrites Z in place, bin k together with its mirror n - k (each needs
  // both): at the 2^21-point size of a one-minute ViSQOL segment, two more arrays are 32 MB.
  for (let k = 0; k <= n >> 1; k++) {
    const kn = (n - k) % n;
    const rk = re[k];
    const ik = im[k];
    const rn = re[kn];
    const iN = im[kn];
    let ar = (rk + rn) / 2;
    let ai = (ik - iN) / 2;
    let br = (ik + iN) / 2;
    let bi = -(rk - rn) / 2;
    re[k] = ar * br + ai * bi;
    im[k] = ar * bi - ai * br;
    if (kn === k) continue;
    ar = (rn + rk) / 2;
    ai = (iN - ik) / 2;
    br = (iN + ik) / 2;
    bi = -(rn - rk) / 2;
    re[kn] = ar * br + ai * bi;
    im[kn] = ar * bi - ai * br;
  }
  ifft(re, im);
  return re;
}
