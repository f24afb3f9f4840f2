/** Public interface of the receiver's signal-processing mechanisms: packet-loss concealment and time-stretching. */
export type { Concealer, ConcealerKind, Samples } from './types.ts';
export { createConcealer, CONCEALER_KINDS } from './factory.ts';
export { SilenceConcealer } from './silence.ts';
export { RepeatConcealer, type RepeatOptions } from './repeat.ts';
export { PitchConcealer } from './pitch.ts';
export {
  accelerate,
  preemptiveExpand,
  stretchTo,
  MIN_STRETCH_RATIO,
  MAX_STRETCH_RATIO,
  type AccelerateOptions,
  type AccelerateResult,
  type PitchStretchOptions,
  type PreemptiveExpandResult,
  type StretchOptions,
} from './wsola.ts';
export { MIN_SAMPLE_RATE, MAX_SAMPLE_RATE } from './sample-rate.ts';
export { MAX_CONCEAL_SAMPLES } from './sample-count.ts';
