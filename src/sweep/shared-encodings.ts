/**
 * Encodings shared across a sweep: each distinct sender setting (encodingKey: source, codec
 * settings, frame count) is encoded once in the main thread (the encoder is deterministic), and
 * its payloads are packed into one SharedArrayBuffer that every worker reads without copying.
 * Decoding at the receivers stays per point: it is about ten times cheaper than encoding.
 * The source audio the encoder read (resampled to the codec rate) is shared the same way: a
 * run reads it again for every variant (an adaptive sender encodes online), and reading and
 * resampling the WAV cost each worker thread 0.1–0.3 s of CPU.
 */
import type { CodecConfig } from '../codec/config.ts';
import type { Scenario } from '../scenario/load.ts';
import { encodeStream, encodingKey, PayloadList, type EncodedStream } from '../sender/encoded-stream.ts';
import { AudioSource, type SourceConfig } from '../source/audio-source.ts';

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

export interface PackedSource {
  key: string;
  file: string;
  sampleRate: number;
  cfg: SourceConfig;
  /** 16-bit PCM at sampleRate. */
  pcm: SharedArrayBuffer;
}

/** What the main thread shares with every worker. */
export interface SharedAudio {
  encodings: PackedEncoding[];
  sources: PackedSource[];
}

/** The key of a source in runScenario's source cache (RunOptions.sourceCache): file, codec rate and source settings. */
export function sourceKey(file: string, sampleRate: number, cfg: SourceConfig): string {
  return `${file}@${sampleRate}@${JSON.stringify(cfg)}`;
}

export function packSource(key: string, src: AudioSource, cfg: SourceConfig): PackedSource {
  const pcm = new SharedArrayBuffer(src.pcm.byteLength);
  new Int16Array(pcm).set(src.pcm);
  return { key, file: src.file, sampleRate: src.sampleRate, cfg, pcm };
}

export function unpackSource(p: PackedSource): AudioSource {
  return AudioSource.fromPcm(p.file, p.sampleRate, new Int16Array(p.pcm), p.cfg);
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

/** Encode every distinct setting the scenarios need, once each; with the sources read for them. */
export function encodeShared(scenarios: Iterable<Scenario>): SharedAudio {
  const out = new Map<string, PackedEncoding>();
  const sources = new Map<string, PackedSource>();
  for (const sc of scenarios) {
    for (const need of encodingNeeds(sc)) {
      if (out.has(need.key)) continue;
      const srcKey = sourceKey(sc.sourceFile, need.codec.sampleRate, sc.config.source);
      let packed = sources.get(srcKey);
      if (!packed) {
        packed = packSource(srcKey, AudioSource.fromWav(sc.sourceFile, sc.config.source, need.codec.sampleRate), sc.config.source);
        sources.set(srcKey, packed);
      }
      out.set(need.key, packEncoding(need.key, encodeStream(unpackSource(packed), need.codec, need.frames)));
    }
  }
  return { encodings: [...out.values()], sources: [...sources.values()] };
}

/** A worker's (or this thread's) caches from what the main thread shares. */
export function unpackShared(shared: SharedAudio): { encodings: Map<string, EncodedStream>; sources: Map<string, AudioSource> } {
  return {
    encodings: new Map(shared.encodings.map((e) => [e.key, unpackEncoding(e)])),
    sources: new Map(shared.sources.map((s) => [s.key, unpackSource(s)])),
  };
}
