/**
 * Band-limited sample-rate conversion with `wavefile`'s windowed-sinc resampler (its 'sinc'
 * method applies an anti-aliasing low-pass when downsampling). Mono float in, mono float out.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface WaveFileResampler {
  fromScratch(channels: number, sampleRate: number, bitDepth: string, samples: Float64Array | Float32Array): void;
  toSampleRate(rate: number, options?: { method?: string; LPF?: boolean }): void;
  getSamples(interleaved?: boolean, OutputObject?: unknown): Float64Array;
}

export function resampleMono(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const { WaveFile } = require('wavefile') as { WaveFile: new () => WaveFileResampler };
  const w = new WaveFile();
  w.fromScratch(1, fromRate, '32f', samples);
  w.toSampleRate(toRate, { method: 'sinc', LPF: true });
  return Float32Array.from(w.getSamples(false, Float64Array));
}
