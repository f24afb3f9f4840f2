/**
 * The trendline delay-gradient filter. draft-ietf-rmcat-gcc-02 section 5.3 estimates the
 * queuing-delay gradient m(i) with a Kalman filter; later GCC implementations replaced it with
 * this least-squares trend, which is what the task asks for:
 *
 *   accumulated += d(i)                                   (d = arrival delta − send delta, ms)
 *   smoothed = α · smoothed + (1 − α) · accumulated        (α = smoothing, 0.9)
 *   slope = least-squares slope of (arrival time, smoothed) over the last `window` groups
 *   m(i) = min(groups seen, 60) · slope · gain             (gain 4)
 *
 * A slope of s ms per ms means the queue grows s ms per ms of wall time; the scaling by the
 * number of groups (capped) makes m comparable with the overuse threshold in ms (section 5.4).
 */

const MAX_DELTAS_SCALE = 60;

export class TrendlineFilter {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private firstArrivalMs: number | null = null;
  private accumulated = 0;
  private smoothed = 0;
  private deltas = 0;
  private trend = 0;

  constructor(
    private readonly window = 20,
    private readonly smoothing = 0.9,
    private readonly gain = 4,
  ) {}

  /** One inter-group delta; returns the modified trend m(i). */
  update(arrivalDeltaMs: number, sendDeltaMs: number, arrivalMs: number): number {
    const d = arrivalDeltaMs - sendDeltaMs;
    this.deltas = Math.min(this.deltas + 1, 1000);
    if (this.firstArrivalMs === null) this.firstArrivalMs = arrivalMs;
    this.accumulated += d;
    this.smoothed = this.smoothing * this.smoothed + (1 - this.smoothing) * this.accumulated;
    this.xs.push(arrivalMs - this.firstArrivalMs);
    this.ys.push(this.smoothed);
    if (this.xs.length > this.window) {
      this.xs.shift();
      this.ys.shift();
    }
    if (this.xs.length === this.window) {
      const s = leastSquaresSlope(this.xs, this.ys);
      if (s !== null) this.trend = s;
    }
    return this.modifiedTrend;
  }

  /** Raw slope of the smoothed accumulated delay (ms per ms). */
  get slope(): number {
    return this.trend;
  }

  get modifiedTrend(): number {
    return Math.min(this.deltas, MAX_DELTAS_SCALE) * this.trend * this.gain;
  }

  get numDeltas(): number {
    return this.deltas;
  }
}

/** Ordinary least-squares slope of y on x; null when the x values do not vary. */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}
