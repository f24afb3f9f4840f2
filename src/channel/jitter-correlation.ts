/**
 * The calibration of the Gaussian copula behind correlated jitter (ar1-jitter.ts), so that a
 * scenario's `delay.correlation` is the lag-1 correlation of the jitter itself, whatever its shape.
 *
 * The jitter is x_k = g(z_k), g the marginal's quantile function of Phi(z), z an AR(1) with latent
 * correlation r. Expanding g in the normalised Hermite polynomials h_n (a_n = E[g(Z) h_n(Z)]),
 * Mehler's formula gives Cov(g(Z1), g(Z2)) = sum_{n>=1} a_n^2 r^n for standard normals with
 * correlation r, so the jitter's lag-1 correlation is psi(r) = sum_n c_n r^n, c_n = a_n^2 / var g.
 * All c_n >= 0 and they sum to 1: psi is increasing and convex on [0, 1], psi(0) = 0, psi(1) = 1,
 * and psi(r) <= r. The AR(1) is driven by the r with psi(r) = correlation:
 * - normal: psi(r) = r (netem's clip at about 4 sigma moves it by less than 1e-5);
 * - uniform: psi(r) = (6/pi) asin(r/2) (the correlation of Phi(Z1) and Phi(Z2)), so
 *   r = 2 sin(pi c / 6) in closed form;
 * - pareto, paretonormal: numerically, a_n from exact integrals of h_n phi over fine cells of z
 *   with g at each cell's midpoint;
 * - empirical: the same, exactly, on the table's own cells (a table is constant on each).
 * TERMS coefficients are kept; the variance beyond them (below 5e-5 for the built-in shapes) is
 * put on r^(TERMS+1), so psi(1) = 1 stays exact; the latent correlations found agree to 3e-6 with
 * 300 terms on cells three times finer. psi is inverted by Newton's method from r = 1,
 * which on an increasing convex function descends monotonically to the root.
 */
import { JitterlabError } from '../core/errors.ts';
import { normalCdf, normalQuantile } from './gaussian.ts';
import { NETEM_TABLE_LIMIT, standardJitterFromLatent, type DistTable, type JitterDistribution } from './jitter-distribution.ts';

const TERMS = 200;
/** Cells of z for the shapes given by a formula: [-Z_MAX, Z_MAX] in steps of 0.0015, open at both ends. */
const Z_MAX = 9;
const Z_CELLS = 12_000;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** One marginal's copula: its moments (in units of jitterMs) and its lag-1 correlation map. */
export interface JitterCopula {
  /** Mean of the standardized marginal (multiply by jitterMs). */
  readonly mean: number;
  /** Standard deviation of the standardized marginal (multiply by jitterMs). */
  readonly sigma: number;
  /** The jitter's lag-1 correlation when the latent AR(1) has correlation r (0..1). */
  psi(r: number): number;
  /** The latent correlation whose jitter has lag-1 correlation c (0..1). */
  latent(c: number): number;
}

/**
 * A marginal constant on consecutive cells of z: `edges` (ascending, length m + 1, with -Infinity
 * and Infinity at the ends) and `values` (length m). Returns the series coefficients and moments.
 */
function seriesOfCells(edges: ArrayLike<number>, values: ArrayLike<number>): { c: Float64Array; mean: number; variance: number } {
  const a = new Float64Array(TERMS + 1);
  const h = new Float64Array(TERMS + 1);
  // prev[n] = h_n(z) phi(z) at the cell's left edge (0 at -Infinity).
  const prev = new Float64Array(TERMS + 1);
  const cur = new Float64Array(TERMS + 1);
  const sqrt = Float64Array.from({ length: TERMS + 2 }, (_, n) => Math.sqrt(n));
  const invSqrt = Float64Array.from({ length: TERMS + 2 }, (_, n) => (n === 0 ? 0 : 1 / Math.sqrt(n)));
  let mean = 0;
  let m2 = 0;
  let cdfLeft = 0;
  for (let i = 0; i < values.length; i++) {
    const z = edges[i + 1];
    const v = values[i];
    let cdfRight = 1;
    cur.fill(0);
    if (Number.isFinite(z)) {
      cdfRight = normalCdf(z);
      const phi = Math.exp(-0.5 * z * z) / SQRT_2PI;
      h[0] = 1;
      h[1] = z;
      for (let n = 1; n < TERMS; n++) h[n + 1] = (z * h[n] - sqrt[n] * h[n - 1]) * invSqrt[n + 1];
      for (let n = 0; n <= TERMS; n++) cur[n] = h[n] * phi;
    }
    const p = cdfRight - cdfLeft;
    mean += v * p;
    m2 += v * v * p;
    // h_n phi = -(h_{n-1} phi)' / sqrt(n): the integral over the cell is a difference at its edges.
    if (v !== 0) for (let n = 1; n <= TERMS; n++) a[n] += v * (prev[n - 1] - cur[n - 1]) * invSqrt[n];
    prev.set(cur);
    cdfLeft = cdfRight;
  }
  const variance = Math.max(0, m2 - mean * mean);
  const c = new Float64Array(TERMS + 2);
  if (variance > 0) {
    let sum = 0;
    for (let n = 1; n <= TERMS; n++) {
      c[n] = (a[n] * a[n]) / variance;
      sum += c[n];
    }
    c[TERMS + 1] = Math.max(0, 1 - sum);
  }
  return { c, mean, variance };
}

function seriesCopula(s: { c: Float64Array; mean: number; variance: number }): JitterCopula {
  const { c } = s;
  const psi = (r: number): number => {
    let y = 0;
    for (let n = c.length - 1; n >= 1; n--) y = (y + c[n]) * r;
    return y;
  };
  const dpsi = (r: number): number => {
    let y = 0;
    for (let n = c.length - 1; n >= 1; n--) y = y * r + n * c[n];
    return y;
  };
  return {
    mean: s.mean,
    sigma: Math.sqrt(s.variance),
    psi,
    latent(target: number): number {
      if (!(target > 0) || s.variance === 0) return 0;
      if (target >= 1) return 1;
      // psi(r) <= r, so the root lies in [target, 1]; Newton from 1 stays above it.
      let r = 1;
      for (let i = 0; i < 100; i++) {
        const next = Math.max(target, r - (psi(r) - target) / dpsi(r));
        if (!(next < r) || r - next < 1e-15) return next;
        r = next;
      }
      return r;
    },
  };
}

/** sigma of N(0, 1) clipped at +-L: E[clip(Z)^2] = 1 - 2 Q(L) - 2 L phi(L) + 2 L^2 Q(L). */
function clippedNormalSigma(L: number): number {
  const q = normalCdf(-L);
  return Math.sqrt(1 - 2 * q - (2 * L * Math.exp(-0.5 * L * L)) / SQRT_2PI + 2 * L * L * q);
}

const NORMAL: JitterCopula = {
  mean: 0,
  sigma: clippedNormalSigma(NETEM_TABLE_LIMIT),
  psi: (r) => r,
  latent: (c) => Math.min(1, Math.max(0, c)),
};

const UNIFORM: JitterCopula = {
  mean: 0,
  sigma: 1 / Math.sqrt(3),
  psi: (r) => (6 / Math.PI) * Math.asin(r / 2),
  latent: (c) => (c >= 1 ? 1 : c > 0 ? 2 * Math.sin((Math.PI * c) / 6) : 0),
};

/** The copula of a marginal given by a formula g(z), from cells of z with g at their midpoints. */
export function copulaOfMarginal(g: (z: number) => number): JitterCopula {
  const dz = (2 * Z_MAX) / Z_CELLS;
  const edges = new Float64Array(Z_CELLS + 1);
  const values = new Float64Array(Z_CELLS);
  for (let i = 0; i <= Z_CELLS; i++) edges[i] = -Z_MAX + i * dz;
  edges[0] = Number.NEGATIVE_INFINITY;
  edges[Z_CELLS] = Number.POSITIVE_INFINITY;
  for (let i = 0; i < Z_CELLS; i++) values[i] = g(-Z_MAX + (i + 0.5) * dz);
  return seriesCopula(seriesOfCells(edges, values));
}

/** The copula of a netem .dist table, sampled by quantile index (jitter-distribution.ts): exact. */
function copulaOfTable(table: DistTable): JitterCopula {
  const n = table.values.length;
  const edges = new Float64Array(n + 1);
  for (let i = 1; i < n; i++) edges[i] = normalQuantile(i / n, (n - i) / n);
  edges[0] = Number.NEGATIVE_INFINITY;
  edges[n] = Number.POSITIVE_INFINITY;
  return seriesCopula(seriesOfCells(edges, table.values));
}

const byShape = new Map<Exclude<JitterDistribution, 'empirical'>, JitterCopula>([
  ['uniform', UNIFORM],
  ['normal', NORMAL],
]);
const byTable = new WeakMap<DistTable, JitterCopula>();

/** The copula of a jitter shape (built once per shape, or per table for 'empirical'). */
export function jitterCopula(dist: JitterDistribution, table?: DistTable | null): JitterCopula {
  if (dist === 'empirical') {
    if (!table) throw new JitterlabError('internal', 'jitterCopula: distribution "empirical" needs its table');
    let t = byTable.get(table);
    if (!t) byTable.set(table, (t = copulaOfTable(table)));
    return t;
  }
  let s = byShape.get(dist);
  if (!s) byShape.set(dist, (s = copulaOfMarginal((z) => standardJitterFromLatent(dist, z))));
  return s;
}

/** The latent AR(1) correlation that gives jitter of this shape a lag-1 correlation of `c`. */
export function latentCorrelation(dist: JitterDistribution, c: number, table?: DistTable | null): number {
  if (!(c > 0)) return 0;
  if (c >= 1) return 1;
  return jitterCopula(dist, table).latent(c);
}
