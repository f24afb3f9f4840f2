/**
 * Band-limited sample-rate conversion by a rational factor L/M with a Kaiser-windowed sinc,
 * evaluated in polyphase form (Crochiere & Rabiner, "Multirate Digital Signal Processing", 1983,
 * ch. 4; Kaiser window per J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh
 * window function", 1974).
 *
 * The low-pass cutoff is `rolloff` x the lower of the two Nyquist frequencies; the kernel spans
 * `zeroCrossings` zero crossings of that sinc on each side. Each of the L phases is normalised
 * to unit DC gain. Signal edges are treated as zeros. Output length: ceil(n L / M).
 */
import { JitterlabError } from '../core/errors.ts';
import { firOverlapSave } from './fir-overlap-save.ts';
import { decimateByPolyphaseFft } from './polyphase-decimator.ts';

export interface ResampleOptions {
  /** Zero crossings of the (lower-rate) sinc on each side. Default 32. */
  zeroCrossings?: number;
  /** Cutoff as a fraction of the lower Nyquist frequency. Default 0.95. */
  rolloff?: number;
  /** Kaiser window beta (8.6: about -90 dB side lobes). Default 8.6. */
  kaiserBeta?: number;
  /** 'direct' forces the plain polyphase sums (the reference the overlap-save path is tested against). */
  method?: 'auto' | 'direct';
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

interface PolyphasePlan {
  up: number;
  down: number;
  /** Taps per phase (2 * half). */
  taps: number;
  /** Index of input sample for tap 0 relative to floor(position): -(half - 1). */
  firstTap: number;
  /** taps x up coefficients, phase-major. */
  coef: Float64Array;
}

function plan(fromRate: number, toRate: number, opts: ResampleOptions): PolyphasePlan {
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const zeroCrossings = opts.zeroCrossings ?? 32;
  const rolloff = opts.rolloff ?? 0.95;
  const beta = opts.kaiserBeta ?? 8.6;
  // Cutoff in cycles per input sample x 2 (i.e. relative to the input Nyquist).
  const fc = Math.min(1, up / down) * rolloff;
  const half = Math.ceil(zeroCrossings / fc);
  const taps = 2 * half;
  const firstTap = -(half - 1);
  const coef = new Float64Array(taps * up);
  const i0Beta = besselI0(beta);
  for (let phase = 0; phase < up; phase++) {
    const frac = phase / up; // position minus floor(position), in input samples
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const t = frac - (firstTap + j); // distance from the output position to input sample
      const u = t / half;
      let h = 0;
      if (Math.abs(u) < 1) {
        const x = Math.PI * fc * t;
        const sinc = x === 0 ? 1 : Math.sin(x) / x;
        h = fc * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta);
      }
      coef[phase * taps + j] = h;
      sum += h;
    }
    for (let j = 0; j < taps; j++) coef[phase * taps + j] /= sum;
  }
  return { up, down, taps, firstTap, coef };
}

/**
 * Resample `x` from `fromRate` to `toRate` (both positive integers, Hz). Integer decimation (48 kHz
 * to 16 kHz: up 1, down 3) runs as a polyphase filter bank by FFT overlap-save at the output rate
 * (polyphase-decimator.ts). Other ratios with few phases run each phase's filter by FFT
 * overlap-save over the input and keep every `down`-th output; the rest are direct sums. All
 * agree with the direct sums to rounding.
 */
export function resample(
  x: Float32Array | Float64Array,
  fromRate: number,
  toRate: number,
  opts: ResampleOptions = {},
): Float64Array {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new JitterlabError('usage', `resample: rates must be positive integers (got ${fromRate} -> ${toRate})`);
  }
  if (fromRate === toRate) return new Float64Array(x);
  const p = plan(fromRate, toRate, opts);
  const out = new Float64Array(Math.ceil((x.length * p.up) / p.down));
  if (opts.method === 'direct' || !overlapSaveIsCheaper(p)) resampleDirect(x, p, out);
  else if (p.up === 1) decimateByPolyphaseFft(x, p.coef, p.firstTap, p.down, out);
  else resampleByPhases(x, p, out);
  return out;
}

/**
 * Operations per output: about `taps` multiply-adds for the direct sum; for overlap-save, each of
 * the `up` phases filters every input sample (about 24 operations each at the block sizes used,
 * measured) and keeps one in `down`, so about 24 down per output. Integer decimation (up 1) costs
 * less than that by the polyphase decimator (about 1.6x less at down 3), so the test errs towards
 * the direct sum there.
 */
function overlapSaveIsCheaper(p: PolyphasePlan): boolean {
  return p.up <= 4 && 24 * p.down < p.taps;
}

function resampleDirect(x: Float32Array | Float64Array, p: PolyphasePlan, out: Float64Array): void {
  const n = x.length;
  const { up, down, taps, firstTap, coef } = p;
  for (let k = 0; k < out.length; k++) {
    // Output k sits at input position k * down / up = base + phase / up.
    const num = k * down;
    const base = Math.floor(num / up);
    const phase = num - base * up;
    const c0 = phase * taps;
    const start = base + firstTap;
    let acc = 0;
    if (start >= 0 && start + taps <= n) {
      for (let j = 0; j < taps; j++) acc += coef[c0 + j] * x[start + j];
    } else {
      for (let j = 0; j < taps; j++) {
        const i = start + j;
        if (i >= 0 && i < n) acc += coef[c0 + j] * x[i];
      }
    }
    out[k] = acc;
  }
}

/**
 * The outputs of one phase are every up-th output (k = k0, k0 + up, ...); their windows start
 * `down` input samples apart. Output k of phase p is sum_j coef_p[j] x[base + firstTap + j],
 * i.e. the convolution with the reversed kernel at input position base + taps/2.
 */
function resampleByPhases(x: Float32Array | Float64Array, p: PolyphasePlan, out: Float64Array): void {
  const { up, down, taps, coef } = p;
  for (let k0 = 0; k0 < Math.min(up, out.length); k0++) {
    const num = k0 * down;
    const base = Math.floor(num / up);
    const phase = num - base * up;
    const kernel = coef.slice(phase * taps, (phase + 1) * taps).reverse();
    const count = Math.ceil((out.length - k0) / up);
    firOverlapSave(x, kernel, base + taps / 2, down, count, out, k0, up);
  }
}
