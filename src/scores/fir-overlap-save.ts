/**
 * FIR filtering by FFT overlap-save (A. V. Oppenheim & R. W. Schafer, "Discrete-Time Signal
 * Processing", 3rd ed., section 8.7.3): z[i] = sum_j h[j] x[i - j], x zero outside [0, n),
 * evaluated block by block as circular convolutions of FFT size F, each keeping the F - T + 1
 * outputs its wrap-around does not reach. Two blocks ride in one complex transform (a real filter
 * keeps them apart in the real and imaginary parts), and the spectra stay in bit-reversed order.
 * About log2(F) operations per output instead of T for the direct sum.
 */
import { fftBuffers, fftFromBitReversed, fftToBitReversed, nextPowerOfTwo } from './visqol/fft.ts';

/**
 * FFT size for a filter of `taps` taps: 8x its length keeps the overlap near a tenth (for the 68
 * taps of a 48 kHz -> 16 kHz polyphase branch, measured on 60 s of speech: 512 points were 1.2x
 * slower than these 1024, 2048 the same); at least the 256 points the SIMD kernels start at.
 */
export function overlapSaveBlockSize(taps: number): number {
  return Math.max(256, nextPowerOfTwo(8 * taps));
}

/**
 * Writes z[first + stride * m] to out[outStart + outStep * m] for m < count. Outputs whose window
 * (the x[i - j] with h[j] != 0) is all zero are written as exactly 0, as the direct sum gives
 * (the transform would leave rounding residue from the rest of the block there).
 */
export function firOverlapSave(
  x: ArrayLike<number>,
  h: Float64Array,
  first: number,
  stride: number,
  count: number,
  out: Float64Array,
  outStart: number,
  outStep: number,
): void {
  if (count <= 0) return;
  const taps = h.length;
  const size = overlapSaveBlockSize(taps);
  const valid = size - taps + 1;
  const spectrum = filterSpectrum(h, size);
  // After filterSpectrum: its transform may reuse the same memory.
  const [re, im] = fftBuffers(size);
  const last = first + stride * (count - 1);
  let lead = 0;
  while (lead < taps && h[lead] === 0) lead++;
  let trail = 0;
  while (trail < taps - lead && h[taps - 1 - trail] === 0) trail++;
  const zeros = new ZeroWindows(x, lead, taps - 1 - trail);
  for (let a = first; a <= last; a += 2 * valid) {
    const b = a + valid;
    loadWindow(x, a - taps + 1, re);
    loadWindow(x, b - taps + 1, im);
    fftToBitReversed(re, im, -1);
    for (let k = 0; k < size; k++) {
      const sr = spectrum[2 * k];
      const si = spectrum[2 * k + 1];
      const r = re[k] * sr - im[k] * si;
      im[k] = re[k] * si + im[k] * sr;
      re[k] = r;
    }
    fftFromBitReversed(re, im, 1);
    emit(re, a, valid, taps, size, first, stride, count, out, outStart, outStep, zeros);
    if (b <= last) emit(im, b, valid, taps, size, first, stride, count, out, outStart, outStep, zeros);
  }
}

/** The filter's spectrum at `size` points, bit-reversed, interleaved re/im, scaled by 1/size. */
function filterSpectrum(h: Float64Array, size: number): Float64Array {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(h);
  fftToBitReversed(re, im, -1);
  const out = new Float64Array(2 * size);
  for (let k = 0; k < size; k++) {
    out[2 * k] = re[k] / size;
    out[2 * k + 1] = im[k] / size;
  }
  return out;
}

/** dst[k] = x[from + k], zero outside x. */
function loadWindow(x: ArrayLike<number>, from: number, dst: Float64Array): void {
  const n = x.length;
  const lo = Math.max(0, -from);
  const hi = Math.min(dst.length, n - from);
  dst.fill(0, 0, Math.max(0, lo));
  for (let k = lo; k < hi; k++) dst[k] = x[from + k];
  dst.fill(0, Math.max(lo, hi));
}

/** Copies the wanted outputs of one block: z[s0 + t] is the circular result at taps - 1 + t. */
function emit(
  block: Float64Array,
  s0: number,
  valid: number,
  taps: number,
  size: number,
  first: number,
  stride: number,
  count: number,
  out: Float64Array,
  outStart: number,
  outStep: number,
  zeros: ZeroWindows,
): void {
  const mFrom = Math.max(0, Math.ceil((s0 - first) / stride));
  const mTo = Math.min(count - 1, Math.floor((s0 + valid - 1 - first) / stride));
  for (let m = mFrom; m <= mTo; m++) {
    const i = first + stride * m;
    const t = taps - 1 + (i - s0);
    out[outStart + outStep * m] = t < size && !zeros.allZeroUpTo(i) ? block[t] : 0;
  }
}

/** Whether x[i - far .. i - near] is all zero, for increasing i (one forward scan of x). */
class ZeroWindows {
  private scanned = 0;
  private lastNonZero = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly x: ArrayLike<number>,
    private readonly near: number,
    private readonly far: number,
  ) {}

  allZeroUpTo(i: number): boolean {
    const end = Math.min(i - this.near, this.x.length - 1);
    for (; this.scanned <= end; this.scanned++) if (this.x[this.scanned] !== 0) this.lastNonZero = this.scanned;
    return this.lastNonZero < i - this.far;
  }
}
