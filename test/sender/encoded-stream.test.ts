/**
 * The encoding's payload arena: views on demand over one byte array, and the sweep's shared
 * (SharedArrayBuffer) packing that every worker reads, which must give back the same payloads.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { SourceSchema } from '../../src/scenario/schema.ts';
import { encodeStream, PayloadList } from '../../src/sender/encoded-stream.ts';
import { packEncoding, unpackEncoding } from '../../src/sweep/shared-encodings.ts';
import { AudioSource } from '../../src/source/audio-source.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';

describe('encoded stream payloads', () => {
  const codec = CodecConfigSchema.parse({ bitrateKbps: 16 });
  const src = AudioSource.fromWav(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'), SourceSchema.parse({}), codec.sampleRate);
  const frames = 150;
  const encoded = encodeStream(src, codec, frames);

  it('holds exactly what a fresh encoder produces, frame by frame', () => {
    const enc = new OpusFrameEncoder(codec);
    const pcm = new Int16Array(enc.frameSamples);
    expect(encoded.payloads.length).toBe(frames);
    let total = 0;
    for (let i = 0; i < frames; i++) {
      src.frame(i, pcm);
      const p = encoded.payloads.at(i);
      expect(Buffer.from(p).equals(Buffer.from(enc.encode(pcm)))).toBe(true);
      total += p.length;
    }
    expect(encoded.totalBytes).toBe(total);
  });

  it('survives the sweep packing into shared memory unchanged', () => {
    const back = unpackEncoding(packEncoding('k', encoded));
    expect(back.payloads.length).toBe(frames);
    expect(back.payloads.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (let i = 0; i < frames; i++) expect(Array.from(back.payloads.at(i))).toEqual(Array.from(encoded.payloads.at(i)));
    expect(back.totalBytes).toBe(encoded.totalBytes);
  });

  it('packs a list whose offsets do not start at zero', () => {
    const list = new PayloadList(Uint8Array.of(9, 9, 1, 2, 3, 4), Uint32Array.of(2, 3, 3, 6));
    const back = unpackEncoding(packEncoding('k', { ...encoded, payloads: list, totalBytes: 4 }));
    expect([0, 1, 2].map((i) => Array.from(back.payloads.at(i)))).toEqual([[1], [], [2, 3, 4]]);
  });
});
