/**
 * The same checks on real read speech (/work/shared/speech, LibriVox, 48 kHz mono 16-bit):
 * PLC and time-stretching behave differently on real voiced speech than on synthetic tones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { accelerate, createConcealer, PitchConcealer, preemptiveExpand } from '../../src/concealment/index.ts';
import { concat, energy, estimatePeriod, frames, maxJump } from './signals.ts';

const SPEECH = '/work/shared/speech/librivox_austen_48k.wav';
const haveSpeech = existsSync(SPEECH);
if (!haveSpeech) console.warn(`concealment speech tests skipped: ${SPEECH} is absent`);

interface WaveFileLike {
  fmt: { sampleRate: number; numChannels: number; bitsPerSample: number };
  getSamples(interleaved: boolean, type: typeof Int16Array): ArrayLike<number>;
}

function loadSpeech(): { x: Int16Array; fs: number } {
  const { WaveFile } = createRequire(import.meta.url)('wavefile') as { WaveFile: new (b: Uint8Array) => WaveFileLike };
  const wav = new WaveFile(readFileSync(SPEECH));
  expect(wav.fmt.numChannels).toBe(1);
  expect(wav.fmt.bitsPerSample).toBe(16);
  return { x: new Int16Array(wav.getSamples(false, Int16Array)), fs: wav.fmt.sampleRate };
}

/** Lowest normalised autocorrelation over lags 2.5..15 ms: a real pitch peak needs a real trough. */
function minCorrelation(ch: Int16Array, fs: number, len: number): number {
  let m = 1;
  const step = Math.max(1, Math.round(fs / 8000));
  for (let lag = Math.round(0.0025 * fs); lag <= Math.round(0.015 * fs); lag += step) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = 0; i < len; i++) {
      xy += ch[i] * ch[i + lag];
      xx += ch[i] * ch[i];
      yy += ch[i + lag] * ch[i + lag];
    }
    m = Math.min(m, xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : 0);
  }
  return m;
}

describe('concealment on real speech', () => {
  it.runIf(haveSpeech)('pitch and repeat PLC do not click at any splice, and pitch PLC continues the talker pitch', () => {
    const { x, fs } = loadSpeech();
    const frameLen = fs / 50;
    const src = frames(x, frameLen);
    // Single losses every 9 frames, every 4th of them a 3-frame burst.
    const lost = new Set<number>();
    for (let i = 10; i < src.length - 3; i += 9) {
      lost.add(i);
      if ((i - 10) % 36 === 0) lost.add(i + 1).add(i + 2);
    }
    for (const kind of ['pitch', 'repeat'] as const) {
      const c = createConcealer(kind, fs);
      const out: Int16Array[] = [];
      const continuation: number[] = [];
      src.forEach((f, i) => {
        if (!lost.has(i)) {
          const g = f.slice();
          c.onDecoded(g);
          out.push(g);
          return;
        }
        const conc = c.conceal(frameLen);
        out.push(conc);
        // Pitch continuation: the same estimator (10 ms window, lags 2.5..10 ms) over the last
        // 20 ms before the loss and over the first 20 ms of the concealment.
        if (kind === 'pitch' && !lost.has(i - 1) && !lost.has(i - 2)) {
          const half = frameLen / 2;
          const ctx = concat([src[i - 2], src[i - 1]]);
          const before = estimatePeriod(ctx, frameLen, half, Math.round(0.0025 * fs), half);
          if (before.r > 0.8 && energy(src[i - 1]) > frameLen * 300 * 300) {
            const after = estimatePeriod(conc, 0, half, Math.round(0.0025 * fs), half);
            continuation.push(Math.abs(after.period / before.period - 1));
          }
        }
      });
      const played = concat(out);
      let splices = 0;
      for (let i = 1; i < src.length - 1; i++) {
        if (!lost.has(i) || lost.has(i - 1)) continue;
        let end = i;
        while (lost.has(end)) end++;
        const around = Math.max(maxJump(src[i - 1], 0, frameLen), maxJump(src[end], 0, frameLen), end + 1 < src.length ? maxJump(src[end + 1], 0, frameLen) : 0);
        const s = i * frameLen;
        const e = end * frameLen;
        expect(maxJump(played, s - 1, s + 1), `${kind} loss start at frame ${i}`).toBeLessThanOrEqual(1.5 * around);
        expect(maxJump(played, e - 1, e + frameLen), `${kind} merge at frame ${end}`).toBeLessThanOrEqual(1.5 * around);
        splices++;
      }
      expect(splices).toBeGreaterThan(100);
      if (kind === 'pitch') {
        expect(continuation.length).toBeGreaterThan(15);
        // Real speech drifts in pitch within 20 ms, and a 5 ms minimum lag (G.711 App. I) makes
        // high voices repeat two periods, which the estimator may read as an octave: most, not all.
        const share = (tol: number): number => continuation.filter((e) => e <= tol).length / continuation.length;
        expect(share(0.02)).toBeGreaterThanOrEqual(0.7);
        expect(share(0.05)).toBeGreaterThanOrEqual(0.8);
      }
    }
  });

  it.runIf(haveSpeech)('accelerate and preemptive expand on 30 ms chunks: no clicks, one period in voiced speech', () => {
    const { x, fs } = loadSpeech();
    const n = Math.round(0.03 * fs);
    const minLag = Math.round(0.0025 * fs);
    const maxLag = Math.round(0.015 * fs);
    let periodic = 0;
    let acted = 0;
    let onPeriod = 0;
    let stretched = 0;
    for (let s = 0; s + n <= x.length; s += n) {
      const ch = x.subarray(s, s + n);
      const inJump = maxJump(ch, 0, n);
      const a = accelerate(ch, fs);
      const p = preemptiveExpand(ch, fs);
      expect(a.output.length).toBe(n - a.removedSamples);
      expect(p.output.length).toBe(n + p.insertedSamples);
      for (const [len, out] of [[a.removedSamples, a.output], [p.insertedSamples, p.output]] as const) {
        if (len === 0) continue;
        stretched++;
        expect(len).toBeGreaterThanOrEqual(minLag);
        expect(len).toBeLessThanOrEqual(maxLag);
        expect(maxJump(out, 0, out.length)).toBeLessThanOrEqual(1.5 * inJump);
        expect(out[out.length - 1]).toBe(ch[n - 1]);
      }
      // Clearly periodic chunks: a strong autocorrelation peak over a real trough.
      const est = estimatePeriod(ch, 0, n / 2, minLag, n / 2);
      if (est.r < 0.9 || minCorrelation(ch, fs, n / 2) > 0.3) continue;
      periodic++;
      if (a.removedSamples === 0) continue;
      acted++;
      if (Math.abs(a.removedSamples / est.period - 1) <= 0.03) onPeriod++;
    }
    expect(stretched).toBeGreaterThan(300);
    expect(periodic).toBeGreaterThan(100);
    expect(acted / periodic).toBeGreaterThan(0.8);
    expect(onPeriod / acted).toBeGreaterThan(0.9);
  });

  it.runIf(haveSpeech)('pitch PLC estimates a period in the 5..15 ms range on every loss', () => {
    const { x, fs } = loadSpeech();
    const c = new PitchConcealer(fs);
    const frameLen = fs / 50;
    for (const [i, f] of frames(x.subarray(0, fs * 5), frameLen).entries()) {
      if (i % 7 === 6) {
        c.conceal(frameLen);
        expect(c.pitchPeriod).toBeGreaterThanOrEqual(Math.round(0.005 * fs));
        expect(c.pitchPeriod).toBeLessThanOrEqual(Math.round(0.015 * fs));
      } else c.onDecoded(f.slice());
    }
  });
});
