/**
 * The call's audio encoded once per distinct encoder setting (the encoder is deterministic), so
 * every variant and every sweep point with the same sender setting reuses it: decoding is about
 * ten times cheaper than encoding.
 */
import type { CodecConfig } from '../codec/config.ts';
import { OpusFrameEncoder } from '../codec/opus-encoder.ts';
import type { AudioSource } from '../source/audio-source.ts';

export interface EncodedStream {
  codec: CodecConfig;
  frameMs: number;
  frameSamples: number;
  /** RTP timestamp units per frame (48 kHz clock, RFC 7587). */
  frameTs: number;
  payloads: Uint8Array[];
  /** Bytes of all payloads, for bitrate reports. */
  totalBytes: number;
}

/** An Opus DTX frame is a TOC byte with no (or one) data byte (RFC 6716 section 3.2.1). */
export function isDtxPayload(p: Uint8Array): boolean {
  return p.length <= 2;
}

export function encodeStream(source: AudioSource, codec: CodecConfig, frames: number): EncodedStream {
  const enc = new OpusFrameEncoder(codec);
  const pcm = new Int16Array(enc.frameSamples);
  // Payloads live in one growing arena and are handed out as views: a one-hour call is 180k
  // packets, and 180k separately allocated buffers cost more memory than the audio itself.
  let arena = new Uint8Array(Math.max(4096, frames * Math.ceil((codec.bitrateKbps * codec.frameMs) / 8 + 8)));
  const offsets = new Uint32Array(frames + 1);
  let totalBytes = 0;
  for (let i = 0; i < frames; i++) {
    source.frame(i, pcm);
    const p = enc.encode(pcm);
    if (totalBytes + p.length > arena.length) {
      const bigger = new Uint8Array(Math.max(arena.length * 2, totalBytes + p.length));
      bigger.set(arena.subarray(0, totalBytes));
      arena = bigger;
    }
    arena.set(p, totalBytes);
    totalBytes += p.length;
    offsets[i + 1] = totalBytes;
  }
  const payloads: Uint8Array[] = new Array(frames);
  for (let i = 0; i < frames; i++) payloads[i] = arena.subarray(offsets[i], offsets[i + 1]);
  return { codec, frameMs: codec.frameMs, frameSamples: enc.frameSamples, frameTs: 48 * codec.frameMs, payloads, totalBytes };
}

/** Cache key of an encoding: everything that changes the encoder's output. */
export function encodingKey(sourceFile: string, sourceCfg: object, codec: CodecConfig, frames: number): string {
  return JSON.stringify([sourceFile, sourceCfg, codec, frames]);
}
