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
  payloads: PayloadList;
  /** Bytes of all payloads, for bitrate reports. */
  totalBytes: number;
}

/**
 * The payloads of an encoding: one byte arena with frame offsets (payload i is
 * bytes[offsets[i] .. offsets[i + 1])). A view is made when a payload is asked for: a one-hour
 * call is 180k packets, and a view object per packet held for the whole run is 14 MB.
 */
export class PayloadList {
  constructor(
    readonly bytes: Uint8Array,
    /** length + 1 offsets into bytes, non-decreasing. */
    readonly offsets: Uint32Array | Int32Array,
  ) {}

  get length(): number {
    return this.offsets.length - 1;
  }

  /** Payload i (0 <= i < length), a view into the arena. */
  at(i: number): Uint8Array {
    return this.bytes.subarray(this.offsets[i], this.offsets[i + 1]);
  }
}

/** An Opus DTX frame is a TOC byte with no (or one) data byte (RFC 6716 section 3.2.1). */
export function isDtxPayload(p: Uint8Array): boolean {
  return p.length <= 2;
}

export function encodeStream(source: AudioSource, codec: CodecConfig, frames: number): EncodedStream {
  const enc = new OpusFrameEncoder(codec);
  const offsets = new Uint32Array(frames + 1);
  // Payloads live in one growing arena (PayloadList): a one-hour call is 180k packets, and 180k
  // separately allocated buffers cost more memory than the audio itself.
  const arena = encodeFrames(enc, source, frames, offsets, Math.max(4096, frames * Math.ceil((codec.bitrateKbps * codec.frameMs) / 8 + 8)));
  const totalBytes = offsets[frames];
  return { codec, frameMs: codec.frameMs, frameSamples: enc.frameSamples, frameTs: 48 * codec.frameMs, payloads: new PayloadList(arena, offsets), totalBytes };
}

/**
 * Encode frames 0..frames-1 into an arena (grown as needed) and fill their offsets; returns the
 * arena. The loop has a function of its own: V8 compiles a long loop on the stack (OSR), and code
 * after it in the same function would deoptimize that code on every encoding.
 */
function encodeFrames(enc: OpusFrameEncoder, source: AudioSource, frames: number, offsets: Uint32Array, initialBytes: number): Uint8Array {
  const pcm = new Int16Array(enc.frameSamples);
  let arena = new Uint8Array(initialBytes);
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
  return arena;
}

/** Cache key of an encoding: everything that changes the encoder's output. */
export function encodingKey(sourceFile: string, sourceCfg: object, codec: CodecConfig, frames: number): string {
  return JSON.stringify([sourceFile, sourceCfg, codec, frames]);
}
