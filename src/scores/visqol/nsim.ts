/**
 * Neurogram Similarity Index Measure (Hines & Harte, "Speech intelligibility prediction using a
 * Neurogram Similarity Index Measure", Speech Communication 54(2), 2012), as in google/visqol
 * `neurogram_similiarity_index_measure.cc` and `convolution_2d.cc`:
 *
 * - 3x3 Gaussian window (sigma 0.5), "valid" convolution of the patch padded by one cell on each
 *   side with copies of its edge rows/columns (so the output has the patch's size);
 * - C1 = (0.01 L)^2, C3 = (0.03 L)^2 / 2 with intensity range L = 1;
 * - NSIM = (2 mu_r mu_d + C1)/(mu_r^2 + mu_d^2 + C1) * (s_rd + C3)/(sqrt(s_r^2 s_d^2) + C3), where
 *   a negative s_r^2 s_d^2 (rounding on silent patches) makes the denominator C3;
 * - mean over time per band (the per-band "freq band means"), then mean over bands.
 */
import type { Patch } from './patch-creator.ts';

const CORNER = 0.0113033910173052;
const EDGE = 0.0838251475442633;
const CENTRE = 0.619485845753726;

/** Window coefficients in ViSQOL's order. */
export const NSIM_WINDOW: readonly number[] = Object.freeze([
  CORNER, EDGE, CORNER,
  EDGE, CENTRE, EDGE,
  CORNER, EDGE, CORNER,
]);

const INTENSITY_RANGE = 1;
export const NSIM_C1 = (0.01 * INTENSITY_RANGE) ** 2;
export const NSIM_C3 = (0.03 * INTENSITY_RANGE) ** 2 / 2;

/**
 * 3x3 convolution with edge replication, output the size of the input. `src` is band-major
 * (rows x cols); `out` receives the result.
 */
export function convolve3x3Replicate(src: Float64Array, rows: number, cols: number, out: Float64Array): void {
  const w = NSIM_WINDOW;
  const w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];
  for (let r = 0; r < rows; r++) {
    const up = (r === 0 ? 0 : r - 1) * cols;
    const mid = r * cols;
    const down = (r === rows - 1 ? rows - 1 : r + 1) * cols;
    for (let c = 0; c < cols; c++) {
      const left = c === 0 ? 0 : c - 1;
      const right = c === cols - 1 ? cols - 1 : c + 1;
      // ViSQOL sums column by column (left to right, top to bottom) with the kernel index running
      // backwards from 8 (a true convolution; the kernel is symmetric, the order is kept anyway).
      let sum = 0;
      sum += src[up + left] * w8;
      sum += src[mid + left] * w7;
      sum += src[down + left] * w6;
      sum += src[up + c] * w5;
      sum += src[mid + c] * w4;
      sum += src[down + c] * w3;
      sum += src[up + right] * w2;
      sum += src[mid + right] * w1;
      sum += src[down + right] * w0;
      out[mid + c] = sum;
    }
  }
}

/** Per-patch local statistics reused across comparisons: windowed mean and mean of squares. */
export interface PatchStats {
  mu: Float64Array;
  meanSq: Float64Array;
}

export function patchStats(p: Patch): PatchStats {
  const n = p.rows * p.cols;
  const mu = new Float64Array(n);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = p.data[i] * p.data[i];
  const meanSq = new Float64Array(n);
  convolve3x3Replicate(p.data, p.rows, p.cols, mu);
  convolve3x3Replicate(sq, p.rows, p.cols, meanSq);
  return { mu, meanSq };
}

export interface NsimResult {
  /** Mean over bands of the per-band means. */
  similarity: number;
  /** Per-band mean NSIM over the patch's frames. */
  bandMeans: Float64Array;
}

/** Scratch buffers for repeated comparisons of same-sized patches (no per-call allocation). */
export class NsimScratch {
  cross = new Float64Array(0);
  crossMean = new Float64Array(0);
  bandMeans = new Float64Array(0);
  ensure(cells: number, rows: number): void {
    if (this.cross.length < cells) {
      this.cross = new Float64Array(cells);
      this.crossMean = new Float64Array(cells);
    }
    if (this.bandMeans.length < rows) this.bandMeans = new Float64Array(rows);
  }
}

/**
 * NSIM of two patches of equal shape. Pass precomputed stats and a scratch object in hot loops;
 * the returned `bandMeans` is then a view into the scratch (copy it to keep it).
 */
export function nsim(
  ref: Patch,
  deg: Patch,
  refStats: PatchStats = patchStats(ref),
  degStats: PatchStats = patchStats(deg),
  scratch: NsimScratch = new NsimScratch(),
): NsimResult {
  const { rows, cols } = ref;
  const n = rows * cols;
  scratch.ensure(n, rows);
  const cross = scratch.cross;
  for (let i = 0; i < n; i++) cross[i] = ref.data[i] * deg.data[i];
  convolve3x3Replicate(cross, rows, cols, scratch.crossMean);
  const crossMean = scratch.crossMean;
  const bandMeans = scratch.bandMeans.subarray(0, rows);
  const { mu: muR, meanSq: sqR } = refStats;
  const { mu: muD, meanSq: sqD } = degStats;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let rowSum = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const mr = muR[i];
      const md = muD[i];
      const mrSq = mr * mr;
      const mdSq = md * md;
      const mrd = mr * md;
      const intensity = (mrd * 2 + NSIM_C1) / (mrSq + mdSq + NSIM_C1);
      const sr = sqR[i] - mrSq;
      const sd = sqD[i] - mdSq;
      const srd = crossMean[i] - mrd;
      const prod = sr * sd;
      const denom = prod < 0 ? NSIM_C3 : Math.sqrt(prod) + NSIM_C3;
      rowSum += intensity * ((srd + NSIM_C3) / denom);
    }
    bandMeans[r] = rowSum / cols;
    total += bandMeans[r];
  }
  return { similarity: total / rows, bandMeans };
}
