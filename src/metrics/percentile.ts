/**
 * Percentiles by linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of R and numpy): for sorted x of length n, p in [0, 1], h = (n - 1) p,
 * Q = x[floor h] + (h - floor h) (x[ceil h] - x[floor h]).
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Summary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Summary statistics of a sample (null fields for an empty sample). */
export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  if (n === 0) return { count: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null };
  return {
    count: n,
    min: sorted[0],
    mean: sum / n,
    p50: percentileSorted(sorted, 0.5),
    p95: percentileSorted(sorted, 0.95),
    p99: percentileSorted(sorted, 0.99),
    max: sorted[n - 1],
  };
}
