/**
 * Waveform-similarity search: find the segment of a signal most similar to a reference segment.
 *
 * One primitive serves the three uses in this folder:
 * - pitch estimation for PLC (G.711 Appendix I): the reference is the last 20 ms, the candidates
 *   lie 5..15 ms earlier;
 * - accelerate / preemptive expand (NetEq time_stretch.cc): the reference is the start of the
 *   input, the candidates lie 2.5..15 ms later;
 * - WSOLA (Verhelst & Roelands 1993): the reference is the natural continuation of the previous
 *   segment, the candidates lie within a tolerance of the nominal analysis position.
 *
 * The similarity is the cross-correlation normalised by the candidate's energy,
 * `<ref, cand> / sqrt(<cand, cand>)`, which for a fixed reference ranks candidates like the
 * correlation coefficient. The search is two-stage and bounded, as in NetEq and G.711 App. I:
 * a coarse search on the signal decimated to about 4 kHz (boxcar mean, a crude anti-alias filter
 * that is good enough for locating a pitch peak), then a refinement at full rate within one
 * decimation step of the coarse peak. Scratch buffers grow to the largest size seen; no per-call
 * allocation once warm.
 */
import type { Samples } from './types.ts';

/** Normalised cross-correlation of x[a, a+len) with x[b, b+len), in [-1, 1]; 0 if either is silent. */
export function correlationCoefficient(x: Samples, a: number, b: number, len: number): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < len; i++) {
    const u = x[a + i];
    const v = x[b + i];
    xy += u * v;
    xx += u * u;
    yy += v * v;
  }
  if (xx <= 0 || yy <= 0) return 0;
  return xy / Math.sqrt(xx * yy);
}

/** scores[c - lo] = <s[ref, ref+len), s[c, c+len)> / sqrt(energy of s[c, c+len)) for c in [lo, hi]. */
function scan(s: Samples, ref: number, len: number, lo: number, hi: number, scores: Float64Array): void {
  let e = 0;
  for (let i = 0; i < len; i++) e += s[lo + i] * s[lo + i];
  for (let c = lo; c <= hi; c++) {
    if (c > lo) {
      const gone = s[c - 1];
      const come = s[c + len - 1];
      e += come * come - gone * gone;
    }
    let d = 0;
    for (let i = 0; i < len; i++) d += s[ref + i] * s[c + i];
    scores[c - lo] = e > 1e-6 ? d / Math.sqrt(e) : 0;
  }
}

/**
 * Index of the best score. With `ratio < 1`, any interior local maximum scoring at least `ratio` times the
 * best may win if its position (`base + i * step`) is closer to `prefer`: for a periodic signal the
 * lags T, 2T, 3T score alike and the nearest one (the pitch period, not a multiple) is wanted.
 */
function pick(scores: Float64Array, count: number, base: number, step: number, prefer: number, ratio: number): number {
  let bestIdx = 0;
  let best = scores[0];
  for (let i = 1; i < count; i++) {
    if (scores[i] > best) {
      best = scores[i];
      bestIdx = i;
    }
  }
  if (!(best > 0) || ratio >= 1) return bestIdx;
  const floor = best * ratio;
  let chosen = bestIdx;
  let dist = Math.abs(base + bestIdx * step - prefer);
  for (let i = 0; i < count; i++) {
    const v = scores[i];
    // Only interior peaks: a range edge on a slope (typical of low-pass speech at the shortest
    // lag) is not a period.
    if (v < floor || i === 0 || i === count - 1) continue;
    if (v < scores[i - 1] || v < scores[i + 1]) continue;
    const d = Math.abs(base + i * step - prefer);
    if (d < dist) {
      dist = d;
      chosen = i;
    }
  }
  return chosen;
}

export class MatchSearch {
  /** Result of the last `find`: the best candidate start and its correlation coefficient with the reference. */
  position = 0;
  coefficient = 0;

  private x: Samples = new Float32Array(0);
  private length = 0;
  private factor = 1;
  private xd = new Float32Array(0);
  private nd = 0;
  private scores = new Float64Array(0);

  /** Set the signal to search in (kept by reference) and compute its decimated copy. */
  load(x: Samples, length: number, factor: number): void {
    this.x = x;
    this.length = length;
    this.factor = factor;
    const nd = Math.floor(length / factor);
    if (this.xd.length < nd) this.xd = new Float32Array(nd);
    const inv = 1 / factor;
    let p = 0;
    for (let i = 0; i < nd; i++) {
      let acc = 0;
      for (let k = 0; k < factor; k++) acc += x[p++];
      this.xd[i] = acc * inv;
    }
    this.nd = nd;
  }

  /**
   * Best start `c` in [lo, hi] for a segment of `len` samples similar to x[ref, ref+len).
   * Requires 0 <= lo <= hi, hi + len <= length and ref + len <= length (callers clamp).
   * `prefer` and `ratio` break near-ties between periodic repeats (see `pick`).
   */
  find(ref: number, len: number, lo: number, hi: number, prefer: number, ratio: number): number {
    const D = this.factor;
    const lenD = Math.floor(len / D);
    let rLo = lo;
    let rHi = hi;
    let rRatio = ratio;
    if (D > 1 && lenD >= 8) {
      const phase = ref % D;
      const refD = (ref - phase) / D;
      const cLo = Math.max(0, Math.ceil((lo - phase) / D));
      const cHi = Math.min(this.nd - lenD, Math.floor((hi - phase) / D));
      if (cLo <= cHi) {
        const count = cHi - cLo + 1;
        this.ensureScores(count);
        scan(this.xd, refD, lenD, cLo, cHi, this.scores);
        const idx = pick(this.scores, count, cLo * D + phase, D, prefer, ratio);
        const centre = (cLo + idx) * D + phase;
        rLo = Math.max(lo, centre - D);
        rHi = Math.min(hi, centre + D);
        rRatio = 1;
      }
    }
    // Full-rate stage: the refinement around the coarse peak, or the whole range when the
    // segment is too short to decimate.
    const count = rHi - rLo + 1;
    this.ensureScores(count);
    scan(this.x, ref, len, rLo, rHi, this.scores);
    const c = rLo + pick(this.scores, count, rLo, 1, prefer, rRatio);
    this.position = c;
    this.coefficient = correlationCoefficient(this.x, ref, c, len);
    return c;
  }

  private ensureScores(n: number): void {
    if (this.scores.length < n) this.scores = new Float64Array(Math.max(n, 2 * this.scores.length));
  }
}
