/**
 * Encodings shared across a sweep: each distinct sender setting (encodingKey: source, codec
 * settings, frame count) is encoded once in the main thread (the encoder is deterministic), and
 * its payloads are packed into one SharedArrayBuffer that every worker reads without copying.
 * Decoding at the receivers stays per point: it is about ten times cheaper than encoding.
 */
import type { CodecConfig } from '../codec/config.ts';
import type { Scenario } from '../scenario/load.ts';
import { encodeStream, encodingKey, PayloadList, type EncodedStream } from '../sender/encoded-stream.ts';
import { AudioSource } from '../source/audio-source.ts';

export interface PackedEncoding {
  key: string;
  codec: CodecConfig;
  frameMs: number;
  frameSamples: number;
  frameTs: number;
  totalBytes: number;
  /** Payload bytes back to back. */
  data: SharedArrayBuffer;
  /** frames + 1 offsets into data. */
  offsets: SharedArrayBuffer;
}

/** The encoding keys a scenario's variants use (the same keys runScenario computes). */
export function encodingNeeds(sc: Scenario): Array<{ key: string; codec: CodecConfig; frames: number }> {
  return sc.variants.map((v) => {
    const frames = Math.ceil((sc.config.durationS * 1000) / v.sender.codec.frameMs);
    return { key: encodingKey(sc.sourceFile, sc.config.source, v.sender.codec, frames), codec: v.sender.codec, frames };
  });
}

export function packEncoding(key: string, e: EncodedStream): PackedEncoding {
  const frames = e.payloads.length;
  const offsets = new SharedArrayBuffer(4 * (frames + 1));
  const off = new Int32Array(offsets);
  const first = e.payloads.offsets[0];
  for (let i = 0; i <= frames; i++) off[i] = e.payloads.offsets[i] - first;
  const n = off[frames];
  const data = new SharedArrayBuffer(Math.max(1, n));
  new Uint8Array(data).set(e.payloads.bytes.subarray(first, first + n));
  return { key, codec: e.codec, frameMs: e.frameMs, frameSamples: e.frameSamples, frameTs: e.frameTs, totalBytes: e.totalBytes, data, offsets };
}

export function unpackEncoding(p: PackedEncoding): EncodedStream {
  const payloads = new PayloadList(new Uint8Array(p.data), new Int32Array(p.offsets));
  return { codec: p.codec, frameMs: p.frameMs, frameSamples: p.frameSamples, frameTs: p.frameTs, payloads, totalBytes: p.totalBytes };
}

/** Encode every distinct setting the scenarios need, once each. */
export function encodeShared(scenarios: Iterable<Scenario>): PackedEncoding[] {
  const out = new Map<string, PackedEncoding>();
  const sources = new Map<string, AudioSource>();
  for (const sc of scenarios) {
    for (const need of encodingNeeds(sc)) {
      if (out.has(need.key)) continue;
      const srcKey = `${sc.sourceFile}@${need.codec.sampleRate}@${JSON.stringify(sc.config.source)}`;
      let src = sources.get(srcKey);
      if (!src) {
        src = AudioSource.fromWav(sc.sourceFile, sc.config.source, need.codec.sampleRate);
        sources.set(srcKey, src);
      }
      out.set(need.key, packEncoding(need.key, encodeStream(src, need.codec, need.frames)));
    }
  }
  return [...out.values()];
}
