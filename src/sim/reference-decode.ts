/**
 * The reference: an encoding decoded frame by frame without loss (what reference.wav holds, and
 * what a browser variant's captured audio is aligned to).
 */
import { OpusFrameDecoder } from '../codec/opus-decoder.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';

export function decodeReference(encoded: EncodedStream, sampleRate: number, sink: { write(pcm: Int16Array): void }): void {
  const dec = new OpusFrameDecoder(sampleRate, encoded.frameSamples);
  const pcm = new Int16Array(encoded.frameSamples);
  for (let i = 0; i < encoded.payloads.length; i++) sink.write(dec.decode(encoded.payloads.at(i), pcm));
  dec.destroy();
}

/** The whole reference in one array. */
export function referencePcm(encoded: EncodedStream, sampleRate: number): Int16Array {
  const out = new Int16Array(encoded.payloads.length * encoded.frameSamples);
  let off = 0;
  decodeReference(encoded, sampleRate, {
    write(pcm) {
      out.set(pcm, off);
      off += pcm.length;
    },
  });
  return out;
}
