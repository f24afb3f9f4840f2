/**
 * Downsampling for drawing: a one-hour call has 180 000 packets and 172 million audio samples;
 * a chart needs a few thousand points. Min/max bucketing keeps every extreme of the series (a
 * single 300 ms delay spike stays visible), unlike decimation or averaging, at most two points
 * per bucket. Full data stays in results.json / packets.csv.
 */
import { Series } from '../../core/series.ts';

export interface XY {
  x: number;
  y: number;
}

/** The default cap on points drawn per series. */
export const MAX_POINTS_PER_SERIES = 4000;

/**
 * A series as two columns (x, y) growing in place: a one-hour call's per-packet series as {x, y}
 * objects is about 15 MB each, as columns about 3 MB.
 */
export class XYColumns {
  readonly x = new Series();
  readonly y = new Series();

  get length(): number {
    return this.x.length;
  }

  push(x: number, y: number): void {
    this.x.push(x);
    this.y.push(y);
  }

  static of(points: readonly XY[]): XYColumns {
    const c = new XYColumns();
    for (const p of points) c.push(p.x, p.y);
    return c;
  }
}

/**
 * Min/max bucketing of a series sorted by x: the x range is cut into maxPoints/2 equal buckets;
 * each non-empty bucket keeps its lowest and its highest point (one when they coincide), in x
 * order. Series with at most `maxPoints` points are returned as they are (copied).
 * Non-finite y values are dropped.
 */
export function minMaxBuckets(points: readonly XY[], maxPoints = MAX_POINTS_PER_SERIES): XY[] {
  return minMaxBucketsOf(XYColumns.of(points), maxPoints);
}

/** minMaxBuckets of a columnar series. */
export function minMaxBucketsOf(s: XYColumns, maxPoints = MAX_POINTS_PER_SERIES): XY[] {
  const x = s.x.values();
  const y = s.y.values();
  const finite = (i: number) => Number.isFinite(x[i]) && Number.isFinite(y[i]);
  let count = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    if (!finite(i)) continue;
    count++;
    if (first < 0) first = i;
    last = i;
  }
  const out: XY[] = [];
  if (count <= maxPoints) {
    for (let i = 0; i < s.length; i++) if (finite(i)) out.push({ x: x[i], y: y[i] });
    return out;
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const x0 = x[first];
  const span = x[last] - x0;
  let cur = -1;
  let lo = -1;
  let hi = -1;
  const flush = () => {
    if (lo < 0 || hi < 0) return;
    if (lo === hi) out.push({ x: x[lo], y: y[lo] });
    else if (x[lo] <= x[hi]) out.push({ x: x[lo], y: y[lo] }, { x: x[hi], y: y[hi] });
    else out.push({ x: x[hi], y: y[hi] }, { x: x[lo], y: y[lo] });
  };
  for (let i = 0; i < s.length; i++) {
    if (!finite(i)) continue;
    const b = span > 0 ? Math.min(buckets - 1, Math.floor(((x[i] - x0) / span) * buckets)) : 0;
    if (b !== cur) {
      flush();
      cur = b;
      lo = i;
      hi = i;
    } else {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
  }
  flush();
  return out;
}

/**
 * Waveform peaks: `buckets` (min, max) pairs over equal slices of `samples` (which may be fed in
 * chunks through `PeakAccumulator`). Values stay in the samples' own scale.
 */
export class PeakAccumulator {
  readonly min: Float32Array;
  readonly max: Float32Array;
  private seen = 0;

  constructor(
    readonly totalSamples: number,
    readonly buckets: number,
  ) {
    const n = Math.max(1, Math.min(buckets, Math.max(1, totalSamples)));
    this.min = new Float32Array(n).fill(0);
    this.max = new Float32Array(n).fill(0);
  }

  push(chunk: ArrayLike<number>): void {
    const n = this.min.length;
    const total = Math.max(1, this.totalSamples);
    // Sample idx belongs to bucket floor(idx n / total); walk bucket by bucket (no division per sample).
    let i = 0;
    while (i < chunk.length) {
      const idx = this.seen + i;
      if (idx >= total) break;
      const b = Math.min(n - 1, Math.floor((idx * n) / total));
      const edge = b === n - 1 ? total : Math.ceil(((b + 1) * total) / n);
      const stop = Math.min(chunk.length, edge - this.seen);
      let lo = this.min[b];
      let hi = this.max[b];
      for (; i < stop; i++) {
        const v = chunk[i];
        if (v < lo) lo = v;
        else if (v > hi) hi = v;
      }
      this.min[b] = lo;
      this.max[b] = hi;
    }
    this.seen += chunk.length;
  }
}

export function waveformPeaks(samples: ArrayLike<number>, buckets: number): { min: number[]; max: number[] } {
  const acc = new PeakAccumulator(samples.length, buckets);
  acc.push(samples);
  return { min: Array.from(acc.min), max: Array.from(acc.max) };
}

/**
 * Runs of true in a boolean-per-slot sequence as [start, end) slot intervals; intervals closer
 * than `mergeGap` slots are merged, so a long call with scattered loss stays a bounded list
 * (at most `maxIntervals`; the gap doubles until it fits).
 */
export function runsOf(flags: ArrayLike<boolean | number>, mergeGap = 0, maxIntervals = 2000): Array<[number, number]> {
  const raw: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= flags.length; i++) {
    const f = i < flags.length && flags[i];
    if (f && start < 0) start = i;
    else if (!f && start >= 0) {
      raw.push([start, i]);
      start = -1;
    }
  }
  let gap = mergeGap;
  for (;;) {
    const merged: Array<[number, number]> = [];
    for (const r of raw) {
      const last = merged[merged.length - 1];
      if (last && r[0] - last[1] <= gap) last[1] = r[1];
      else merged.push([r[0], r[1]]);
    }
    if (merged.length <= maxIntervals) return merged;
    gap = Math.max(1, gap * 2);
  }
}

function finiteValues(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  for (let i = 0, k = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[k++] = values[i];
  return out;
}

/** Histogram of values into `bins` equal bins over [lo, hi]; returns bin lower edges and counts. */
export function histogram(values: ArrayLike<number>, bins: number, lo?: number, hi?: number): { edges: number[]; width: number; counts: number[] } {
  const finite = finiteValues(values);
  if (!finite.length) return { edges: [], width: 0, counts: [] };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < finite.length; i++) {
    min = Math.min(min, finite[i]);
    max = Math.max(max, finite[i]);
  }
  const a = lo ?? min;
  let b = hi ?? max;
  if (b <= a) b = a + 1;
  const width = (b - a) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < finite.length; i++) counts[Math.min(bins - 1, Math.max(0, Math.floor((finite[i] - a) / width)))]++;
  return { edges: counts.map((_, i) => a + i * width), width, counts };
}

/** Empirical CDF at most `maxPoints` points: (value, fraction <= value), exact at each kept quantile. */
export function empiricalCdf(values: ArrayLike<number>, maxPoints = 500): XY[] {
  // A typed array sorts numerically without a comparator (no boxed numbers per comparison).
  const s = finiteValues(values).sort();
  if (!s.length) return [];
  const n = s.length;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const out: XY[] = [];
  for (let i = 0; i < n; i += step) out.push({ x: s[i], y: (i + 1) / n });
  if (out[out.length - 1].y !== 1) out.push({ x: s[n - 1], y: 1 });
  return out;
}
