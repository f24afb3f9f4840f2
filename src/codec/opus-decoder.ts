import { JitterlabError } from '../core/errors.ts';
import { opusNative, type OpusNative } from './opus-native.ts';

/**
 * One libopus decoder (mono). Every call produces exactly one frame of `frameSamples`, the
 * receiver's unit of playout: normal decode, in-band FEC recovery of the previous frame from a
 * packet (decode_fec = 1), or libopus PLC for one missing frame (data = NULL), or for a shorter
 * block of one when the receiver plays in blocks (NetEq's 10 ms).
 */
export class OpusFrameDecoder {
  private readonly native: OpusNative;
  private st: unknown;

  constructor(
    readonly sampleRate: number,
    readonly frameSamples: number,
  ) {
    this.native = opusNative();
    this.st = this.native.decoderCreate(sampleRate, 1);
  }

  private run<T extends Int16Array>(data: Uint8Array | null, fec: 0 | 1, out: T, samples = this.frameSamples): T {
    const n = this.native.decode(this.st, data, out, samples, fec);
    if (n < 0) throw new JitterlabError('codec', `opus_decode failed (error ${n})`);
    if (n !== samples) {
      // A packet whose duration differs from the frame clock: keep the first `samples` or pad with zeros.
      if (n < samples) out.fill(0, n, samples);
    }
    return out;
  }

  decode<T extends Int16Array = Int16Array<ArrayBuffer>>(payload: Uint8Array, out: T = new Int16Array(this.frameSamples) as T): T {
    return this.run(payload, 0, out);
  }

  /** Rebuild the frame before `nextPayload` from its LBRR data (RFC 6716 section 2.1.7). */
  decodeFec<T extends Int16Array = Int16Array<ArrayBuffer>>(nextPayload: Uint8Array, out: T = new Int16Array(this.frameSamples) as T): T {
    return this.run(nextPayload, 1, out);
  }

  /**
   * libopus's own concealment: one frame, or `samples` (a multiple of 2.5 ms, at most a frame;
   * written to the start of `out`) for a receiver that plays shorter blocks than its frames.
   */
  conceal<T extends Int16Array = Int16Array<ArrayBuffer>>(out: T = new Int16Array(this.frameSamples) as T, samples = this.frameSamples): T {
    return this.run(null, 0, out, samples);
  }

  destroy(): void {
    if (this.st) this.native.decoderDestroy(this.st);
    this.st = null;
  }
}
