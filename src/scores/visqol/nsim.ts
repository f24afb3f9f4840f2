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
 *
 * The patch matcher compares each reference patch with a patch at every frame of the degraded
 * spectrogram (hundreds of thousands of comparisons a minute), so the statistics that belong to one
 * side alone (mu, mu^2, sqrt of the variance) are computed once per side: for a whole spectrogram at
 * once (`NsimField`), where a patch at any offset is a view, not a copy. Per comparison only the
 * cross term is left, and the cell's two quotients share one division.
 */
import type { Patch } from './patch-creator.ts';
import { NSIM_CELL_DOUBLES, NSIM_CELL_INTS, simdKernels, type SimdKernels } from './simd-kernels.ts';

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
 * The window applied at one cell: columns left/c/right of rows up/mid/down (row starts), summed
 * column by column, top to bottom, with the kernel index running backwards from 8 as ViSQOL does
 * (a true convolution; the kernel is symmetric, the order is kept anyway).
 */
function window3x3(x: Float64Array, up: number, mid: number, down: number, left: number, c: number, right: number): number {
  let sum = x[up + left] * CORNER;
  sum += x[mid + left] * EDGE;
  sum += x[down + left] * CORNER;
  sum += x[up + c] * EDGE;
  sum += x[mid + c] * CENTRE;
  sum += x[down + c] * EDGE;
  sum += x[up + right] * CORNER;
  sum += x[mid + right] * EDGE;
  sum += x[down + right] * CORNER;
  return sum;
}

/** Where a column sits in a patch: the window replicates the patch's first and last columns. */
const INTERIOR = 0;
const FIRST = 1;
const LAST = 2;

/**
 * A band-major matrix seen as the patches of `cols` columns starting at each of its columns, with
 * the one-sided NSIM statistics of every cell in each of the three positions a column can take in
 * a patch (interior, first, last: the window replicates a patch's edge columns). Columns past the
 * matrix's end are zeros, as ViSQOL's degraded patches past the end of the signal are.
 */
export class NsimField {
  /** Row stride: the matrix's columns plus the zero columns the last patch reaches. */
  readonly width: number;
  readonly data: Float64Array;
  /** Per position: [mu, mu^2, signed sqrt of the local variance] of each cell, interleaved. */
  readonly stats: readonly [Float64Array, Float64Array, Float64Array];

  /** `matrix` is rows x columns; patches of `cols` columns will start at offsets 0 .. offsets - 1. */
  constructor(
    readonly rows: number,
    columns: number,
    readonly cols: number,
    matrix: Float64Array,
    offsets = 1,
  ) {
    const width = Math.max(columns, offsets - 1 + cols);
    this.width = width;
    this.data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) this.data.set(matrix.subarray(r * columns, (r + 1) * columns), r * width);
    const sq = new Float64Array(this.data.length);
    for (let i = 0; i < sq.length; i++) sq[i] = this.data[i] * this.data[i];
    this.stats = [this.statsAt(INTERIOR, sq), this.statsAt(FIRST, sq), this.statsAt(LAST, sq)];
  }

  /** The field of one patch (its only offset is 0). */
  static ofPatch(p: Patch): NsimField {
    return new NsimField(p.rows, p.cols, p.cols, p.data);
  }

  private statsAt(position: number, sq: Float64Array): Float64Array {
    const { rows, width, data } = this;
    const s = new Float64Array(3 * rows * width);
    for (let r = 0; r < rows; r++) {
      const up = (r === 0 ? 0 : r - 1) * width;
      const mid = r * width;
      const down = (r === rows - 1 ? rows - 1 : r + 1) * width;
      for (let j = 0; j < width; j++) {
        // Interior columns at the stored ends are never used; clamp rather than read outside.
        const left = position === FIRST || j === 0 ? j : j - 1;
        const right = position === LAST || j === width - 1 ? j : j + 1;
        const mu = window3x3(data, up, mid, down, left, j, right);
        const muSq = mu * mu;
        const variance = window3x3(sq, up, mid, down, left, j, right) - muSq;
        const k = 3 * (mid + j);
        s[k] = mu;
        s[k + 1] = muSq;
        s[k + 2] = variance < 0 ? -Math.sqrt(-variance) : Math.sqrt(variance);
      }
    }
    return s;
  }
}

/**
 * NSIM of the patch at offset 0 of `ref` against the patches at offsets first .. first + count - 1
 * of `deg` (same rows and patch width): out[k] for offset first + k. With `bandMeans` (rows x count,
 * band-major) the per-band means are written too. The offsets run innermost: every cell's
 * reference statistics and window weights stay fixed while the degraded side streams past.
 */
export function nsimAcrossOffsets(ref: NsimField, deg: NsimField, first: number, count: number, out: Float64Array, bandMeans?: Float64Array): void {
  const { rows, cols } = ref;
  const last = cols - 1;
  const rowSum = new Float64Array(count);
  out.fill(0, 0, count);
  for (let r = 0; r < rows; r++) {
    rowSum.fill(0);
    const up = r === 0 ? 0 : r - 1;
    const down = r === rows - 1 ? rows - 1 : r + 1;
    for (let c = 0; c < cols; c++) {
      const position = c === 0 ? FIRST : c === last ? LAST : INTERIOR;
      const left = c === 0 ? 0 : c - 1;
      const right = c === last ? last : c + 1;
      addCellTerms(ref, deg, first, count, [up, r, down], [left, c, right], position, rowSum);
    }
    for (let k = 0; k < count; k++) {
      const mean = rowSum[k] / cols;
      if (bandMeans) bandMeans[r * count + k] = mean;
      out[k] += mean;
    }
  }
  for (let k = 0; k < count; k++) out[k] /= rows;
}

/**
 * Adds cell (rowsAt[1], colsAt[1])'s NSIM term for each offset to acc. The window of the cross
 * products is summed in ViSQOL's order, each reference value folded into its weight.
 */
function addCellTerms(
  ref: NsimField,
  deg: NsimField,
  first: number,
  count: number,
  rowsAt: readonly [number, number, number],
  colsAt: readonly [number, number, number],
  position: number,
  acc: Float64Array,
): void {
  const a = ref.data;
  const aw = ref.width;
  const [u, m, d] = rowsAt;
  const [l, c, r] = colsAt;
  const w0 = a[u * aw + l] * CORNER;
  const w1 = a[m * aw + l] * EDGE;
  const w2 = a[d * aw + l] * CORNER;
  const w3 = a[u * aw + c] * EDGE;
  const w4 = a[m * aw + c] * CENTRE;
  const w5 = a[d * aw + c] * EDGE;
  const w6 = a[u * aw + r] * CORNER;
  const w7 = a[m * aw + r] * EDGE;
  const w8 = a[d * aw + r] * CORNER;
  const as = ref.stats[position];
  const ai = 3 * (m * aw + c);
  const ma = as[ai];
  const intensityDen = as[ai + 1] + NSIM_C1;
  const rootA = as[ai + 2];
  const b = deg.data;
  const bw = deg.width;
  const bu = u * bw + first;
  const bm = m * bw + first;
  const bd = d * bw + first;
  const bs = deg.stats[position];
  const bi = 3 * (bm + c);
  const ul = bu + l, ml = bm + l, dl = bd + l;
  const uc = bu + c, mc = bm + c, dc = bd + c;
  const ur = bu + r, mr = bm + r, dr = bd + r;
  for (let k = 0; k < count; k++) {
    let cross = w0 * b[ul + k];
    cross += w1 * b[ml + k];
    cross += w2 * b[dl + k];
    cross += w3 * b[uc + k];
    cross += w4 * b[mc + k];
    cross += w5 * b[dc + k];
    cross += w6 * b[ur + k];
    cross += w7 * b[mr + k];
    cross += w8 * b[dr + k];
    const j = bi + 3 * k;
    const mab = ma * bs[j];
    // sqrt(s_a^2) sqrt(s_b^2) from signed roots: negative exactly when ViSQOL's s_a^2 s_b^2 is.
    const roots = rootA * bs[j + 2];
    const num = (mab * 2 + NSIM_C1) * (cross - mab + NSIM_C3);
    const den = (intensityDen + bs[j + 1]) * ((roots < 0 ? 0 : roots) + NSIM_C3);
    acc[k] += num / den;
  }
}

/**
 * nsimAcrossOffsets of many reference patches against one degraded field: by the SIMD kernel (two
 * offsets per step, same bits; simd-kernels.ts), which holds the degraded field in its memory for
 * the search's lifetime, or by nsimAcrossOffsets where WebAssembly SIMD is missing. Reference
 * patches must have the field's rows and patch width. Use one search at a time.
 */
export class NsimOffsetSearch {
  private kernels: SimdKernels | null;
  /** Row stride in the kernel's memory: the field's, plus the columns an odd count's spare lane reads. */
  private readonly stride: number;
  private readonly plane: number;
  private readonly cells: number;
  private readonly refsAt: number;
  private readonly scratchAt: number;

  constructor(private readonly deg: NsimField) {
    this.kernels = simdKernels();
    const { rows, cols, width } = deg;
    this.stride = width + 2;
    this.plane = rows * this.stride;
    // Memory (in doubles): values, 3 positions x (mu, mu^2, root) planes, cell offsets, reference numbers, scratch.
    this.cells = 10 * this.plane;
    this.refsAt = this.cells + Math.ceil((rows * cols * NSIM_CELL_INTS) / 2);
    this.scratchAt = this.refsAt + rows * cols * NSIM_CELL_DOUBLES;
    const heap = this.kernels?.heap(this.scratchAt);
    if (heap) this.load(heap);
    else this.kernels = null;
  }

  private load(heap: Float64Array): void {
    const { rows, cols, width, data, stats } = this.deg;
    const { stride, plane } = this;
    heap.fill(0, 0, this.cells);
    for (let r = 0; r < rows; r++) {
      heap.set(data.subarray(r * width, (r + 1) * width), r * stride);
      for (let position = 0; position < 3; position++) {
        const s = stats[position];
        const base = (1 + 3 * position) * plane + r * stride;
        for (let j = 0; j < width; j++) {
          const k = 3 * (r * width + j);
          heap[base + j] = s[k];
          heap[base + plane + j] = s[k + 1];
          heap[base + 2 * plane + j] = s[k + 2];
        }
      }
    }
    // Byte offsets of each cell's window values and statistics (offset 0), as addCellTerms reads them.
    const ints = this.kernels!.int32();
    const last = cols - 1;
    let at = 2 * this.cells;
    for (let r = 0; r < rows; r++) {
      const u = (r === 0 ? 0 : r - 1) * stride, m = r * stride, d = (r === rows - 1 ? rows - 1 : r + 1) * stride;
      for (let c = 0; c < cols; c++) {
        const l = c === 0 ? 0 : c - 1;
        const rt = c === last ? last : c + 1;
        const position = c === 0 ? FIRST : c === last ? LAST : INTERIOR;
        for (const i of [u + l, m + l, d + l, u + c, m + c, d + c, u + rt, m + rt, d + rt]) ints[at++] = 8 * i;
        ints[at++] = 8 * ((1 + 3 * position) * plane + m + c);
      }
    }
  }

  /** out[k] = NSIM of `ref` against the degraded patch at offset first + k, k < count. */
  run(ref: NsimField, first: number, count: number, out: Float64Array): void {
    const kernels = this.kernels;
    const pairs = Math.ceil(count / 2);
    const heap = kernels && count > 0 ? kernels.heap(this.scratchAt + 4 * pairs + 4) : null;
    if (!kernels || !heap) {
      nsimAcrossOffsets(ref, this.deg, first, count, out);
      return;
    }
    const { rows, cols } = this.deg;
    writeReferenceCells(ref, heap, this.refsAt);
    const rowSum = this.scratchAt;
    const outAt = rowSum + 2 * pairs;
    heap.fill(0, outAt, outAt + 2 * pairs);
    kernels.exports.nsimOffsets(
      8 * this.cells, 8 * this.refsAt, 8 * first, 8 * first, 8 * this.plane,
      rows, cols, 16 * pairs, 8 * rowSum, 8 * outAt, cols, rows,
    );
    for (let k = 0; k < count; k++) out[k] = heap[outAt + k];
  }
}

/** Per cell of `ref`, row-major: its 9 weighted window values, mu, mu^2 + C1 and signed root. */
function writeReferenceCells(ref: NsimField, heap: Float64Array, at: number): void {
  const { rows, cols, width: aw, data: a } = ref;
  const last = cols - 1;
  for (let m = 0; m < rows; m++) {
    const u = m === 0 ? 0 : m - 1;
    const d = m === rows - 1 ? rows - 1 : m + 1;
    for (let c = 0; c < cols; c++) {
      const l = c === 0 ? 0 : c - 1;
      const r = c === last ? last : c + 1;
      const as = ref.stats[c === 0 ? FIRST : c === last ? LAST : INTERIOR];
      const ai = 3 * (m * aw + c);
      heap[at++] = a[u * aw + l] * CORNER;
      heap[at++] = a[m * aw + l] * EDGE;
      heap[at++] = a[d * aw + l] * CORNER;
      heap[at++] = a[u * aw + c] * EDGE;
      heap[at++] = a[m * aw + c] * CENTRE;
      heap[at++] = a[d * aw + c] * EDGE;
      heap[at++] = a[u * aw + r] * CORNER;
      heap[at++] = a[m * aw + r] * EDGE;
      heap[at++] = a[d * aw + r] * CORNER;
      heap[at++] = as[ai];
      heap[at++] = as[ai + 1] + NSIM_C1;
      heap[at++] = as[ai + 2];
    }
  }
}

export interface NsimResult {
  /** Mean over bands of the per-band means. */
  similarity: number;
  /** Per-band mean NSIM over the patch's frames. */
  bandMeans: Float64Array;
}

/** NSIM of two patches of equal shape. */
export function nsim(ref: Patch, deg: Patch): NsimResult {
  const out = new Float64Array(1);
  const bandMeans = new Float64Array(ref.rows);
  nsimAcrossOffsets(NsimField.ofPatch(ref), NsimField.ofPatch(deg), 0, 1, out, bandMeans);
  return { similarity: out[0], bandMeans };
}
