/**
 * Silence substitution: every missing frame becomes zeros and real frames pass untouched. The
 * baseline of Perkins, Hodson & Hardman (1998, "A survey of packet loss recovery techniques for
 * streaming audio") and what Wireshark's RTP player does; it clicks at both ends of a gap, on purpose:
 * it is the reference the other concealers are measured against.
 */
import { assertSampleRate } from './sample-rate.ts';
import type { Concealer } from './types.ts';
import { assertSampleCount } from './sample-count.ts';

export class SilenceConcealer implements Concealer {
  readonly kind = 'silence';

  constructor(readonly sampleRate: number = 48000) {
    assertSampleRate(sampleRate);
  }

  onDecoded(_frame: Int16Array): void {
    // Nothing to remember: silence needs no history.
  }

  conceal(samples: number): Int16Array {
    assertSampleCount(samples);
    return new Int16Array(samples);
  }
}
