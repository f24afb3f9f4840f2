/**
 * The standard normal CDF and its inverse, accurate in both tails (the Gaussian copula of the
 * AR(1) jitter maps latents far out in the tail to heavy-tailed marginals, so 1 - Phi(z) must keep
 * its relative precision; 1 - Phi(z) computed as a difference would not).
 *
 * erfc(x) uses the all-positive series erf(x) = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1}/(2n+1)!!
 * below x = 2 (no cancellation), and the Laplace continued fraction
 * erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) above it
 * (Abramowitz & Stegun 7.1.6 and 7.1.14), evaluated bottom-up at a fixed depth.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;

/** erfc(x) for x >= 0, relative error near machine precision. */
function erfcNonNeg(x: number): number {
  if (x < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - ((2 / SQRT_PI) * Math.exp(-x2) * sum);
  }
  if (x > 27) return 0; // below the smallest double
  let f = x;
  for (let n = 90; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x >= 0 ? erfcNonNeg(x) : 2 - erfcNonNeg(-x);
}

/** Phi(z) = P(N(0,1) <= z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z < 0 ? 0.5 * erfcNonNeg(-z / SQRT2) : 1 - 0.5 * erfcNonNeg(z / SQRT2);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Phi^-1(u). `uc` is 1 - u when the caller has it more precisely than `1 - u` (upper tail).
 * Start from the rational approximation of A&S 26.2.23 (|error| < 4.5e-4), then refine with
 * Newton steps on the tail probability, which keeps relative precision deep in both tails.
 */
export function normalQuantile(u: number, uc: number = 1 - u): number {
  if (!(u >= 0 && u <= 1)) return NaN;
  if (u === 0) return -Infinity;
  if (uc === 0 || u === 1) return Infinity;
  const lower = u <= uc;
  const p = lower ? u : uc; // the smaller tail, in (0, 0.5]
  const t = Math.sqrt(-2 * Math.log(p));
  let x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  // x > 0 is the upper-tail point with Q(x) = p; refine on Q(x) = 0.5 erfc(x / sqrt2).
  for (let i = 0; i < 6; i++) {
    const q = 0.5 * erfc(x / SQRT2);
    const dens = normalPdf(x);
    if (dens === 0) break;
    const step = (q - p) / dens; // Q'(x) = -pdf
    x += step;
    if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return lower ? -x : x;
}
