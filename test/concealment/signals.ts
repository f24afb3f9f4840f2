/** Test signals and independent measurements (brute-force, full-rate: no shared code with the DSP under test). */

/**
 * Harmonic complex at f0: sum over harmonics k (up to `maxHz`, below Nyquist) of k^-tilt cos(2 pi k f0 t),
 * scaled to peak `amp`. All cosines in phase give a pulse train: with tilt 1 it looks like a glottal
 * pulse train; with tilt 2 it is smoother (small sample-to-sample steps, so clicks stand out).
 */
export function harmonicTone(f0: number, fs: number, n: number, opts: { amp?: number; tilt?: number; maxHz?: number; phase?: number } = {}): Int16Array {
  const amp = opts.amp ?? 12000;
  const tilt = opts.tilt ?? 1;
  const maxHz = Math.min(opts.maxHz ?? 3600, 0.45 * fs);
  const phase = opts.phase ?? 0;
  const kMax = Math.max(1, Math.floor(maxHz / f0));
  const raw = new Float64Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 1; k <= kMax; k++) v += Math.cos(k * (2 * Math.PI * f0 * (i / fs) + phase)) / k ** tilt;
    raw[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((raw[i] / peak) * amp);
  return out;
}

/** Like `harmonicTone` but with f0 gliding linearly from `f0a` to `f0b` over the n samples (phase = integral of f0). */
export function glideTone(f0a: number, f0b: number, fs: number, n: number, opts: { amp?: number; tilt?: number; maxHz?: number } = {}): Int16Array {
  const amp = opts.amp ?? 12000;
  const tilt = opts.tilt ?? 2;
  const maxHz = Math.min(opts.maxHz ?? 3600, 0.45 * fs);
  const kMax = Math.max(1, Math.floor(maxHz / Math.max(f0a, f0b)));
  const raw = new Float64Array(n);
  let peak = 0;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const f0 = f0a + ((f0b - f0a) * i) / n;
    let v = 0;
    for (let k = 1; k <= kMax; k++) v += Math.cos(k * phase) / k ** tilt;
    phase += (2 * Math.PI * f0) / fs;
    raw[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((raw[i] / peak) * amp);
  return out;
}

/**
 * Period (samples, fractional) of x[start, start+len) by normalised autocorrelation over lags
 * minLag..maxLag: the shortest local maximum within 0.9 of the best, refined by a parabola.
 * Needs start + len + maxLag <= x.length.
 */
export function estimatePeriod(x: ArrayLike<number>, start: number, len: number, minLag: number, maxLag: number): { period: number; r: number } {
  const r = new Float64Array(maxLag + 2);
  for (let lag = Math.max(1, minLag - 1); lag <= maxLag + 1; lag++) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = start; i < start + len; i++) {
      const a = x[i];
      const b = x[i + lag] ?? 0;
      xy += a * b;
      xx += a * a;
      yy += b * b;
    }
    r[lag] = xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0;
  }
  let best = -2;
  for (let lag = minLag; lag <= maxLag; lag++) best = Math.max(best, r[lag]);
  let lag = minLag;
  for (let l = minLag; l <= maxLag; l++) {
    if (r[l] >= 0.9 * best && r[l] >= r[l - 1] && r[l] >= r[l + 1]) {
      lag = l;
      break;
    }
  }
  const a = r[lag - 1];
  const b = r[lag];
  const c = r[lag + 1];
  const den = a - 2 * b + c;
  const delta = den < 0 ? (0.5 * (a - c)) / den : 0;
  return { period: lag + Math.max(-0.5, Math.min(0.5, delta)), r: b };
}

/** max |x[n] - x[n-1]| for n in [from, to). */
export function maxJump(x: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let n = Math.max(1, from); n < Math.min(to, x.length); n++) m = Math.max(m, Math.abs(x[n] - x[n - 1]));
  return m;
}

export function energy(x: ArrayLike<number>, from = 0, to = x.length): number {
  let e = 0;
  for (let i = from; i < to; i++) e += x[i] * x[i];
  return e;
}

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function frames(x: Int16Array, frameLen: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i + frameLen <= x.length; i += frameLen) out.push(x.slice(i, i + frameLen));
  return out;
}
