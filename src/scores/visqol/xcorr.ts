import { fftBuffers, fftFromBitReversed, fftToBitReversed } from './fft.ts';

/**
 * Circular cross-correlation of two real signals by one complex FFT of n points (a power of two,
 * at least their combined length for a linear result): c[k mod n] = sum_m a[m] b[m + k].
 * Both signals ride in one transform as z = a + i b; A = (Z[k] + conj Z[-k]) / 2 and
 * B = (Z[k] - conj Z[-k]) / (2i), then c = IFFT(conj(A) B). The spectrum stays in bit-reversed
 * order (no permutation pass). Shared by ViSQOL's
 * envelope alignment and the waveform lag of the sanity measures.
 */
export function crossCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  return readCrossCorrelation(a, b, n, (c) => c.slice());
}

/**
 * `read` applied to crossCorrelation(a, b, n) where it was computed: in the transforms' working
 * memory (fftBuffers), valid only during the call. Saves a copy of up to 16 MB when only a
 * search over the result is wanted.
 */
export function readCrossCorrelation<T>(a: ArrayLike<number>, b: ArrayLike<number>, n: number, read: (c: Float64Array) => T): T {
  const [re, im] = fftBuffers(n);
  re.set(a);
  im.set(b);
  fftToBitReversed(re, im, -1);
  // The product spectrum overwrites Z in place, bin k together with its mirror -k (each needs
  // both): at the 2^21-point size of a one-minute ViSQOL segment, two more arrays are 32 MB.
  // Positions 0 and 1 (bins 0 and n/2) are their own mirrors; in each block [q, 2q) position i
  // pairs with 3q - 1 - i (bitReversedMirror).
  productSpectrum(re, im, 0, 0);
  if (n > 1) productSpectrum(re, im, 1, 1);
  for (let q = 2; q < n; q <<= 1) {
    for (let i = q, j = 2 * q - 1; i < j; i++, j--) productSpectrum(re, im, i, j);
  }
  fftFromBitReversed(re, im, 1);
  // scaleInverse's 1/n, on the real part only: the imaginary part (zero) is not returned.
  const scale = 1 / n;
  for (let i = 0; i < n; i++) re[i] *= scale;
  return read(re);
}

/** conj(A) B at positions i and j (mirrors: bins k and -k), from Z = A + iB there. */
function productSpectrum(re: Float64Array, im: Float64Array, i: number, j: number): void {
  const rk = re[i];
  const ik = im[i];
  const rn = re[j];
  const iN = im[j];
  let ar = (rk + rn) / 2;
  let ai = (ik - iN) / 2;
  let br = (ik + iN) / 2;
  let bi = -(rk - rn) / 2;
  re[i] = ar * br + ai * bi;
  im[i] = ar * bi - ai * br;
  if (j === i) return;
  ar = (rn + rk) / 2;
  ai = (iN - ik) / 2;
  br = (iN + ik) / 2;
  bi = -(rn - rk) / 2;
  re[j] = ar * br + ai * bi;
  im[j] = ar * bi - ai * br;
}
