/**
 * Deterministic speech-like test signal: voiced "syllables" (harmonic series with a falling
 * spectral tilt and two formant-like boosts, Hann-shaped envelopes) separated by short pauses,
 * plus a low noise floor. Randomness only through RngStream.
 */
import { RngStream } from '../../src/core/rng.ts';

export function syntheticSpeech(sampleRate: number, seconds: number, seed = 1): Float64Array {
  const rng = new RngStream(seed, 'test.synthetic-speech');
  const n = Math.round(sampleRate * seconds);
  const x = new Float64Array(n);
  let t = 0.12;
  let syllable = 0;
  while (t < seconds - 0.1) {
    const dur = 0.15 + 0.2 * rng.at(syllable, 0);
    const f0 = 100 + 100 * rng.at(syllable, 1);
    const f1 = 400 + 500 * rng.at(syllable, 2);
    const f2 = 1200 + 1500 * rng.at(syllable, 3);
    const amp = 0.25 + 0.2 * rng.at(syllable, 4);
    const start = Math.round(t * sampleRate);
    const len = Math.min(n - start, Math.round(dur * sampleRate));
    const maxK = Math.floor(Math.min(4000, sampleRate / 2 - 200) / f0);
    const gains: number[] = [];
    for (let k = 1; k <= maxK; k++) {
      const f = k * f0;
      gains.push((1 / k) * (1 + 3 * Math.exp(-(((f - f1) / 150) ** 2)) + 2 * Math.exp(-(((f - f2) / 250) ** 2))));
    }
    for (let i = 0; i < len; i++) {
      const env = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1));
      const tt = i / sampleRate;
      let s = 0;
      for (let k = 1; k <= maxK; k++) s += gains[k - 1] * Math.sin(2 * Math.PI * k * f0 * tt + k);
      x[start + i] += amp * env * s * 0.35;
    }
    t += dur + 0.05 + 0.15 * rng.at(syllable, 5);
    syllable++;
  }
  for (let i = 0; i < n; i++) x[i] += 1e-3 * rng.normalAt(i, 7);
  return x;
}

/** Adds white noise of the given standard deviation (deterministic). */
export function withNoise(x: Float64Array, sigma: number, seed = 2): Float64Array {
  const rng = new RngStream(seed, 'test.noise');
  return x.map((v, i) => v + sigma * rng.normalAt(i));
}
