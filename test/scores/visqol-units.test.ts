import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { RngStream } from '../../src/core/rng.ts';
import { alignAndTruncate, bestLag, globallyAlign, upperEnvelope } from '../../src/scores/visqol/envelope-alignment.ts';
import { bitReversedMirror, fft, fftFromBitReversed, fftToBitReversed, ifft } from '../../src/scores/visqol/fft.ts';
import { crossCorrelation } from '../../src/scores/visqol/xcorr.ts';
import { erbCenterFrequencies, GammatoneFilterbank } from '../../src/scores/visqol/gammatone.ts';
import { NSIM_C1, NSIM_C3, NSIM_WINDOW, nsim } from '../../src/scores/visqol/nsim.ts';
import { createRefPatchIndices, extractPatch, type Patch } from '../../src/scores/visqol/patch-creator.ts';
import { findMostOptimalDegPatches, sliceSignal } from '../../src/scores/visqol/patch-selector.ts';
import { rmsVad, smoothVad } from '../../src/scores/visqol/rms-vad.ts';
import { similarityToQuality } from '../../src/scores/visqol/similarity-to-quality.ts';
import {
  analysisWindow,
  buildSpectrogram,
  hannSymmetric,
  prepareSpectrogramsForComparison,
  type Spectrogram,
} from '../../src/scores/visqol/spectrogram.ts';
import { visqolSpeech } from '../../src/scores/visqol/visqol.ts';
import { syntheticSpeech, withNoise } from './synthetic-speech.ts';

describe('FFT', () => {
  function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
    const n = re.length;
    const or = new Float64Array(n);
    const oi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * k * j) / n;
        or[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
        oi[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
      }
    }
    return [or, oi];
  }
  for (const n of [1, 2, 16, 64, 3, 12, 100, 257]) {
    it(`matches the direct DFT and inverts (n = ${n})`, () => {
      const rng = new RngStream(3, 'fft');
      const re = Float64Array.from({ length: n }, (_, i) => rng.at(i, 0) - 0.5);
      const im = Float64Array.from({ length: n }, (_, i) => rng.at(i, 1) - 0.5);
      const [er, ei] = naiveDft(re, im);
      const r = re.slice();
      const m = im.slice();
      fft(r, m);
      for (let k = 0; k < n; k++) {
        expect(r[k]).toBeCloseTo(er[k], 9);
        expect(m[k]).toBeCloseTo(ei[k], 9);
      }
      ifft(r, m);
      for (let k = 0; k < n; k++) {
        expect(r[k]).toBeCloseTo(re[k], 12);
        expect(m[k]).toBeCloseTo(im[k], 12);
      }
    });
  }
});

describe('bit-reversed spectra', () => {
  it('hold bin k at the bit reversal of k, its mirror -k at bitReversedMirror, and invert', () => {
    for (const bits of [1, 2, 5, 10]) {
      const n = 1 << bits;
      const rev = (k: number) => {
        let r = 0;
        for (let b = 0; b < bits; b++) if ((k >> b) & 1) r |= 1 << (bits - 1 - b);
        return r;
      };
      const rng = new RngStream(bits, 'bitrev');
      const re = Float64Array.from({ length: n }, (_, i) => rng.at(i, 0) - 0.5);
      const im = Float64Array.from({ length: n }, (_, i) => rng.at(i, 1) - 0.5);
      const [nr, ni] = [re.slice(), im.slice()];
      fft(nr, ni);
      const [br, bi] = [re.slice(), im.slice()];
      fftToBitReversed(br, bi, -1);
      for (let i = 0; i < n; i++) {
        expect(br[i]).toBeCloseTo(nr[rev(i)], 12);
        expect(bi[i]).toBeCloseTo(ni[rev(i)], 12);
        expect(rev(bitReversedMirror(i))).toBe((n - rev(i)) % n);
      }
      fftFromBitReversed(br, bi, 1);
      for (let i = 0; i < n; i++) {
        expect(br[i] / n).toBeCloseTo(re[i], 12);
        expect(bi[i] / n).toBeCloseTo(im[i], 12);
      }
    }
  });
});

describe('large transforms and the cross-correlation', () => {
  it('puts a complex exponential in its one bin at 2^17 points (above the twiddle cache)', () => {
    const n = 1 << 17;
    const f = 12345;
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      re[t] = Math.cos((2 * Math.PI * f * t) / n);
      im[t] = Math.sin((2 * Math.PI * f * t) / n);
    }
    fft(re, im);
    for (const k of [0, 1, f - 1, f, f + 1, n - f, n - 1]) {
      expect(re[k]).toBeCloseTo(k === f ? n : 0, 4);
      expect(im[k]).toBeCloseTo(0, 4);
    }
    ifft(re, im);
    expect(re[777]).toBeCloseTo(Math.cos((2 * Math.PI * f * 777) / n), 9);
    expect(im[777]).toBeCloseTo(Math.sin((2 * Math.PI * f * 777) / n), 9);
  });

  it('gives c[k mod n] = sum_m a[m] b[m + k], as the direct sum does', () => {
    const rng = new RngStream(5, 'xcorr');
    for (const [la, lb, n] of [
      [20, 30, 64],
      [1, 1, 2],
      [7, 3, 16],
      [50, 50, 128],
    ]) {
      const a = Float64Array.from({ length: la }, (_, i) => rng.at(la, i) - 0.5);
      const b = Float64Array.from({ length: lb }, (_, i) => rng.at(lb, i, 1) - 0.5);
      const c = crossCorrelation(a, b, n);
      for (let k = -(la - 1); k < lb; k++) {
        let direct = 0;
        for (let m = 0; m < la; m++) if (m + k >= 0 && m + k < lb) direct += a[m] * b[m + k];
        expect(c[(k + n) % n]).toBeCloseTo(direct, 12);
      }
    }
  });

  it('agrees with the direct sum at sizes the SIMD kernels transform in place, and above the twiddle cache', () => {
    const rng = new RngStream(6, 'xcorr-large');
    for (const [la, lb, n] of [
      [300, 200, 512],
      [3000, 5000, 8192],
      [100_000, 120_000, 1 << 18],
    ]) {
      const a = Float64Array.from({ length: la }, (_, i) => rng.at(la, i) - 0.5);
      const b = Float64Array.from({ length: lb }, (_, i) => rng.at(lb, i, 1) - 0.5);
      const c = crossCorrelation(a, b, n);
      // Every lag of the small sizes; a spread of lags (even and odd, both signs) of the large one.
      const step = n > 10_000 ? 7919 : 1;
      for (let k = -(la - 1); k < lb; k += step) {
        let direct = 0;
        for (let m = 0; m < la; m++) if (m + k >= 0 && m + k < lb) direct += a[m] * b[m + k];
        expect(Math.abs(c[(k + n) % n] - direct)).toBeLessThan(1e-9);
      }
    }
  });
});

describe('gammatone filterbank and spectrogram', () => {
  it('has the 21 ERB centres 50, 98.8, 156.1, ..., 5732.4, 6775.0 Hz (8 kHz top)', () => {
    const expected = [
      50.0, 98.8, 156.1, 223.4, 302.5, 395.4, 504.6, 632.8, 783.5, 960.6, 1168.6, 1413.0, 1700.2, 2037.6, 2434.0,
      2899.7, 3446.9, 4089.7, 4845.0, 5732.4, 6775.0,
    ];
    for (const fs of [16000, 48000]) {
      const cf = new GammatoneFilterbank(fs).centerHz;
      expect(cf.length).toBe(21);
      expected.forEach((f, i) => expect(Math.abs(cf[i] - f)).toBeLessThan(0.05));
    }
    expect(erbCenterFrequencies(50, 8000, 21)[0]).toBeCloseTo(50, 9);
  });

  it('caps the top at fs/2 (8 kHz input)', () => {
    const cf = new GammatoneFilterbank(8000).centerHz;
    expect(cf[0]).toBeCloseTo(50, 9);
    expect(cf[20]).toBeLessThan(4000);
    expect(cf[20]).toBeGreaterThan(3000);
  });

  it('passes a sine at a centre frequency with unit gain and rejects it in distant bands', () => {
    const fs = 16000;
    const bank = new GammatoneFilterbank(fs);
    for (const b of [2, 10, 18]) {
      const f = bank.centerHz[b];
      const x = Float64Array.from({ length: fs }, (_, i) => Math.sin((2 * Math.PI * f * i) / fs));
      const out = new Float64Array(21);
      bank.frameRms(x, out);
      expect(out[b]).toBeGreaterThan(0.68);
      expect(out[b]).toBeLessThan(0.72);
      expect(out[b - 2 >= 0 ? b - 2 : b + 2]).toBeLessThan(0.2);
    }
  });

  it('uses 80 ms windows with a 20 ms hop', () => {
    expect(analysisWindow(48000)).toEqual({ size: 3840, hop: 960, frameDurationS: 0.02 });
    expect(analysisWindow(16000)).toEqual({ size: 1280, hop: 320, frameDurationS: 0.02 });
    const w = hannSymmetric(1280);
    expect(w[0]).toBe(0);
    expect(w[1279]).toBeCloseTo(0, 15);
    expect(w[1]).toBeCloseTo(0.5 - 0.5 * Math.cos((2 * Math.PI) / 1279), 15);
  });

  it('copies the frames a view shares with an already built spectrogram, bit for bit', () => {
    const bank = new GammatoneFilterbank(16000);
    const x = syntheticSpeech(16000, 1.5, 4);
    const known = { signal: x, spectrogram: buildSpectrogram(x, bank) };
    const copy = (v: Float64Array) => Float64Array.from(v);
    // On the hop grid (a view), off the grid (a view), and a copy on the grid (not a view).
    for (const piece of [x.subarray(640, 640 + 6400), x.subarray(641, 641 + 6400), copy(x.subarray(640, 640 + 6400))]) {
      expect(buildSpectrogram(piece, bank, known)).toEqual(buildSpectrogram(copy(piece), bank));
    }
    // Frames the known spectrogram lacks (past its end) are computed.
    // The copy is really taken (marked frames show through) only for views on the grid.
    const marked = { signal: x, spectrogram: { ...known.spectrogram, data: known.spectrogram.data.map(() => -1) } };
    expect(buildSpectrogram(x.subarray(640, 640 + 6400), bank, marked).data.every((v) => v === -1)).toBe(true);
    expect(buildSpectrogram(x.subarray(641, 641 + 6400), bank, marked).data.some((v) => v === -1)).toBe(false);
    const head = x.subarray(0, x.length - 960);
    const tail = x.subarray(x.length - 3200);
    expect(buildSpectrogram(tail, bank, { signal: head, spectrogram: buildSpectrogram(head, bank) })).toEqual(buildSpectrogram(copy(tail), bank));
  });

  it('builds 1 + floor((len - win) / hop) frames and refuses short signals', () => {
    const bank = new GammatoneFilterbank(16000);
    const s = buildSpectrogram(new Float64Array(16000).fill(0.1), bank);
    expect(s.frames).toBe(1 + Math.floor((16000 - 1280) / 320));
    expect(s.bands).toBe(21);
    expect(() => buildSpectrogram(new Float64Array(1280), bank)).toThrow(JitterlabError);
  });

  it('applies the -45 dB absolute floor, the per-frame peak-45 floor, then a 0 dB global floor', () => {
    const mk = (vals: number[][]): Spectrogram => {
      const bands = vals.length;
      const frames = vals[0].length;
      const data = new Float64Array(bands * frames);
      vals.forEach((row, b) => row.forEach((v, f) => (data[b * frames + f] = v)));
      return { bands, frames, data };
    };
    // frame 0: peak 1 (0 dB) -> floor -45; frame 1: peak 1e-3 (-30 dB) -> floor -45 (absolute)
    const ref = mk([[1, 1e-3], [1e-6, 0]]);
    const deg = mk([[1e-2, 1e-4], [0, 1e-5]]);
    prepareSpectrogramsForComparison(ref, deg);
    // dB: ref [[0,-30],[-60->-45,-inf->-45]], deg [[-20,-40],[-45,-50->-45]]; min -45 -> +45
    expect(Array.from(ref.data)).toEqual([45, 15, 0, 0]);
    expect(Array.from(deg.data).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([25, 5, 0, 0]);
  });
});

describe('NSIM', () => {
  const patch = (rows: number, cols: number, f: (r: number, c: number) => number): Patch => {
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
    return { rows, cols, data };
  };

  it('uses the Gaussian window and constants of ViSQOL', () => {
    expect(NSIM_WINDOW.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(NSIM_WINDOW[4]).toBe(0.619485845753726);
    expect(NSIM_WINDOW[0]).toBe(0.0113033910173052);
    expect(NSIM_WINDOW[1]).toBe(0.0838251475442633);
    expect(NSIM_C1).toBeCloseTo(1e-4, 18);
    expect(NSIM_C3).toBeCloseTo(4.5e-4, 18);
  });

  it('is 1 for identical patches', () => {
    const rng = new RngStream(5, 'nsim');
    const p = patch(21, 20, (r, c) => 40 * rng.at(r, c));
    const res = nsim(p, p);
    expect(res.similarity).toBeCloseTo(1, 12);
    for (const b of res.bandMeans) expect(b).toBeCloseTo(1, 12);
  });

  it('on constant patches reduces to the intensity term (2ab + C1)/(a^2 + b^2 + C1)', () => {
    const a = 3;
    const b = 5;
    const res = nsim(patch(4, 6, () => a), patch(4, 6, () => b));
    // variance 0 -> structure (0 + C3)/(0 + C3) = 1; window sums to 1 -> mu = value
    expect(res.similarity).toBeCloseTo((2 * a * b + NSIM_C1) / (a * a + b * b + NSIM_C1), 9);
  });

  it('is negative for inverted structure', () => {
    const p = patch(21, 20, (r, c) => 20 + 10 * Math.sin(r + 1.7 * c));
    const q = patch(21, 20, (r, c) => 20 - 10 * Math.sin(r + 1.7 * c));
    expect(nsim(p, q).similarity).toBeLessThan(0);
  });
});

describe('similarity to quality mapping', () => {
  it('matches the published vectors (unscaled / scaled)', () => {
    const vectors: [number, number, number][] = [
      [1.0, 4.015861, 5.0],
      [0.9, 3.604401, 4.487707],
      [0.8, 3.193576, 3.976203],
      [0.5, 1.964896, 2.446419],
    ];
    for (const [v, u, s] of vectors) {
      expect(Math.abs(similarityToQuality(v, false) - u)).toBeLessThan(1e-6);
      expect(Math.abs(similarityToQuality(v, true) - s)).toBeLessThan(1e-6);
    }
  });

  it('clamps to [1, 5] and maps vnsim < 0.15 to 1', () => {
    expect(similarityToQuality(0.149)).toBe(1);
    expect(similarityToQuality(0.2, false)).toBe(1); // fit below 1 there
    expect(similarityToQuality(1.2)).toBe(5);
  });
});

describe('envelope alignment', () => {
  it('reproduces ViSQOL\'s real-valued "Hilbert" envelope (closed form for a power-of-two length)', () => {
    // Weights 1, 2, ..., 2 and 1 at Nyquist, real part only: y = 2 x_c - X[N/2] (-1)^n / N, where
    // X[N/2] = sum x_c[n] (-1)^n; envelope = |y| + mean.
    const rng = new RngStream(9, 'env');
    const n = 64;
    const x = Float64Array.from({ length: n }, (_, i) => rng.at(i) - 0.3);
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const nyq = x.reduce((acc, v, i) => acc + (v - mean) * (i % 2 === 0 ? 1 : -1), 0);
    const env = upperEnvelope(x);
    x.forEach((v, i) => {
      const y = 2 * (v - mean) - (nyq * (i % 2 === 0 ? 1 : -1)) / n;
      expect(env[i]).toBeCloseTo(Math.abs(y) + mean, 12);
    });
  });

  it('finds the lag of a shifted copy and aligns like ViSQOL', () => {
    const fs = 16000;
    const x = syntheticSpeech(fs, 1.5, 4);
    const late = new Float64Array(x.length + 200);
    late.set(x, 200);
    // deg late by 200 samples: negative lag, leading samples dropped
    const a = globallyAlign(x, late, fs);
    expect(a.lagSamples).toBe(-200);
    expect(a.lagS).toBeCloseTo(-200 / fs, 15);
    expect(Array.from(a.deg.subarray(0, 100))).toEqual(Array.from(x.subarray(0, 100)));
    // deg early by 120 samples: positive lag, zeros prepended
    const early = x.slice(120);
    const b = globallyAlign(x, early, fs);
    expect(b.lagSamples).toBe(120);
    expect(Array.from(b.deg.subarray(0, 120)).every((v) => v === 0)).toBe(true);
    expect(b.deg[500]).toBe(x[500]);
    const t = alignAndTruncate(x, early, fs);
    expect(t.ref.length).toBe(t.deg.length);
  });

  it('ignores lag 0 and lags beyond half the reference', () => {
    const env1 = Float64Array.from({ length: 40 }, (_, i) => (i === 5 ? 1 : 0));
    const env2 = Float64Array.from({ length: 40 }, (_, i) => (i === 35 ? 1 : 0));
    expect(bestLag(env1, env2)).toBe(-30);
    const x = Float64Array.from({ length: 40 }, (_, i) => (i === 5 ? 1 : 0));
    const y = Float64Array.from({ length: 40 }, (_, i) => (i === 35 ? 1 : 0));
    expect(globallyAlign(x, y, 8000).lagSamples).toBe(0);
    expect(globallyAlign(x, x, 8000).lagSamples).toBe(0);
  });
});

describe('VAD and patch creation', () => {
  it('marks a chunk silent only after three quiet chunks; the first two are always active', () => {
    expect(smoothVad([false, false, false, false, true, false, false, false])).toEqual([1, 1, 0, 0, 1, 1, 1, 0]);
    const loud = new Float64Array(10).fill(6000);
    const quiet = new Float64Array(10).fill(100);
    const s = Float64Array.from([...quiet, ...quiet, ...quiet, ...loud, ...quiet]);
    expect(rmsVad(s, 10)).toEqual([1, 1, 0, 1, 1]);
  });

  it('always keeps the first patch (start-up quirk), normalises by the maximum VALUE, patches at 9 + 20k', () => {
    const fs = 16000;
    const frames = 1 + Math.floor((2 * fs - 1280) / 320); // 97 -> 4 patches: 9, 29, 49, 69
    // Silent for 1.2 s, then loud: the first patch is kept because the VAD's first 2 chunks are
    // always active; the silent middle patches are dropped.
    const lateSpeech = new Float64Array(2 * fs);
    for (let i = Math.round(1.2 * fs); i < lateSpeech.length; i++) lateSpeech[i] = 0.5 * Math.sin(i / 3);
    expect(createRefPatchIndices(frames, lateSpeech, 320)).toEqual([9, 69]);
    // A constant signal is at "full scale" after division by its maximum value: all active.
    expect(createRefPatchIndices(frames, new Float64Array(2 * fs).fill(0.01), 320)).toEqual([9, 29, 49, 69]);
    // Speech only in the first 0.25 s: only the first patch.
    const early = new Float64Array(2 * fs);
    for (let i = 0; i < 4000; i++) early[i] = Math.sin(i / 3);
    expect(createRefPatchIndices(frames, early, 320)).toEqual([9]);
  });

  it('extracts patches with zero columns beyond the spectrogram', () => {
    const spec: Spectrogram = { bands: 2, frames: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6) };
    expect(Array.from(extractPatch(spec, 1, 4).data)).toEqual([2, 3, 0, 0, 5, 6, 0, 0]);
  });
});

describe('patch matching', () => {
  const rng = new RngStream(11, 'dp');
  const bands = 21;
  const frames = 80;
  const ref: Spectrogram = { bands, frames, data: new Float64Array(bands * frames) };
  for (let b = 0; b < bands; b++) for (let f = 0; f < frames; f++) ref.data[b * frames + f] = 40 * rng.at(b, f);

  it('matches identical spectrograms on the diagonal with similarity 1', () => {
    const idx = [9, 29, 49];
    const patches = idx.map((i) => extractPatch(ref, i, 20));
    const m = findMostOptimalDegPatches(patches, idx, ref, 0.02);
    expect(m.map((x) => x.degFrame)).toEqual(idx);
    m.forEach((x) => expect(x.similarity).toBeCloseTo(1, 12));
    expect(m[1].refStartS).toBeCloseTo(0.58, 12);
    expect(m[1].degEndS).toBeCloseTo(0.98, 12);
  });

  it('chooses "no match" for a reference patch whose content is missing in the degraded', () => {
    // Reference: band pattern a for frames 0..28, its inverse 40 - a afterwards. Degraded: pattern a
    // throughout. Patch 2 (frames 29..48) then correlates negatively with every placement, so
    // continuing from patch 1 at the same offset ("no match") beats any match.
    const a = Array.from({ length: bands }, (_, b) => 40 * rng.at(b, 999));
    const r: Spectrogram = { bands, frames: 60, data: new Float64Array(bands * 60) };
    const deg: Spectrogram = { bands, frames: 60, data: new Float64Array(bands * 60) };
    for (let b = 0; b < bands; b++) {
      for (let f = 0; f < 60; f++) {
        r.data[b * 60 + f] = f < 29 ? a[b] : 40 - a[b];
        deg.data[b * 60 + f] = a[b];
      }
    }
    const idx = [9, 29];
    const m = findMostOptimalDegPatches(idx.map((i) => extractPatch(r, i, 20)), idx, deg, 0.02);
    expect(m[0].matched).toBe(true);
    expect(m[0].similarity).toBeCloseTo(1, 9);
    expect(m[1].matched).toBe(false);
    expect(m[1].similarity).toBe(0);
    expect(m[1].degFrame).toBe(-1);
    expect(Array.from(m[1].bandMeans).every((v) => v === 0)).toBe(true);
    expect([m[1].degStartS, m[1].degEndS]).toEqual([0, 0]);
    expect(m[1].refStartS).toBeCloseTo(0.58, 12);
  });

  it('slices like ViSQOL, including zeros put in FRONT when the end overruns', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    expect(Array.from(sliceSignal(x, 10, 0.2, 0.5))).toEqual([3, 4, 5]);
    // end 1.2 s -> end index min(9, 12) = 9 -> samples 7..8, plus 2 zeros in front
    expect(Array.from(sliceSignal(x, 10, 0.7, 1.2))).toEqual([0, 0, 8, 9]);
  });
});

describe('visqolSpeech end to end (synthetic speech, 16 kHz)', () => {
  const fs = 16000;
  const x = syntheticSpeech(fs, 3);

  it('identical input: vnsim 1, unscaled MOS 4.015861..., patch times on the 20 ms grid', () => {
    const r = visqolSpeech(x, x, fs);
    expect(r.vnsim).toBeCloseTo(1, 10);
    expect(Math.abs(r.unscaledMos - 4.015861169223797)).toBeLessThan(1e-9);
    expect(r.mos).toBeGreaterThan(4.9999);
    expect(r.fvnsim.length).toBe(21);
    expect(r.patchSims.length).toBeGreaterThan(3);
    expect(r.patchSims[0].refStartS).toBeCloseTo(0.18, 12);
    expect(r.alignmentLagS).toBe(0);
  });

  it('scores fall monotonically with added noise', () => {
    const scores = [0.002, 0.01, 0.04].map((s) => visqolSpeech(x, withNoise(x, s), fs).mos);
    expect(scores[0]).toBeGreaterThan(scores[1]);
    expect(scores[1]).toBeGreaterThan(scores[2]);
    expect(scores[0]).toBeLessThan(5);
  });

  it('removes a pure delay and a level change', () => {
    const delayed = new Float64Array(x.length + 480);
    for (let i = 0; i < x.length; i++) delayed[i + 480] = 0.5 * x[i];
    const r = visqolSpeech(x, delayed, fs);
    expect(r.alignmentLagS).toBeCloseTo(-0.03, 12);
    expect(r.vnsim).toBeGreaterThan(0.99);
  });

  it('rejects inputs shorter than one window', () => {
    expect(() => visqolSpeech(new Float64Array(1000), new Float64Array(1000), fs)).toThrow(JitterlabError);
  });
});
