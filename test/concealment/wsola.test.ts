import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JitterlabError } from '../../src/core/errors.ts';
import { RngStream } from '../../src/core/rng.ts';
import { accelerate, preemptiveExpand, stretchTo } from '../../src/concealment/index.ts';
import { concat, estimatePeriod, frames, harmonicTone, maxJump } from './signals.ts';

const RATES = [8000, 16000, 44100, 48000];

/** Uniform white noise with RMS `rms`, from the project's seeded RNG. */
function noise(n: number, rms: number, seed: number): Int16Array {
  const rng = new RngStream(seed, 'test.concealment.noise');
  const out = new Int16Array(n);
  const a = rms * Math.sqrt(3);
  for (let i = 0; i < n; i++) out[i] = Math.round((2 * rng.at(i) - 1) * a);
  return out;
}

/** Period of the whole of `y`, with lags 2.5..12.5 ms. */
function periodOf(y: Int16Array, fs: number): number {
  const maxLag = Math.round(0.0125 * fs);
  return estimatePeriod(y, 0, y.length - maxLag - 1, Math.round(0.0025 * fs), maxLag).period;
}

describe('accelerate', () => {
  for (const fs of RATES) {
    for (const f0 of [200, 173]) {
      it(`removes one pitch period of a ${f0} Hz harmonic complex, keeping its pitch and without clicks (${fs} Hz)`, () => {
        const n = Math.round(0.03 * fs);
        const x = harmonicTone(f0, fs, n, { tilt: 1.5 });
        const period = fs / f0;
        const { output, removedSamples, correlation } = accelerate(x, fs);
        expect(Math.abs(removedSamples - period)).toBeLessThanOrEqual(Math.max(1, 0.02 * period));
        expect(output.length).toBe(n - removedSamples);
        expect(correlation).toBeGreaterThan(0.9);
        expect(Math.abs(periodOf(output, fs) / period - 1)).toBeLessThan(0.02);
        expect(maxJump(output, 0, output.length)).toBeLessThanOrEqual(1.5 * maxJump(x, 0, n));
        // Both ends still join the neighbouring frames.
        expect(Math.abs(output[0] - x[0])).toBeLessThanOrEqual(maxJump(x, 0, n));
        expect(output[output.length - 1]).toBe(x[n - 1]);
      });
    }
  }

  it('removes nothing from uncorrelated noise above the VAD threshold, and returns the input itself', () => {
    for (const fs of RATES) {
      const x = noise(Math.round(0.03 * fs), 3000, fs); // about -21 dBFS
      const r = accelerate(x, fs);
      expect(r.removedSamples).toBe(0);
      expect(r.output).toBe(x);
      expect(r.correlation).toBeLessThan(0.9);
    }
  });

  it('treats low-level noise as non-speech and shortens it anyway', () => {
    const fs = 16000;
    const x = noise(480, 40, 7); // about -58 dBFS, below the default -45 dBFS
    const r = accelerate(x, fs);
    expect(r.removedSamples).toBeGreaterThanOrEqual(Math.round(0.0025 * fs));
    expect(r.removedSamples).toBeLessThanOrEqual(Math.round(0.015 * fs));
    expect(r.output.length).toBe(480 - r.removedSamples);
    // With the VAD disabled the same input is left alone.
    expect(accelerate(x, fs, { vadThresholdDbfs: -200 }).removedSamples).toBe(0);
  });

  it('fast mode removes as many whole periods as fit', () => {
    const fs = 48000;
    const x = harmonicTone(200, fs, 2880, { tilt: 1.5 }); // 60 ms, period 240
    const r = accelerate(x, fs, { fast: true });
    expect(r.removedSamples).toBe(1440); // 6 periods: 2 * 1440 <= 2880
    expect(Math.abs(periodOf(r.output, fs) - 240)).toBeLessThan(0.02 * 240);
  });

  it('leaves inputs too short for a 2.5 ms period alone, and rejects bad options with a typed error', () => {
    const x = harmonicTone(200, 8000, 30);
    expect(accelerate(x, 8000).removedSamples).toBe(0);
    expect(() => accelerate(x, 8000, { minLagMs: 5, maxLagMs: 2 })).toThrow(JitterlabError);
    expect(() => accelerate(x, 96000)).toThrow(JitterlabError);
  });
});

describe('preemptiveExpand', () => {
  for (const fs of RATES) {
    for (const f0 of [200, 173]) {
      it(`inserts one pitch period of a ${f0} Hz harmonic complex, keeping its pitch and without clicks (${fs} Hz)`, () => {
        const n = Math.round(0.03 * fs);
        const x = harmonicTone(f0, fs, n, { tilt: 1.5 });
        const period = fs / f0;
        const { output, insertedSamples } = preemptiveExpand(x, fs);
        expect(Math.abs(insertedSamples - period)).toBeLessThanOrEqual(Math.max(1, 0.02 * period));
        expect(output.length).toBe(n + insertedSamples);
        expect(Math.abs(periodOf(output, fs) / period - 1)).toBeLessThan(0.02);
        expect(maxJump(output, 0, output.length)).toBeLessThanOrEqual(1.5 * maxJump(x, 0, n));
        expect(output[0]).toBe(x[0]);
        expect(output[output.length - 1]).toBe(x[n - 1]);
      });
    }
  }

  it('inserts nothing into uncorrelated noise above the VAD threshold', () => {
    const x = noise(1440, 3000, 3);
    const r = preemptiveExpand(x, 48000);
    expect(r.insertedSamples).toBe(0);
    expect(r.output).toBe(x);
  });
});

describe('stretchTo (WSOLA)', () => {
  it('returns exactly targetLength samples for any ratio in 0.5..2 (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8000, 16000, 48000),
        fc.integer({ min: 1, max: 3000 }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (fs, n, ratio) => {
          const target = Math.min(2 * n, Math.max(Math.ceil(n / 2), Math.round(n * ratio)));
          const x = harmonicTone(190, fs, n, { amp: 9000 });
          const y = stretchTo(x, fs, target);
          expect(y.length).toBe(target);
          expect(y[0]).toBe(x[0]);
        },
      ),
      { numRuns: 60, seed: 1234 },
    );
  });

  it('rejects ratios outside 0.5..2 and non-integer lengths with a typed error', () => {
    const x = harmonicTone(200, 16000, 1000);
    expect(() => stretchTo(x, 16000, 499)).toThrow(JitterlabError);
    expect(() => stretchTo(x, 16000, 2001)).toThrow(JitterlabError);
    expect(() => stretchTo(x, 16000, 1200.5)).toThrow(JitterlabError);
    expect(() => stretchTo(new Int16Array(0), 16000, 10)).toThrow(JitterlabError);
    expect(stretchTo(new Int16Array(0), 16000, 0).length).toBe(0);
    expect(stretchTo(x, 16000, 1000)).toBe(x);
  });

  for (const fs of RATES) {
    it(`keeps the pitch of a 200 ms voiced tone within 2% for ratios 0.5..2, without clicks (${fs} Hz)`, () => {
      for (const f0 of [200, 173]) {
        const x = harmonicTone(f0, fs, Math.round(0.2 * fs), { tilt: 1.5 });
        const period = fs / f0;
        for (const ratio of [0.5, 0.7, 0.9, 1.1, 1.4, 2]) {
          const target = Math.round(x.length * ratio);
          const y = stretchTo(x, fs, target);
          expect(y.length).toBe(target);
          // Pitch over every 30 ms window of the output, not only on average.
          const win = Math.round(0.03 * fs);
          const maxLag = Math.round(0.0125 * fs);
          for (let s = 0; s + win + maxLag < target; s += win) {
            const p = estimatePeriod(y, s, win, Math.round(0.0025 * fs), maxLag).period;
            expect(Math.abs(p / period - 1), `ratio ${ratio} window ${s}`).toBeLessThan(0.02);
          }
          expect(maxJump(y, 0, target)).toBeLessThanOrEqual(1.5 * maxJump(x, 0, x.length));
          expect(y[0]).toBe(x[0]);
          expect(Math.abs(y[target - 1] - x[x.length - 1])).toBeLessThanOrEqual(0.05 * maxJump(x, 0, x.length) + 1);
        }
      }
    });
  }

  it('stretches 60 ms frames independently and they still join without clicks, keeping the pitch', () => {
    const fs = 16000;
    const x = harmonicTone(173, fs, Math.round(0.6 * fs), { tilt: 1.5 });
    const period = fs / 173;
    for (const ratio of [0.8, 1.25]) {
      const y = concat(frames(x, 960).map((f) => stretchTo(f, fs, Math.round(960 * ratio))));
      expect(maxJump(y, 0, y.length)).toBeLessThanOrEqual(1.5 * maxJump(x, 0, x.length));
      const win = Math.round(0.1 * fs);
      for (let s = 0; s + win + 200 < y.length; s += win) {
        expect(Math.abs(estimatePeriod(y, s, win, 40, 200).period / period - 1)).toBeLessThan(0.02);
      }
    }
  });

  it('falls back to interpolation for inputs shorter than 40 samples (exact length still)', () => {
    const x = harmonicTone(500, 8000, 30);
    expect(stretchTo(x, 8000, 45).length).toBe(45);
    expect(stretchTo(x, 8000, 15).length).toBe(15);
  });
});
