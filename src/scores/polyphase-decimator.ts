/**
 * Decimation by an integer factor M (up 1, down M) as a polyphase filter bank evaluated by FFT
 * overlap-save at the output rate (R. E. Crochiere & L. R. Rabiner, "Multirate Digital Signal
 * Processing", 1983, ch. 3, the polyphase structure of a decimator; A. V. Oppenheim & R. W. Schafer,
 * "Discrete-Time Signal Processing", 3rd ed., section 8.7.3, overlap-save).
 *
 * Output k is out[k] = sum_j c[j] x[M k + f + j] (T taps c, first tap f, x zero outside [0, n)).
 * With j = M i + r: out[k] = sum_r sum_i c_r[i] x_r[k + i], where c_r[i] = c[M i + r] and
 * x_r[m] = x[M m + f + r]. So the output is a sum of M correlations of about T / M taps, each
 * over a branch signal already at the output rate: no input-rate output is computed only to be
 * dropped, as filtering at the input rate and keeping one output in M would. The M products
 * are summed in the frequency domain, so each block needs M forward transforms and one inverse.
 * As in fir-overlap-save.ts, two blocks ride in one complex transform (real and imaginary part:
 * the filter is real) and the spectra stay in bit-reversed order.
 */
import { overlapSaveBlockSize } from './fir-overlap-save.ts';
import { fftBuffers, fftFromBitReversed, fftToBitReversed } from './visqol/fft.ts';

/**
 * Writes out[k] = sum_j coef[j] x[down k + firstTap + j] for k < out.length (down >= 2). Outputs
 * whose window (the x under nonzero taps) is all zero are exactly 0, as the direct sum gives.
 */
export function decimateByPolyphaseFft(
  x: ArrayLike<number>,
  coef: Float64Array,
  firstTap: number,
  down: number,
  out: Float64Array,
): void {
  const count = out.length;
  if (count === 0) return;
  if (!Number.isInteger(down) || down < 2) throw new Error(`decimateByPolyphaseFft: down must be an integer >= 2 (got ${down})`);
  const branchTaps = Math.ceil(coef.length / down);
  const size = overlapSaveBlockSize(branchTaps);
  const valid = size - branchTaps + 1;
  // Before fftBuffers: these transforms go through the same kernel memory.
  const spectra = branchSpectra(coef, down, branchTaps, size);
  const accRe = new Float64Array(size);
  const accIm = new Float64Array(size);
  const [re, im] = fftBuffers(size);
  for (let a = 0; a < count; a += 2 * valid) {
    const b = a + valid;
    for (let r = 0; r < down; r++) {
      loadBranch(x, down, firstTap + r, a, re);
      loadBranch(x, down, firstTap + r, b, im);
      fftToBitReversed(re, im, -1);
      accumulate(re, im, spectra[r], accRe, accIm, r === 0 ? 'first' : r === down - 1 ? 'last' : 'middle');
    }
    fftFromBitReversed(re, im, 1);
    out.set(re.subarray(0, Math.min(valid, count - a)), a);
    if (b < count) out.set(im.subarray(0, Math.min(valid, count - b)), b);
  }
  zeroSilentOutputs(x, coef, firstTap, down, out);
}

/**
 * Conjugated spectra of the branch filters c_r (zero-padded to `size`), bit-reversed, interleaved
 * re/im, scaled by 1/size: X conj(C) is the transform of the circular correlation of x with c_r.
 */
function branchSpectra(coef: Float64Array, down: number, branchTaps: number, size: number): Float64Array[] {
  const spectra: Float64Array[] = [];
  for (let r = 0; r < down; r++) {
    const re = new Float64Array(size);
    const im = new Float64Array(size);
    for (let i = 0; i < branchTaps && down * i + r < coef.length; i++) re[i] = coef[down * i + r];
    fftToBitReversed(re, im, -1);
    const s = new Float64Array(2 * size);
    for (let k = 0; k < size; k++) {
      s[2 * k] = re[k] / size;
      s[2 * k + 1] = -im[k] / size;
    }
    spectra.push(s);
  }
  return spectra;
}

/** dst[t] = x_r[from + t] = x[down (from + t) + offset], zero outside x. */
function loadBranch(x: ArrayLike<number>, down: number, offset: number, from: number, dst: Float64Array): void {
  const start = down * from + offset; // index into x of dst[0]
  const lo = Math.min(dst.length, Math.max(0, Math.ceil(-start / down)));
  const hi = Math.max(lo, Math.min(dst.length, Math.floor((x.length - 1 - start) / down) + 1));
  dst.fill(0, 0, lo);
  for (let t = lo, i = start + down * lo; t < hi; t++, i += down) dst[t] = x[i];
  dst.fill(0, hi);
}

/**
 * acc (+)= (re + i im) S, bin by bin. The first branch starts the sum; the last one writes the
 * total back into re/im, ready for the inverse transform.
 */
function accumulate(
  re: Float64Array,
  im: Float64Array,
  s: Float64Array,
  accRe: Float64Array,
  accIm: Float64Array,
  step: 'first' | 'middle' | 'last',
): void {
  const size = re.length;
  if (step === 'first') {
    for (let k = 0; k < size; k++) {
      const sr = s[2 * k], si = s[2 * k + 1];
      accRe[k] = re[k] * sr - im[k] * si;
      accIm[k] = re[k] * si + im[k] * sr;
    }
  } else if (step === 'middle') {
    for (let k = 0; k < size; k++) {
      const sr = s[2 * k], si = s[2 * k + 1];
      accRe[k] += re[k] * sr - im[k] * si;
      accIm[k] += re[k] * si + im[k] * sr;
    }
  } else {
    for (let k = 0; k < size; k++) {
      const sr = s[2 * k], si = s[2 * k + 1];
      const r = accRe[k] + (re[k] * sr - im[k] * si);
      im[k] = accIm[k] + (re[k] * si + im[k] * sr);
      re[k] = r;
    }
  }
}

/**
 * Sets out[k] = 0 where the window under the nonzero taps, x[down k + from .. down k + to], is
 * all zero (x zero outside [0, n)), as the direct sum gives: the transforms leave rounding
 * residue there from the rest of the block. Such a window lies in a run of at least
 * len = to - from + 1 zeros, and any len consecutive samples hold one point of a grid of step
 * len: probing the grid finds every such run in about n / len reads (speech has isolated zeros).
 */
function zeroSilentOutputs(x: ArrayLike<number>, coef: Float64Array, firstTap: number, down: number, out: Float64Array): void {
  let lead = 0;
  while (lead < coef.length - 1 && coef[lead] === 0) lead++;
  let last = coef.length - 1;
  while (last > lead && coef[last] === 0) last--;
  const from = firstTap + lead;
  const to = firstTap + last;
  const clear = (u: number, v: number) => {
    const k0 = Math.max(0, Math.ceil((u - from) / down));
    const k1 = Math.min(out.length - 1, Math.floor((v - to) / down));
    if (k1 >= k0) out.fill(0, k0, k1 + 1);
  };
  const n = x.length;
  let head = 0;
  while (head < n && x[head] === 0) head++;
  if (head === n) {
    out.fill(0);
    return;
  }
  let tail = n;
  while (x[tail - 1] === 0) tail--;
  clear(Number.NEGATIVE_INFINITY, head - 1);
  clear(tail, Number.POSITIVE_INFINITY);
  // Interior runs, between the first and the last nonzero sample.
  const len = to - from + 1;
  for (let j = head + len; j < tail; j += len) {
    if (x[j] !== 0) continue;
    let u = j;
    while (x[u - 1] === 0) u--;
    let v = j;
    while (x[v + 1] === 0) v++;
    if (v - u + 1 >= len) clear(u, v);
    j = v + 1 - len; // the next probe at v + 1, a nonzero sample; the grid restarts there
  }
}
