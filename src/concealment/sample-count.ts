/** Validation of the `samples` argument of `Concealer.conceal`. */
import { JitterlabError } from '../core/errors.ts';

/** Frames longer than this are a caller bug (Opus frames are at most 120 ms = 5760 samples at 48 kHz). */
export const MAX_CONCEAL_SAMPLES = 48000;

export function assertSampleCount(samples: number): void {
  if (!Number.isInteger(samples) || samples < 0 || samples > MAX_CONCEAL_SAMPLES) {
    throw new JitterlabError('internal', `concealment: sample count must be an integer in 0..${MAX_CONCEAL_SAMPLES}, got ${samples}`);
  }
}
