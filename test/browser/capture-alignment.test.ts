import { describe, expect, it } from 'vitest';
import { alignCapture, envelopeCorrelation } from '../../src/browser/capture-alignment.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const speech = (() => {
  const w = readWavMono(`${PROJECT_ROOT}/fixtures/speech-48k.wav`);
  return Int16Array.from(w.samples, (x) => Math.round(x * 32767));
})();
const slice = (fromS: number, s: number) => speech.slice(fromS * 48000, (fromS + s) * 48000);

/** `x` with `ms` of silence inserted at `atS` (a browser's expansion), or `-ms` removed (acceleration). */
function stretch(x: Int16Array, atS: number, ms: number): Int16Array {
  const at = atS * 48000;
  const n = Math.abs(ms) * 48;
  if (ms > 0) return Int16Array.from([...x.subarray(0, at), ...new Int16Array(n), ...x.subarray(at)]);
  return Int16Array.from([...x.subarray(0, at), ...x.subarray(at + n)]);
}

describe('captured audio against the reference', () => {
  it('the envelope correlation stays high through time-stretching and is low for other speech', () => {
    const ref = slice(0, 8);
    const drifted = stretch(stretch(ref, 3, 40), 6, -20);
    expect(envelopeCorrelation(ref, ref, 48000)).toBeCloseTo(1, 9);
    expect(envelopeCorrelation(ref, drifted, 48000)).toBeGreaterThan(0.9);
    expect(envelopeCorrelation(ref, slice(10, 8), 48000)).toBeLessThan(0.4);
  });

  it('finds where the reference starts in a capture that began earlier', () => {
    const ref = slice(0, 6);
    const lead = 0.6 * 48000;
    const captured = Int16Array.from([...new Int16Array(lead), ...ref]);
    const a = alignCapture(captured, ref, 48000, ref.length);
    expect(a.offsetMs).toBeCloseTo(600, 0);
    expect(a.correlation).toBeGreaterThan(0.99);
    expect(Array.from(a.pcm.subarray(1000, 1010))).toEqual(Array.from(ref.subarray(1000, 1010)));
  });
});
