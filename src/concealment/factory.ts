/** Builds the concealer named in a scenario. */
import { JitterlabError } from '../core/errors.ts';
import { PitchConcealer } from './pitch.ts';
import { RepeatConcealer } from './repeat.ts';
import { SilenceConcealer } from './silence.ts';
import type { Concealer, ConcealerKind } from './types.ts';

export const CONCEALER_KINDS: readonly ConcealerKind[] = ['silence', 'repeat', 'pitch'];

export function createConcealer(kind: ConcealerKind, sampleRate: number = 48000): Concealer {
  switch (kind) {
    case 'silence':
      return new SilenceConcealer(sampleRate);
    case 'repeat':
      return new RepeatConcealer(sampleRate);
    case 'pitch':
      return new PitchConcealer(sampleRate);
    default:
      throw new JitterlabError('internal', `concealment: unknown concealer kind ${JSON.stringify(kind as unknown)}`);
  }
}
