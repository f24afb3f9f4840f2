/** Sample-rate checks and ms <-> samples conversions shared by the concealers and WSOLA. */
import { JitterlabError } from '../core/errors.ts';

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 48000;

export function assertSampleRate(sampleRate: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new JitterlabError(
      'internal',
      `concealment: sample rate must be an integer in ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz, got ${sampleRate}`,
    );
  }
}

export function msToSamples(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

/**
 * Decimation factor bringing the rate down to about 4 kHz, the rate of the coarse pitch searches
 * of NetEq's time_stretch.cc and of G.711 Appendix I (which searches 8 kHz speech decimated 2:1).
 */
export function coarseDecimation(sampleRate: number): number {
  return Math.max(1, Math.round(sampleRate / 4000));
}
