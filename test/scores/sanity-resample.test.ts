import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import {
  alignedOverlap,
  downmix,
  estimateLag,
  levelOffsetDb,
  logSpectralDistance,
  resample,
  scorePair,
  segmentalSnrDb,
} from '../../src/scores/index.ts';
import { besselI0 } from '../../src/scores/resample.ts';
import { syntheticSpeech, withNoise } from './synthetic-speech.ts';

const sine = (fs: number, f: number, n: number, amp = 1) =>
  Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / fs));

function rms(x: Float64Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / (to - from));
}

describe('resample', () => {
  it('I0 matches its series at known points', () => {
    expect(besselI0(0)).toBe(1);
    expect(besselI0(1)).toBeCloseTo(1.2660658777520082, 14);
    expect(besselI0(2)).toBeCloseTo(2.2795853023360673, 13);
    expect(besselI0(5)).toBeCloseTo(27.239871823604442, 11);
  });

  it('keeps an in-band sine (48k -> 16k, 44.1k -> 16k, 8k -> 16k) and its phase', () => {
    for (const [from, f] of [
      [48000, 1000],
      [44100, 3000],
      [8000, 440],
      [16000, 6000],
    ] as const) {
      const x = sine(from, f, from);
      const y = resample(x, from, 16000);
      expect(y.length).toBe(Math.ceil((x.length * 16000) / from));
      const ideal = sine(16000, f, y.length);
      let maxErr = 0;
      for (let i = 800; i < y.length - 800; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - ideal[i]));
      expect(maxErr).toBeLessThan(2e-3);
    }
  });

  it('suppresses components above the new Nyquist frequency (anti-aliasing)', () => {
    const y = resample(sine(48000, 9000, 48000), 48000, 16000);
    expect(rms(y, 800, y.length - 800)).toBeLessThan(1e-4);
  });

  it('filters by FFT overlap-save to within rounding of the direct sums, exact zeros in silence', () => {
    const speech = syntheticSpeech(48000, 2, 9);
    for (const [from, to] of [
      [48000, 16000],
      [32000, 16000],
      [8000, 16000],
      [24000, 16000],
    ] as const) {
      // Speech with digital silence at the start and in the middle (windows of only zeros).
      const x = Float32Array.from(speech.subarray(0, from * 2));
      x.fill(0, 0, x.length * 0.05);
      x.fill(0, x.length * 0.5, x.length * 0.7);
      const fast = resample(x, from, to);
      const direct = resample(x, from, to, { method: 'direct' });
      expect(fast.length).toBe(direct.length);
      let maxDiff = 0;
      for (let i = 0; i < fast.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fast[i] - direct[i]));
      expect(maxDiff).toBeLessThan(1e-14);
      expect(fast[Math.round(fast.length * 0.6)]).toBe(0);
      expect(fast[Math.round(fast.length * 0.02)]).toBe(0);
      expect(fast[Math.round(fast.length * 0.3)]).not.toBe(0);
    }
  });

  describe('integer decimation (polyphase FFT) equals the direct sums', () => {
    /** Max |fast - direct|, and the outputs where exactly one of the two is zero. */
    function compare(x: Float32Array | Float64Array, from: number, to: number) {
      const fast = resample(x, from, to);
      const direct = resample(x, from, to, { method: 'direct' });
      expect(fast.length).toBe(Math.ceil(x.length / (from / to)));
      expect(direct.length).toBe(fast.length);
      let maxDiff = 0;
      const zeroMismatch: number[] = [];
      for (let i = 0; i < fast.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(fast[i] - direct[i]));
        if ((fast[i] === 0) !== (direct[i] === 0)) zeroMismatch.push(i);
      }
      return { fast, direct, maxDiff, zeroMismatch };
    }
    const speech = syntheticSpeech(48000, 3, 11);
    // M = 2, 3, 4, 6 (the FFT path serves all of them by default).
    const ratios = [
      [32000, 16000],
      [48000, 16000],
      [64000, 16000],
      [96000, 16000],
    ] as const;

    it('lengths not multiples of M, Float32Array and Float64Array', () => {
      for (const [from, to] of ratios) {
        for (const n of [from + 1, from + 5, 2 * from - 1, 77777]) {
          for (const x of [Float64Array.from(speech.subarray(0, n)), Float32Array.from(speech.subarray(0, n))]) {
            const { maxDiff, zeroMismatch } = compare(x, from, to);
            expect(maxDiff, `${from} -> ${to}, n ${n}`).toBeLessThan(1e-14);
            expect(zeroMismatch).toEqual([]);
          }
        }
      }
    });

    it('signals shorter than the filter, down to one sample', () => {
      for (const [from, to] of ratios) {
        for (const n of [1, 2, 3, 5, 7, 50, 150, 401]) {
          const { fast, direct, maxDiff, zeroMismatch } = compare(Float32Array.from(speech.subarray(10000, 10000 + n)), from, to);
          expect(maxDiff, `${from} -> ${to}, n ${n}`).toBeLessThan(1e-14);
          expect(zeroMismatch).toEqual([]);
          expect(fast.length).toBe(direct.length);
        }
      }
    });

    it('digital silence at the start, in the middle and at the end gives exact zeros', () => {
      for (const [from, to] of ratios) {
        const down = from / to;
        const x = Float32Array.from(speech.subarray(0, 2 * from + 7));
        const mid = Math.round(x.length * 0.5);
        const gap = Math.round(x.length * 0.75);
        x.fill(0, 0, 3001); // leading
        x.fill(0, mid, mid + 5003); // middle
        x.fill(0, gap, gap + 100); // middle, shorter than any window here: no output silent
        x.fill(0, x.length - 4321); // trailing
        x[mid - 2000] = 0; // isolated zeros, as 16-bit speech has
        x[mid - 1999] = 0;
        const { fast, direct, maxDiff, zeroMismatch } = compare(x, from, to);
        expect(maxDiff, `${from} -> ${to}`).toBeLessThan(1e-14);
        expect(zeroMismatch).toEqual([]);
        for (const at of [0, 500, mid + 2500, x.length - 2000, x.length - 1]) {
          expect(fast[Math.floor(at / down)], `${from} at ${at}`).toBe(0);
        }
        expect(fast[Math.floor((mid - 2000) / down)]).not.toBe(0);
        expect(fast[Math.floor((gap + 50) / down)]).not.toBe(0);
        // Silence in, silence out.
        expect(Array.from(resample(new Float32Array(from), from, to)).every((v) => v === 0)).toBe(true);
      }
    });

    it('zero runs of every length around the window, at every phase, are found exactly', () => {
      // The windows span about 135 (M = 2) to 405 (M = 6) input samples.
      const lengths = Array.from({ length: 300 }, (_, i) => 125 + i);
      const x = new Float64Array(lengths.length * 1000);
      for (let i = 0; i < x.length; i++) x[i] = speech[i % speech.length];
      lengths.forEach((len, g) => x.fill(0, g * 1000 + (g % 7), g * 1000 + (g % 7) + len));
      for (const [from, to] of ratios) {
        const { maxDiff, zeroMismatch, fast } = compare(x, from, to);
        expect(maxDiff, `${from} -> ${to}`).toBeLessThan(1e-14);
        expect(zeroMismatch, `${from} -> ${to}`).toEqual([]);
        expect(fast.filter((v) => v === 0).length).toBeGreaterThan(10);
      }
    });

    it('one impulse gives the filter: nonzero exactly where its window reaches', () => {
      for (const [from, to] of ratios) {
        const x = new Float64Array(from / 2);
        x[9001] = 1;
        const { maxDiff, zeroMismatch, fast } = compare(x, from, to);
        expect(maxDiff).toBeLessThan(1e-14);
        expect(zeroMismatch).toEqual([]);
        expect(fast.filter((v) => v !== 0).length).toBeGreaterThan(10);
      }
    });
  });

  it('is the identity at equal rates and rejects bad rates', () => {
    const x = Float32Array.of(0.1, -0.2, 0.3);
    expect(Array.from(resample(x, 16000, 16000))).toEqual(Array.from(Float64Array.from(x)));
    expect(() => resample(x, 0, 16000)).toThrow(JitterlabError);
    expect(() => resample(x, 44100.5, 16000)).toThrow(JitterlabError);
  });
});

describe('sanity measures', () => {
  const fs = 16000;
  const x = syntheticSpeech(fs, 2, 3);

  it('estimateLag recovers a delay and an advance', () => {
    const late = new Float64Array(x.length + 137);
    late.set(x, 137);
    expect(estimateLag(x, late, fs)).toMatchObject({ lagSamples: 137 });
    expect(estimateLag(x, late, fs).correlation).toBeGreaterThan(0.99);
    expect(estimateLag(x, x.slice(50), fs).lagSamples).toBe(-50);
    expect(estimateLag(x, x, fs).lagS).toBe(0);
  });

  it('alignedOverlap undoes the lag', () => {
    const late = new Float64Array(x.length + 10);
    late.set(x, 10);
    const o = alignedOverlap(x, late, 10);
    expect(o.ref.length).toBe(x.length);
    expect(Array.from(o.deg.subarray(0, 50))).toEqual(Array.from(x.subarray(0, 50)));
  });

  it('levelOffsetDb is 20 log10 of a gain', () => {
    expect(levelOffsetDb(x, x.map((v) => v * 0.5))).toBeCloseTo(20 * Math.log10(0.5), 10);
    expect(levelOffsetDb(x, x)).toBe(0);
    expect(levelOffsetDb(new Float64Array(10), new Float64Array(10))).toBeNaN();
  });

  it('LSD is 0 for identical signals and |20 log10 g| for a gain when eps is negligible', () => {
    expect(logSpectralDistance(x, x, fs)).toBeLessThan(1e-9);
    const loud = sine(fs, 1000, fs, 0.5).map((v, i) => v + 0.3 * Math.sin(i * 0.37) + 0.2 * Math.sin(i * 2.1));
    const lsd = logSpectralDistance(loud, loud.map((v) => 2 * v), fs, { eps: 1e-30 });
    expect(lsd).toBeCloseTo(20 * Math.log10(2), 6);
    expect(logSpectralDistance(x.subarray(0, 100), x.subarray(0, 100), fs)).toBeNaN();
  });

  it('segmental SNR matches a closed form and clamps to [-10, 35]', () => {
    // deg = 0.9 ref: every frame SNR = 10 log10(1 / 0.01) = 20 dB (silent-in-both frames skipped)
    const s = sine(fs, 300, fs);
    expect(segmentalSnrDb(s, s.map((v) => 0.9 * v), fs)).toBeCloseTo(20, 9);
    expect(segmentalSnrDb(s, s, fs)).toBe(35);
    expect(segmentalSnrDb(s, s.map((v) => -5 * v), fs)).toBe(-10);
    expect(segmentalSnrDb(new Float64Array(fs), new Float64Array(fs), fs)).toBeNaN();
  });
});

describe('scorePair', () => {
  it('downmixes interleaved stereo', () => {
    expect(Array.from(downmix({ samples: Float32Array.of(1, 0, 0.5, 0.5), sampleRate: 8000, channels: 2 }))).toEqual([
      0.5, 0.5,
    ]);
    expect(() => downmix({ samples: new Float32Array(4), sampleRate: 8000, channels: 0 })).toThrow(JitterlabError);
  });

  it('scores a 48 kHz stereo reference against a delayed, noisier 16 kHz degraded', () => {
    const ref48 = syntheticSpeech(48000, 3, 8);
    const stereo = new Float32Array(ref48.length * 2);
    ref48.forEach((v, i) => {
      stereo[2 * i] = v;
      stereo[2 * i + 1] = v;
    });
    const deg16 = withNoise(resample(ref48, 48000, 16000), 0.003);
    const delayed = new Float64Array(deg16.length + 800);
    delayed.set(deg16.map((v) => v * 0.7), 800); // 50 ms late, -3.1 dB
    const r = scorePair({ samples: stereo, sampleRate: 48000, channels: 2 }, { samples: delayed, sampleRate: 16000 });
    expect(r.lagMs).toBeCloseTo(50, 6);
    expect(r.levelOffsetDb).toBeCloseTo(20 * Math.log10(0.7), 1);
    expect(r.visqol.alignmentLagS).toBeCloseTo(-0.05, 9);
    expect(r.visqol.mos).toBeGreaterThan(2.5);
    expect(r.visqol.mos).toBeLessThan(4.9);
    expect(r.lsdDb).toBeGreaterThan(0);
    const clean = scorePair({ samples: ref48, sampleRate: 48000 }, { samples: ref48, sampleRate: 48000 });
    expect(clean.visqol.mos).toBeGreaterThan(r.visqol.mos);
  });
});
