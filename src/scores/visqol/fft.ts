/**
 * Complex FFT on split real/imaginary Float64Arrays.
 *
 * Power-of-two sizes use an iterative radix-2 decimation-in-time transform with precomputed
 * twiddles (cached per size). Other sizes use Bluestein's chirp-z algorithm (L. Bluestein,
 * "A linear filtering approach to the computation of the discrete Fourier transform", 1970),
 * which rewrites the DFT as a convolution evaluated with power-of-two FFTs.
 *
 * Forward: X[k] = sum_n x[n] e^{-2 pi i k n / N}. Inverse is scaled by 1/N.
 */

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

interface Radix2Plan {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
}

const radix2Plans = new Map<number, Radix2Plan>();
/**
 * Twiddle tables up to this size are kept for reuse (512 KB each at most). Larger ones, such as
 * the 2^21 points of a one-minute ViSQOL alignment (16 MB), are held only weakly: reused while
 * alive (a WeakRef target lives at least to the end of the synchronous job that made it, so one
 * scoring run builds each size once), then left to the garbage collector instead of being held
 * for the rest of the process.
 */
const MAX_CACHED_PLAN = 1 << 16;
const largePlans = new Map<number, WeakRef<Radix2Plan>>();

function radix2Plan(n: number): Radix2Plan {
  let plan = radix2Plans.get(n) ?? largePlans.get(n)?.deref();
  if (plan) return plan;
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  plan = { n, cos, sin };
  if (n <= MAX_CACHED_PLAN) radix2Plans.set(n, plan);
  else largePlans.set(n, new WeakRef(plan));
  return plan;
}

/** In-place bit-reversal permutation (the reversed index is carried along, no table). */
function bitReverse(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (j > i) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
}

/** Unscaled radix-2 transform; sign -1 forward, +1 inverse. */
function radix2(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  if (n <= 1) return;
  const { cos, sin } = radix2Plan(n);
  bitReverse(re, im);
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, t = 0; k < half; k++, t += step) {
        const wr = cos[t];
        const wi = sign * sin[t];
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/** Unscaled Bluestein transform of any length; sign -1 forward, +1 inverse. */
function bluestein(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  const m = nextPowerOfTwo(2 * n - 1);
  // Chirp w[k] = e^{sign * i pi k^2 / n}; k^2 taken mod 2n to keep the angle accurate.
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const k2 = (k * k) % (2 * n);
    const ang = (Math.PI * k2) / n;
    wr[k] = Math.cos(ang);
    wi[k] = sign * Math.sin(ang);
  }
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    // a[k] = x[k] w[k]
    ar[k] = re[k] * wr[k] - im[k] * wi[k];
    ai[k] = re[k] * wi[k] + im[k] * wr[k];
  }
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  // b[k] = conj(w[k]), laid out circularly so that the cyclic convolution is the linear one.
  br[0] = wr[0];
  bi[0] = -wi[0];
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = wr[k];
    bi[k] = bi[m - k] = -wi[k];
  }
  radix2(ar, ai, -1);
  radix2(br, bi, -1);
  for (let k = 0; k < m; k++) {
    const r = ar[k] * br[k] - ai[k] * bi[k];
    ai[k] = ar[k] * bi[k] + ai[k] * br[k];
    ar[k] = r;
  }
  radix2(ar, ai, 1);
  for (let k = 0; k < n; k++) {
    const cr = ar[k] / m;
    const ci = ai[k] / m;
    // X[k] = w[k] c[k], since 2kn = k^2 + n^2 - (k - n)^2.
    re[k] = cr * wr[k] - ci * wi[k];
    im[k] = cr * wi[k] + ci * wr[k];
  }
}

/** In-place forward DFT of any length. */
export function fft(re: Float64Array, im: Float64Array): void {
  if (isPowerOfTwo(re.length)) radix2(re, im, -1);
  else bluestein(re, im, -1);
}

/** In-place inverse DFT of any length, scaled by 1/N. */
export function ifft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (isPowerOfTwo(n)) radix2(re, im, 1);
  else bluestein(re, im, 1);
  const s = 1 / n;
  for (let i = 0; i < n; i++) {
    re[i] *= s;
    im[i] *= s;
  }
}
