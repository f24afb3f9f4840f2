/**
 * Complex FFT on split real/imaginary Float64Arrays.
 *
 * Power-of-two sizes use radix-4 stages (a radix-2 stage when log2 n is odd): decimation in
 * frequency from natural order to bit-reversed order, decimation in time back (Cooley & Tukey
 * 1965; the pairing of the two lets a convolution or correlation skip the bit-reversal
 * permutation altogether: C. S. Burrus & T. W. Parks, "DFT/FFT and Convolution Algorithms", 1985,
 * ch. 4). Other sizes use Bluestein's chirp-z algorithm (L. Bluestein, "A linear filtering
 * approach to the computation of the discrete Fourier transform", 1970), which rewrites the DFT
 * as a convolution evaluated with power-of-two FFTs.
 *
 * Forward: X[k] = sum_n x[n] e^{-2 pi i k n / N}. Inverse is scaled by 1/N.
 */
import { simdKernels, type SimdKernels } from './simd-kernels.ts';

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** cos and sin of 2 pi j / n for j < n / 2. */
interface Twiddles {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
}

const twiddleCache = new Map<number, Twiddles>();
/**
 * Twiddle tables up to this size are kept for reuse (512 KB each at most). Larger ones, such as
 * the 2^21 points of a one-minute ViSQOL alignment (16 MB), are held only weakly: reused while
 * alive (a WeakRef target lives at least to the end of the synchronous job that made it, so one
 * scoring run builds it once), then left to the garbage collector instead of being held for the
 * rest of the process. One large table serves every large size at or below its own: entry j of
 * the table for n is entry j N/n of the table for N, bit for bit (the angles differ by a power
 * of two).
 */
const MAX_CACHED_TWIDDLES = 1 << 16;
let largeTwiddles: WeakRef<Twiddles> | null = null;

/** A twiddle table for n points or for a multiple of n (read it with stride table.n / n). */
function twiddles(n: number): Twiddles {
  const cached = n <= MAX_CACHED_TWIDDLES ? twiddleCache.get(n) : largeTwiddles?.deref();
  if (cached && cached.n >= n) return cached;
  const half = n >> 1;
  const quarter = n >> 2;
  const cos = new Float64Array(Math.max(1, half));
  const sin = new Float64Array(Math.max(1, half));
  // The first quarter wave by Math.cos/sin, the second from it: cos(x + pi/2) = -sin x,
  // sin(x + pi/2) = cos x (half the calls; a 2^21-point table needs a million of them).
  const direct = quarter > 0 ? quarter : half;
  // A smaller large table still alive holds every (n / its size)-th entry already.
  const stride = cached ? n / cached.n : 0;
  for (let i = 0; i < direct; i++) {
    if (stride > 0 && i % stride === 0) {
      cos[i] = cached!.cos[i / stride];
      sin[i] = cached!.sin[i / stride];
      continue;
    }
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  for (let i = direct; i < half; i++) {
    cos[i] = -sin[i - quarter];
    sin[i] = cos[i - quarter];
  }
  const t = { n, cos, sin };
  if (n <= MAX_CACHED_TWIDDLES) twiddleCache.set(n, t);
  else largeTwiddles = new WeakRef(t);
  return t;
}

/**
 * Unscaled power-of-two transform, natural order in, bit-reversed order out; sign -1 forward,
 * +1 inverse. Each radix-4 stage is two radix-2 stages fused (quarters k, k+L, k+2L, k+3L), with
 * three twiddle products instead of four.
 */
export function fftToBitReversed(re: Float64Array, im: Float64Array, sign = -1): void {
  const n = re.length;
  if (n <= 1) return;
  const tw = twiddles(n);
  if (n >= SIMD_MIN_POINTS && simdTransform(re, im, sign, tw, 'dif')) return;
  let size = n;
  for (; size >= 4; size >>= 2) difPass(re, im, sign, tw, size);
  if (size === 2) radix2Pairs(re, im);
}

/** One radix-4 decimation-in-frequency stage over all blocks of `size` points. */
function difPass(re: Float64Array, im: Float64Array, sign: number, tw: Twiddles, size: number): void {
  const n = re.length;
  const { n: tableSize, cos, sin } = tw;
  {
    const L = size >> 2;
    const step = tableSize / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, t = 0; k < L; k++, t += step) {
        const i0 = start + k;
        const i1 = i0 + L;
        const i2 = i1 + L;
        const i3 = i2 + L;
        const ar = re[i0], ai = im[i0];
        const br = re[i1], bi = im[i1];
        const cr = re[i2], ci = im[i2];
        const dr = re[i3], di = im[i3];
        const t0r = ar + cr, t0i = ai + ci;
        const t1r = ar - cr, t1i = ai - ci;
        const t2r = br + dr, t2i = bi + di;
        // (b - d) times -i (forward) or +i (inverse).
        const t3r = -sign * (bi - di), t3i = sign * (br - dr);
        re[i0] = t0r + t2r;
        im[i0] = t0i + t2i;
        if (k === 0) {
          re[i1] = t0r - t2r;
          im[i1] = t0i - t2i;
          re[i2] = t1r + t3r;
          im[i2] = t1i + t3i;
          re[i3] = t1r - t3r;
          im[i3] = t1i - t3i;
          continue;
        }
        const w1r = cos[t], w1i = sign * sin[t];
        const w2r = cos[2 * t], w2i = sign * sin[2 * t];
        const w3r = w1r * w2r - w1i * w2i, w3i = w1r * w2i + w1i * w2r;
        const xr = t0r - t2r, xi = t0i - t2i;
        re[i1] = xr * w2r - xi * w2i;
        im[i1] = xr * w2i + xi * w2r;
        const yr = t1r + t3r, yi = t1i + t3i;
        re[i2] = yr * w1r - yi * w1i;
        im[i2] = yr * w1i + yi * w1r;
        const zr = t1r - t3r, zi = t1i - t3i;
        re[i3] = zr * w3r - zi * w3i;
        im[i3] = zr * w3i + zi * w3r;
      }
    }
  }
}

/**
 * Unscaled power-of-two transform, bit-reversed order in, natural order out; sign -1 forward,
 * +1 inverse. The mirror image of fftToBitReversed (decimation in time).
 */
export function fftFromBitReversed(re: Float64Array, im: Float64Array, sign = 1): void {
  const n = re.length;
  if (n <= 1) return;
  const tw = twiddles(n);
  if (n >= SIMD_MIN_POINTS && simdTransform(re, im, sign, tw, 'dit')) return;
  let size = 4;
  // With log2 n odd, a twiddle-free radix-2 stage comes first.
  if ((31 - Math.clz32(n)) % 2 === 1) {
    radix2Pairs(re, im);
    size = 8;
  }
  for (; size <= n; size <<= 2) ditPass(re, im, sign, tw, size);
}

/** One radix-4 decimation-in-time stage over all blocks of `size` points. */
function ditPass(re: Float64Array, im: Float64Array, sign: number, tw: Twiddles, size: number): void {
  const n = re.length;
  const { n: tableSize, cos, sin } = tw;
  {
    const L = size >> 2;
    const step = tableSize / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0, t = 0; k < L; k++, t += step) {
        const i0 = start + k;
        const i1 = i0 + L;
        const i2 = i1 + L;
        const i3 = i2 + L;
        const ar = re[i0], ai = im[i0];
        let br = re[i1], bi = im[i1];
        let cr = re[i2], ci = im[i2];
        let dr = re[i3], di = im[i3];
        if (k !== 0) {
          const w1r = cos[t], w1i = sign * sin[t];
          const w2r = cos[2 * t], w2i = sign * sin[2 * t];
          const w3r = w1r * w2r - w1i * w2i, w3i = w1r * w2i + w1i * w2r;
          const b2r = br * w2r - bi * w2i;
          bi = br * w2i + bi * w2r;
          br = b2r;
          const c1r = cr * w1r - ci * w1i;
          ci = cr * w1i + ci * w1r;
          cr = c1r;
          const d3r = dr * w3r - di * w3i;
          di = dr * w3i + di * w3r;
          dr = d3r;
        }
        const s0r = ar + br, s0i = ai + bi;
        const s1r = ar - br, s1i = ai - bi;
        const s2r = cr + dr, s2i = ci + di;
        // (c - d) times +i (inverse) or -i (forward).
        const s3r = -sign * (ci - di), s3i = sign * (cr - dr);
        re[i0] = s0r + s2r;
        im[i0] = s0i + s2i;
        re[i2] = s0r - s2r;
        im[i2] = s0i - s2i;
        re[i1] = s1r + s3r;
        im[i1] = s1i + s3i;
        re[i3] = s1r - s3r;
        im[i3] = s1i - s3i;
      }
    }
  }
}

/**
 * Blocks up to this many points go through their stages one after the other; larger ones depth
 * first (one stage over the block, then each quarter in turn, or the mirror image for the
 * inverse), so that most stages of a 2^20-point transform run on quarters that stay in the
 * cache. Each butterfly does the same operations in either order: only the memory traffic changes.
 */
const IN_CACHE_POINTS = 1 << 14;

/** Below this size the copies to and from the SIMD kernels' memory cost more than they save. */
const SIMD_MIN_POINTS = 256;

/**
 * The transform by the SIMD kernels (two butterflies per step, same bits; simd-kernels.ts) for
 * the stages of a quarter of 2 or more points; the size-4 and size-2 stages stay in JavaScript.
 * Works in place when re and im are fftBuffers' views, else copies through the kernels' memory.
 * False (nothing done) without WebAssembly SIMD.
 */
function simdTransform(re: Float64Array, im: Float64Array, sign: number, tw: Twiddles, kind: 'dif' | 'dit'): boolean {
  const kernels = simdKernels();
  if (!kernels) return false;
  const n = re.length;
  const layout = fftLayout(n, tw);
  const inPlace = isFftBuffer(kernels, re, im, n);
  // fftBuffers made room for the twiddles: growing now would detach the caller's views.
  if (inPlace && kernels.exports.memory.buffer.byteLength < 8 * layout.doubles) {
    throw new Error('fft: the kernels memory is smaller than fftBuffers reserved');
  }
  const heap = kernels.heap(layout.doubles);
  if (!heap) return false;
  const hre = heap.subarray(0, n);
  const him = heap.subarray(n, 2 * n);
  if (!inPlace) {
    hre.set(re);
    him.set(im);
  }
  const half = tw.n >> 1;
  heap.set(tw.cos.subarray(0, half), layout.cos);
  heap.set(tw.sin.subarray(0, half), layout.cos + half);
  const pass = kind === 'dif' ? kernels.exports.difPass : kernels.exports.ditPass;
  // The stage of `size`-point blocks over [start, start + len).
  const stage = (start: number, len: number, size: number) => {
    if (size === 4) {
      const jsPass = kind === 'dif' ? difPass : ditPass;
      jsPass(hre.subarray(start, start + len), him.subarray(start, start + len), sign, tw, 4);
      return;
    }
    pass(8 * start, 8 * (n + start), 8 * len, 8 * size, 2 * size, 8 * layout.cos, 8 * (layout.cos + half), 8 * (tw.n / size), sign);
  };
  const odd = (31 - Math.clz32(n)) % 2 === 1;
  if (kind === 'dif') {
    const dif = (start: number, size: number) => {
      if (size > IN_CACHE_POINTS) {
        stage(start, size, size);
        const quarter = size >> 2;
        if (quarter >= 4) for (let q = 0; q < 4; q++) dif(start + q * quarter, quarter);
        return;
      }
      for (let s = size; s >= 4; s >>= 2) stage(start, size, s);
    };
    dif(0, n);
    if (odd) radix2Pairs(hre, him);
  } else {
    if (odd) radix2Pairs(hre, him);
    const first = odd ? 8 : 4;
    const dit = (start: number, size: number) => {
      if (size > IN_CACHE_POINTS) {
        const quarter = size >> 2;
        if (quarter >= first) for (let q = 0; q < 4; q++) dit(start + q * quarter, quarter);
        stage(start, size, size);
        return;
      }
      for (let s = first; s <= size; s <<= 2) stage(start, size, s);
    };
    dit(0, n);
  }
  if (!inPlace) {
    re.set(hre);
    im.set(him);
  }
  return true;
}

/** The kernels' memory for an n-point transform: re, im, then the twiddle table's cos and sin halves. */
function fftLayout(n: number, tw: Twiddles): { cos: number; doubles: number } {
  return { cos: 2 * n, doubles: 2 * n + tw.n };
}

function isFftBuffer(kernels: SimdKernels, re: Float64Array, im: Float64Array, n: number): boolean {
  const buffer = kernels.exports.memory.buffer;
  return re.buffer === buffer && im.buffer === buffer && re.byteOffset === 0 && im.byteOffset === 8 * n && im.length === n;
}

/**
 * Zeroed re and im arrays of n points (a power of two) that the transforms work on in place: views
 * of the SIMD kernels' memory when there are kernels (no copies, no fresh 16 MB arrays for a
 * 2^21-point correlation), else new arrays. The views are valid until the next use of any kernel
 * other than these transforms on them (and the next fftBuffers call).
 */
export function fftBuffers(n: number): [Float64Array, Float64Array] {
  const kernels = n >= SIMD_MIN_POINTS ? simdKernels() : null;
  if (!kernels) return [new Float64Array(n), new Float64Array(n)];
  // Room for the largest twiddle table the transforms may meet, so that they never grow the memory.
  const heap = kernels.heap(fftLayout(n, twiddles(n)).doubles);
  if (!heap) return [new Float64Array(n), new Float64Array(n)];
  heap.fill(0, 0, 2 * n);
  return [heap.subarray(0, n), heap.subarray(n, 2 * n)];
}

/** The size-2 butterflies of adjacent pairs (no twiddles). */
function radix2Pairs(re: Float64Array, im: Float64Array): void {
  for (let i = 0; i < re.length; i += 2) {
    const ar = re[i], ai = im[i];
    const br = re[i + 1], bi = im[i + 1];
    re[i] = ar + br;
    im[i] = ai + bi;
    re[i + 1] = ar - br;
    im[i + 1] = ai - bi;
  }
}

/**
 * Position of bin n - k in a bit-reversed spectrum, given the position i of bin k (n a power of
 * two): positions 0 and 1 (bins 0 and n/2) are their own mirrors; in each block [2^q, 2^(q+1))
 * the mirror runs backwards, 3 * 2^q - 1 - i.
 */
export function bitReversedMirror(i: number): number {
  if (i < 2) return i;
  const q = 1 << (31 - Math.clz32(i));
  return 3 * q - 1 - i;
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

/** Unscaled radix-2^k transform in natural order; sign -1 forward, +1 inverse. */
function powerOfTwo(re: Float64Array, im: Float64Array, sign: number): void {
  fftToBitReversed(re, im, sign);
  bitReverse(re, im);
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
  // The convolution's spectra stay in bit-reversed order: a pointwise product needs no other.
  fftToBitReversed(ar, ai, -1);
  fftToBitReversed(br, bi, -1);
  for (let k = 0; k < m; k++) {
    const r = ar[k] * br[k] - ai[k] * bi[k];
    ai[k] = ar[k] * bi[k] + ai[k] * br[k];
    ar[k] = r;
  }
  fftFromBitReversed(ar, ai, 1);
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
  if (isPowerOfTwo(re.length)) powerOfTwo(re, im, -1);
  else bluestein(re, im, -1);
}

/** Scales both arrays by 1/n (the inverse transform's normalisation). */
export function scaleInverse(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  const s = 1 / n;
  for (let i = 0; i < n; i++) {
    re[i] *= s;
    im[i] *= s;
  }
}

/** In-place inverse DFT of any length, scaled by 1/N. */
export function ifft(re: Float64Array, im: Float64Array): void {
  if (isPowerOfTwo(re.length)) powerOfTwo(re, im, 1);
  else bluestein(re, im, 1);
  scaleInverse(re, im);
}
