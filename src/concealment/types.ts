/**
 * The receiver's view of a packet-loss concealment algorithm (PLC).
 *
 * Audio is mono 16-bit PCM at the concealer's sample rate (8000..48000 Hz). The receiver calls
 * `onDecoded` for every real frame and `conceal` once per missing frame, both in play order; the
 * codec's own PLC (libopus) is run by the receiver with its decoder and is not a `Concealer`.
 */
export interface Concealer {
  readonly kind: string;
  /**
   * Every real (decoded) frame passes through here, in play order, so the concealer keeps history.
   * It may modify the frame in place to merge smoothly after a concealment (cross-fade from the
   * concealment's continuation into the real signal).
   */
  onDecoded(frame: Int16Array): void;
  /**
   * Produce `samples` samples of concealment for one missing frame (called once per missing
   * frame; consecutive calls = a longer burst). Returns a new array the caller owns.
   */
  conceal(samples: number): Int16Array;
}

export type ConcealerKind = 'silence' | 'repeat' | 'pitch';

/** The sample containers the DSP helpers read (decoded PCM, or float history buffers). */
export type Samples = Int16Array | Float32Array;
