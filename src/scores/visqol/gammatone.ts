/**
 * ERB-spaced gammatone filterbank as used by ViSQOL v3 (google/visqol
 * `equivalent_rectangular_bandwidth.cc`, `gammatone_filterbank.cc`), which follows Slaney's
 * "An Efficient Implementation of the Patterson-Holdsworth Auditory Filter Bank" (Apple TR #35,
 * 1993): Glasberg & Moore ERB (earQ 9.26449, minBW 24.7, order 1), B = 1.019 * 2 pi * ERB, each
 * 4th-order gammatone realised as 4 cascaded 2nd-order sections sharing one denominator.
 */

import { simdKernels } from './simd-kernels.ts';

export const EAR_Q = 9.26449;
export const MIN_BW = 24.7;

/**
 * Centre frequencies uniformly spaced on the ERB scale from lowHz to highHz (Slaney TR #35
 * pp. 33-34), returned in ASCENDING order (Slaney computes them high to low; ViSQOL flips them).
 * The lowest equals lowHz; the highest lies below highHz.
 */
export function erbCenterFrequencies(lowHz: number, highHz: number, numBands: number): Float64Array {
  const eb = EAR_Q * MIN_BW;
  const step = (Math.log(lowHz + eb) - Math.log(highHz + eb)) / numBands;
  const out = new Float64Array(numBands);
  for (let i = 0; i < numBands; i++) {
    // Slaney's index i (0 = highest) lands at position numBands - 1 - i.
    out[numBands - 1 - i] = -eb + Math.exp((i + 1) * step) * (highHz + eb);
  }
  return out;
}

/** One band's coefficients: 4 numerators (b0, b1; b2 = 0) sharing the denominator (1, a1, a2). */
export interface GammatoneBand {
  centerHz: number;
  gain: number;
  /** Numerator b0 of each of the 4 sections (the first one divided by the gain). */
  b0: Float64Array;
  /** Numerator b1 of each of the 4 sections. */
  b1: Float64Array;
  a1: number;
  a2: number;
}

type C = [number, number];
const cmul = (x: C, y: C): C => [x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0]];
const cadd = (x: C, y: C): C => [x[0] + y[0], x[1] + y[1]];
const cscale = (x: C, s: number): C => [x[0] * s, x[1] * s];
const cexpi = (phase: number): C => [Math.cos(phase), Math.sin(phase)];
const cabs = (x: C): number => Math.hypot(x[0], x[1]);

/** Slaney's MakeERBFilters for one centre frequency. */
export function makeGammatoneBand(sampleRate: number, cf: number): GammatoneBand {
  const T = 1 / sampleRate;
  const erb = cf / EAR_Q + MIN_BW; // order 1: ((cf/earQ)^1 + minBW^1)^(1/1)
  const B = 1.019 * 2 * Math.PI * erb;
  const expBT = Math.exp(B * T);
  const w = 2 * Math.PI * cf * T;
  const a1 = (-2 * Math.cos(w)) / expBT;
  const a2 = Math.exp(-2 * B * T);
  const bBase = Math.sin(w) * T;
  const p1 = 2 ** 1.5;
  const bPos = bBase * 2 * Math.sqrt(3 + p1);
  const bNeg = bBase * 2 * Math.sqrt(3 - p1);
  const a = Math.cos(w) * 2 * T;
  const A11 = -(a / expBT + bPos / expBT) / 2;
  const A12 = -(a / expBT - bPos / expBT) / 2;
  const A13 = -(a / expBT + bNeg / expBT) / 2;
  const A14 = -(a / expBT - bNeg / expBT) / 2;

  // Gain normalisation: |H(e^{i w})| of the cascade at the centre frequency.
  const s1 = Math.sqrt(3 - p1);
  const s2 = Math.sqrt(3 + p1);
  const xExp = cexpi(2 * w);
  const x01 = cscale(xExp, -2 * T);
  const x02 = cscale(cexpi(w), 2 * Math.exp(-B * T) * T);
  const xCos = Math.cos(w);
  const xSin = Math.sin(w);
  const x1 = cadd(x01, cscale(x02, xCos - s1 * xSin));
  const x2 = cadd(x01, cscale(x02, xCos + s1 * xSin));
  const x3 = cadd(x01, cscale(x02, xCos - s2 * xSin));
  const x4 = cadd(x01, cscale(x02, xCos + s2 * xSin));
  const x5 = cadd(cadd([-2 / Math.exp(2 * B * T), 0], cscale(xExp, -2)), cscale(cadd([1, 0], xExp), 2 / expBT));
  const gain = (cabs(cmul(cmul(x1, x2), cmul(x3, x4))) / cabs(x5) ** 4);

  return {
    centerHz: cf,
    gain,
    b0: Float64Array.of(T / gain, T, T, T),
    b1: Float64Array.of(A11 / gain, A12, A13, A14),
    a1,
    a2,
  };
}

/**
 * A bank of `numBands` gammatone filters between lowHz and min(highHz, fs/2), lowest band first.
 * `frameRms` filters one frame from zero state (ViSQOL resets the filters every frame) and writes
 * the RMS of each band's output.
 */
export class GammatoneFilterbank {
  readonly centerHz: Float64Array;
  readonly bands: readonly GammatoneBand[];

  constructor(
    readonly sampleRate: number,
    readonly numBands = 21,
    lowHz = 50,
    highHz = 8000,
  ) {
    const top = Math.min(highHz, sampleRate / 2);
    this.centerHz = erbCenterFrequencies(lowHz, top, numBands);
    this.bands = Array.from(this.centerHz, (cf) => makeGammatoneBand(sampleRate, cf));
  }

  /** RMS of each band's response to `frame` (filters start from rest). out.length >= numBands. */
  frameRms(frame: Float64Array, out: Float64Array): void {
    const n = frame.length;
    for (let band = 0; band < this.bands.length; band++) {
      const { b0, b1, a1, a2 } = this.bands[band];
      const p0 = b0[0], p1 = b0[1], p2 = b0[2], p3 = b0[3];
      const q0 = b1[0], q1 = b1[1], q2 = b1[2], q3 = b1[3];
      // Four cascaded sections in transposed direct form II (b2 = 0), state reset to zero, fused
      // into one pass so the whole cascade stays in registers.
      let s0a = 0, s0b = 0, s1a = 0, s1b = 0, s2a = 0, s2b = 0, s3a = 0, s3b = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const x = frame[i];
        const y0 = p0 * x + s0a;
        s0a = q0 * x + s0b - a1 * y0;
        s0b = -a2 * y0;
        const y1 = p1 * y0 + s1a;
        s1a = q1 * y0 + s1b - a1 * y1;
        s1b = -a2 * y1;
        const y2 = p2 * y1 + s2a;
        s2a = q2 * y1 + s2b - a1 * y2;
        s2b = -a2 * y2;
        const y3 = p3 * y2 + s3a;
        s3a = q3 * y2 + s3b - a1 * y3;
        s3b = -a2 * y3;
        sum += y3 * y3;
      }
      out[band] = Math.sqrt(sum / n);
    }
  }

  /**
   * frameRms of two frames of equal length at once: they ride in the two lanes of a SIMD kernel,
   * one instruction stream for both (same operations, same bits; simd-kernels.ts), about twice as
   * fast. Two frames interleaved in JavaScript were slower: their 16 filter states do not stay in
   * the registers. Without WebAssembly SIMD, two frameRms calls.
   */
  framePairRms(frameA: Float64Array, frameB: Float64Array, outA: Float64Array, outB: Float64Array): void {
    const kernels = simdKernels();
    const n = frameA.length;
    const heap = kernels && frameB.length === n && n > 0 ? kernels.heap(2 * n + 2) : null;
    if (!kernels || !heap) {
      this.frameRms(frameA, outA);
      this.frameRms(frameB, outB);
      return;
    }
    for (let i = 0; i < n; i++) {
      heap[2 * i] = frameA[i];
      heap[2 * i + 1] = frameB[i];
    }
    const end = 16 * n;
    const pair = kernels.exports.gammatonePair;
    for (let band = 0; band < this.bands.length; band++) {
      const { b0, b1, a1, a2 } = this.bands[band];
      // The kernel multiplies by -a2 as frameRms's `-a2 * y` does (negation first).
      pair(0, end, end, b0[0], b0[1], b0[2], b0[3], b1[0], b1[1], b1[2], b1[3], a1, -a2);
      outA[band] = Math.sqrt(heap[2 * n] / n);
      outB[band] = Math.sqrt(heap[2 * n + 1] / n);
    }
  }
}
