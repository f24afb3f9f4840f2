/**
 * The WebAssembly SIMD kernels of the ViSQOL port (simd-kernels.ts) against the JavaScript loops
 * they replace: the same bits everywhere (Object.is, so even the sign of a zero counts), for the
 * gammatone frame pairs, the NSIM patch search, the FFT stages and the whole score.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { fftBuffers, fftFromBitReversed, fftToBitReversed } from '../../src/scores/visqol/fft.ts';
import { GammatoneFilterbank } from '../../src/scores/visqol/gammatone.ts';
import { nsimAcrossOffsets, NsimField, NsimOffsetSearch } from '../../src/scores/visqol/nsim.ts';
import { simdKernels, useSimdKernels } from '../../src/scores/visqol/simd-kernels.ts';
import { crossCorrelation } from '../../src/scores/visqol/xcorr.ts';
import { visqolSpeech } from '../../src/scores/visqol/visqol.ts';
import { syntheticSpeech, withNoise } from './synthetic-speech.ts';

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function noise(n: number, seed: number, scale = 1): Float64Array {
  const rng = new RngStream(seed, 'test.visqol-simd');
  return Float64Array.from({ length: n }, (_, i) => scale * rng.normalAt(i, 0));
}

afterEach(() => useSimdKernels(true));

describe('ViSQOL SIMD kernels', () => {
  it('are available on this Node (otherwise the comparisons below would compare the fallback with itself)', () => {
    expect(simdKernels()).not.toBeNull();
    useSimdKernels(false);
    expect(simdKernels()).toBeNull();
  });

  it('filter two gammatone frames exactly as two frameRms calls', () => {
    const bank = new GammatoneFilterbank(16000);
    for (const n of [1, 7, 1280]) {
      const a = noise(n, 1);
      const b = noise(n, 2, 1e-3);
      const pa = new Float64Array(21), pb = new Float64Array(21), ra = new Float64Array(21), rb = new Float64Array(21);
      bank.framePairRms(a, b, pa, pb);
      bank.frameRms(a, ra);
      bank.frameRms(b, rb);
      expect(sameBits(pa, ra) && sameBits(pb, rb), `n = ${n}`).toBe(true);
    }
  });

  it('score a reference patch against every degraded offset exactly as nsimAcrossOffsets', () => {
    const rows = 21, cols = 20, columns = 301;
    // dB-like values with flat stretches (zero local variance, where rounding can make it negative).
    const m = noise(rows * columns, 3, 6).map((v, i) => (i % 37 < 9 ? 12.5 : Math.abs(v) + 20));
    const deg = new NsimField(rows, columns, cols, m, columns);
    const p = noise(rows * cols, 4, 6).map((v, i) => (i % 11 < 3 ? 12.5 : Math.abs(v) + 20));
    const ref = new NsimField(rows, cols, cols, p);
    const search = new NsimOffsetSearch(deg);
    for (const [first, count] of [[0, 301], [17, 120], [5, 1], [280, 21]]) {
      const want = new Float64Array(count);
      const got = new Float64Array(count);
      nsimAcrossOffsets(ref, deg, first, count, want);
      search.run(ref, first, count, got);
      expect(sameBits(got, want), `offsets ${first} + ${count}`).toBe(true);
    }
  });

  it('give the FFT stages the same bits, in place and copied, forward and inverse', () => {
    for (const log2 of [8, 9, 12, 15]) {
      const n = 1 << log2;
      // Zeros of both signs and zero runs too: skipping the twiddles at k = 0 shows only there.
      const signedZeros = (x: Float64Array) => x.map((v, i) => (i % 3 === 0 ? 0 : i % 5 === 0 ? -0 : i > n / 2 ? -0 : v));
      const re = signedZeros(noise(n, 5)), im = signedZeros(noise(n, 6)).map((v, i) => (i % 7 === 0 ? -0 : v));
      const run = (simd: boolean, sign: number, inPlace: boolean): [Float64Array, Float64Array] => {
        useSimdKernels(simd);
        const [r, i] = inPlace ? fftBuffers(n) : [new Float64Array(n), new Float64Array(n)];
        r.set(re);
        i.set(im);
        if (sign < 0) fftToBitReversed(r, i, -1);
        else fftFromBitReversed(r, i, 1);
        return [r.slice(), i.slice()];
      };
      for (const sign of [-1, 1]) {
        const [jr, ji] = run(false, sign, false);
        for (const inPlace of [false, true]) {
          const [sr, si] = run(true, sign, inPlace);
          expect(sameBits(sr, jr) && sameBits(si, ji), `n = ${n}, sign ${sign}, in place ${inPlace}`).toBe(true);
        }
      }
    }
  });

  it('keep the signs of zeros that skipping the twiddles at k = 0 keeps', () => {
    const n = 256;
    // -0 in the quarters a and c of the first stage, +0 elsewhere: there, x = t0 - t2 is -0 and
    // a twiddle product (1, -0) would turn it into +0.
    const re = Float64Array.from({ length: n }, (_, i) => ((i >> 6) % 2 === 0 ? -0 : 0));
    const im = new Float64Array(n);
    useSimdKernels(false);
    const [jr, ji] = [re.slice(), im.slice()];
    fftToBitReversed(jr, ji, -1);
    useSimdKernels(true);
    const [sr, si] = [re.slice(), im.slice()];
    fftToBitReversed(sr, si, -1);
    expect(sameBits(sr, jr) && sameBits(si, ji)).toBe(true);
  });

  it('leave a correlation result alone when the next one is computed', () => {
    const a = noise(600, 7), b = noise(600, 8);
    const first = crossCorrelation(a, b, 2048);
    const copy = first.slice();
    crossCorrelation(b, a, 2048);
    expect(sameBits(first, copy)).toBe(true);
  });

  it('give the whole speech-mode score the same bits as the JavaScript loops', () => {
    const fs = 16000;
    const ref = syntheticSpeech(fs, 6, 3);
    const deg = withNoise(ref.map((v, i) => (i > 30000 && i < 32000 ? 0 : v * 0.7)), 0.01, 4);
    useSimdKernels(false);
    const js = visqolSpeech(ref, deg, fs);
    useSimdKernels(true);
    const simd = visqolSpeech(ref, deg, fs);
    expect(simd.patchSims.length).toBeGreaterThan(5);
    expect(Object.is(simd.mos, js.mos)).toBe(true);
    expect(sameBits(simd.fvnsim, js.fvnsim)).toBe(true);
    expect(sameBits(simd.patchSims.map((p) => p.similarity), js.patchSims.map((p) => p.similarity))).toBe(true);
    expect(sameBits(simd.patchSims.map((p) => p.degStartS), js.patchSims.map((p) => p.degStartS))).toBe(true);
  });
});
