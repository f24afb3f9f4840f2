import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { createConcealer, PitchConcealer, RepeatConcealer, SilenceConcealer, type Concealer, type ConcealerKind } from '../../src/concealment/index.ts';
import { concat, energy, estimatePeriod, frames, glideTone, harmonicTone, maxJump } from './signals.ts';

/** Play `fs` frames through a concealer, concealing the frames in `lost`; returns the played stream. */
function play(c: Concealer, input: Int16Array[], lost: ReadonlySet<number>): Int16Array {
  const out: Int16Array[] = [];
  for (let i = 0; i < input.length; i++) {
    if (lost.has(i)) {
      out.push(c.conceal(input[i].length));
    } else {
      const f = input[i].slice();
      c.onDecoded(f);
      out.push(f);
    }
  }
  return concat(out);
}

const range = (a: number, b: number): Set<number> => new Set(Array.from({ length: b - a }, (_, i) => a + i));

describe('createConcealer', () => {
  it('builds each kind at every supported rate and rejects bad arguments with a typed error', () => {
    for (const kind of ['silence', 'repeat', 'pitch'] as const) {
      for (const fs of [8000, 16000, 44100, 48000]) expect(createConcealer(kind, fs).kind).toBe(kind);
    }
    expect(createConcealer('pitch')).toBeInstanceOf(PitchConcealer);
    expect(() => createConcealer('pitch', 7999)).toThrow(JitterlabError);
    expect(() => createConcealer('repeat', 48001)).toThrow(JitterlabError);
    expect(() => createConcealer('silence', 16000.5)).toThrow(JitterlabError);
    expect(() => createConcealer('opus' as ConcealerKind, 48000)).toThrow(JitterlabError);
    for (const kind of ['silence', 'repeat', 'pitch'] as const) {
      const c = createConcealer(kind, 16000);
      expect(() => c.conceal(-1)).toThrow(JitterlabError);
      expect(() => c.conceal(2.5)).toThrow(JitterlabError);
      expect(c.conceal(0).length).toBe(0);
    }
  });
});

describe('silence concealer', () => {
  it('produces zeros of the requested length and leaves real frames untouched', () => {
    const c = new SilenceConcealer(48000);
    const src = frames(harmonicTone(150, 48000, 9600), 960);
    const before = src[3].slice();
    c.onDecoded(src[3]);
    expect(Array.from(src[3])).toEqual(Array.from(before));
    for (const n of [960, 480, 2880]) {
      const z = c.conceal(n);
      expect(z.length).toBe(n);
      expect(z.every((v) => v === 0)).toBe(true);
    }
    const after = src[4].slice();
    c.onDecoded(src[4]);
    expect(Array.from(src[4])).toEqual(Array.from(after));
  });
});

describe.each(['repeat', 'pitch'] as const)('%s concealer over a long burst', (kind) => {
  for (const fs of [8000, 48000]) {
    it(`differs from silence, then decays to silence by 60 ms (${fs} Hz)`, () => {
      const frameLen = fs / 50;
      const src = frames(harmonicTone(150, fs, 20 * frameLen), frameLen);
      const out = play(createConcealer(kind, fs), src, range(8, 18));
      const lossStart = 8 * frameLen;
      const ms10 = fs / 100;
      const ref = energy(src[7]) / 2; // energy of 10 ms of source
      // First 10 ms of concealment: close to full level.
      expect(energy(out, lossStart, lossStart + ms10)).toBeGreaterThan(0.5 * ref);
      // Energy per 10 ms block never grows along the burst, and reaches exactly zero at 60 ms.
      let prev = Infinity;
      for (let b = 0; b < 20; b++) {
        const e = energy(out, lossStart + b * ms10, lossStart + (b + 1) * ms10);
        expect(e).toBeLessThanOrEqual(prev * 1.05 + 1);
        prev = e;
      }
      for (let i = lossStart + 6 * ms10; i < 18 * frameLen; i++) expect(out[i]).toBe(0);
      // Still attenuating at 40-50 ms, not yet silent.
      const e45 = energy(out, lossStart + 4 * ms10, lossStart + 5 * ms10);
      expect(e45).toBeGreaterThan(0);
      expect(e45).toBeLessThan(0.5 * ref);
    });
  }
});

describe('pitch concealer: pitch continuation', () => {
  for (const fs of [8000, 16000, 44100, 48000]) {
    for (const f0 of [150, 117]) {
      it(`continues a ${f0} Hz glottal-pulse-like signal with its period (${fs} Hz)`, () => {
        const frameLen = fs / 50;
        const src = frames(harmonicTone(f0, fs, 12 * frameLen), frameLen);
        const c = new PitchConcealer(fs);
        for (let i = 0; i < 8; i++) c.onDecoded(src[i].slice());
        const conc = concat([c.conceal(frameLen), c.conceal(frameLen)]);
        const truePeriod = fs / f0;
        expect(Math.abs(c.pitchPeriod - truePeriod) / truePeriod).toBeLessThan(0.02);
        const { period, r } = estimatePeriod(conc, 0, frameLen, Math.round(0.0025 * fs), Math.round(0.015 * fs));
        expect(r).toBeGreaterThan(0.9);
        expect(Math.abs(period - truePeriod) / truePeriod).toBeLessThan(0.02);
      });
    }
  }

  it('tracks a change of pitch between two losses', () => {
    const fs = 16000;
    const c = new PitchConcealer(fs);
    for (const f of frames(harmonicTone(120, fs, 3200), 320)) c.onDecoded(f);
    c.conceal(320);
    expect(Math.abs(c.pitchPeriod - fs / 120) / (fs / 120)).toBeLessThan(0.02);
    for (const f of frames(harmonicTone(190, fs, 3200), 320)) c.onDecoded(f);
    c.conceal(320);
    expect(Math.abs(c.pitchPeriod - fs / 190) / (fs / 190)).toBeLessThan(0.02);
  });
});

describe.each(['repeat', 'pitch'] as const)('%s concealer: splices do not click', (kind) => {
  // Smooth voiced signal (tilt 2): small sample-to-sample steps, so a step at a splice stands out.
  for (const fs of [8000, 48000]) {
    for (const burst of [1, 2, 4]) {
      it(`loss of ${burst} x 20 ms at ${fs} Hz, same signal after the loss`, () => {
        const frameLen = fs / 50;
        const src = frames(harmonicTone(143, fs, 16 * frameLen, { tilt: 2 }), frameLen);
        const out = play(createConcealer(kind, fs), src, range(6, 6 + burst));
        const realJump = Math.max(maxJump(concat(src.slice(3, 6)), 0, 3 * frameLen), maxJump(concat(src.slice(6 + burst, 9 + burst)), 0, 3 * frameLen));
        const start = 6 * frameLen;
        const end = (6 + burst) * frameLen;
        // Start splice, concealment itself (period / frame wraps), end splice and merge region.
        expect(maxJump(out, start - 1, start + 2)).toBeLessThanOrEqual(1.5 * realJump);
        expect(maxJump(out, start, end)).toBeLessThanOrEqual(1.5 * realJump);
        expect(maxJump(out, end - 1, end + frameLen)).toBeLessThanOrEqual(1.5 * realJump);
      });
    }
    it(`merges into a real frame that does not continue the concealment (${fs} Hz)`, () => {
      const frameLen = fs / 50;
      const before = frames(harmonicTone(143, fs, 6 * frameLen, { tilt: 2 }), frameLen);
      const after = frames(harmonicTone(211, fs, 4 * frameLen, { tilt: 2, phase: 2.1 }), frameLen);
      const c = createConcealer(kind, fs);
      const out = play(c, [...before, before[0], ...after], new Set([6]));
      const realJump = Math.max(maxJump(concat(before), 0, 6 * frameLen), maxJump(concat(after), 0, 4 * frameLen));
      const end = 7 * frameLen;
      expect(maxJump(out, end - 1, end + frameLen)).toBeLessThanOrEqual(1.5 * realJump);
      // The merged frame ends as the real frame (the overlap-add is at its start only).
      expect(out[end + frameLen - 1]).toBe(after[0][frameLen - 1]);
    });
  }
});

describe('pitch concealer: period wraps', () => {
  for (const fs of [8000, 48000]) {
    it(`a gliding pitch (periods differ) repeats without a step at the period wraps (${fs} Hz)`, () => {
      const frameLen = fs / 50;
      const src = frames(glideTone(110, 190, fs, 10 * frameLen), frameLen);
      const out = play(new PitchConcealer(fs), [...src, src[0], src[0], src[0]], range(10, 13));
      const realJump = maxJump(concat(src.slice(7, 10)), 0, 3 * frameLen);
      expect(maxJump(out, 10 * frameLen, 13 * frameLen)).toBeLessThanOrEqual(1.5 * realJump);
    });
  }
});

describe('silence concealer as the click reference', () => {
  it('violates the splice bound the other concealers meet (the click test can fail)', () => {
    const fs = 48000;
    const frameLen = 960;
    const src = frames(harmonicTone(143, fs, 16 * frameLen, { tilt: 2, phase: 0.7 }), frameLen);
    const out = play(new SilenceConcealer(fs), src, range(6, 8));
    const realJump = maxJump(concat(src), 0, 16 * frameLen);
    expect(Math.max(maxJump(out, 6 * frameLen - 1, 6 * frameLen + 1), maxJump(out, 8 * frameLen - 1, 8 * frameLen + 1))).toBeGreaterThan(1.5 * realJump);
  });
});

describe('repeat concealer', () => {
  it('repeats the last real frame (faded) and respects its options', () => {
    const fs = 16000;
    const src = frames(harmonicTone(150, fs, 3200, { tilt: 2 }), 320);
    const c = new RepeatConcealer(fs, { fadeMs: 80 });
    for (let i = 0; i < 5; i++) c.onDecoded(src[i].slice());
    const a = c.conceal(320);
    // Away from the onset correction (2.5 ms) and the wrap cross-fade (last 2.5 ms) the output is
    // the last frame scaled by the linear fade.
    for (let i = 60; i < 260; i++) expect(Math.abs(a[i] - src[4][i] * (1 - i / 1280))).toBeLessThanOrEqual(1);
    const b = c.conceal(320);
    expect(energy(b)).toBeLessThan(energy(a));
    expect(energy(b)).toBeGreaterThan(0);
  });

  it('rejects non-positive or non-finite options with a typed error', () => {
    expect(() => new RepeatConcealer(8000, { fadeMs: 0 })).toThrow(JitterlabError);
    expect(() => new RepeatConcealer(8000, { mergeMs: Number.NaN })).toThrow(JitterlabError);
  });

  it('outputs silence when no frame has been decoded yet', () => {
    expect(new RepeatConcealer(8000).conceal(160).every((v) => v === 0)).toBe(true);
    expect(new PitchConcealer(8000).conceal(160).every((v) => v === 0)).toBe(true);
  });
});
