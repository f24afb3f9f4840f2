/**
 * Shared encodings and source audio (shared-encodings.ts) as one byte string, so a queued sweep's
 * planner encodes each distinct sender setting once and every worker fetches the result from
 * Redis: `npm run bench:queue` measured a fetch at a fraction of what reading the WAV and
 * encoding cost a worker (README). Layout: a little-endian uint32 header length, the JSON header
 * (every field but the buffers, and each buffer's [offset, length] in the body), the body.
 */
import { isAbsolute, join, relative } from 'node:path';
import { sourceKey, type PackedEncoding, type PackedSource, type SharedAudio } from './shared-encodings.ts';

type Span = [number, number];
interface Header {
  encodings: Array<Omit<PackedEncoding, 'data' | 'offsets'> & { data: Span; offsets: Span }>;
  sources: Array<Omit<PackedSource, 'pcm'> & { pcm: Span }>;
}

export function sharedAudioToBytes(shared: SharedAudio): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  const put = (b: SharedArrayBuffer): Span => {
    parts.push(Buffer.from(b));
    const span: Span = [at, b.byteLength];
    at += b.byteLength;
    return span;
  };
  const header: Header = {
    encodings: shared.encodings.map((e) => ({ ...e, data: put(e.data), offsets: put(e.offsets) })),
    sources: shared.sources.map((s) => ({ ...s, pcm: put(s.pcm) })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  return Buffer.concat([len, json, ...parts]);
}

export function sharedAudioFromBytes(bytes: Buffer): SharedAudio {
  const n = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + n).toString('utf8')) as Header;
  const body = bytes.subarray(4 + n);
  const take = ([off, len]: Span): SharedArrayBuffer => {
    const b = new SharedArrayBuffer(len);
    new Uint8Array(b).set(body.subarray(off, off + len));
    return b;
  };
  return {
    encodings: header.encodings.map((e) => ({ ...e, data: take(e.data), offsets: take(e.offsets) })),
    sources: header.sources.map((s) => ({ ...s, pcm: take(s.pcm) })),
  };
}

/**
 * The same audio keyed for a worker whose project root differs from the planner's: the cache keys
 * hold the source's absolute path, which the worker resolves under its own root. Sources outside
 * the planner's root keep their path.
 */
export function rebaseSharedAudio(shared: SharedAudio, fromRoot: string, toRoot: string): SharedAudio {
  if (fromRoot === toRoot) return shared;
  const move = (file: string): string => {
    const rel = relative(fromRoot, file);
    return rel.startsWith('..') || isAbsolute(rel) ? file : join(toRoot, rel);
  };
  return {
    encodings: shared.encodings.map((e) => {
      const [file, ...rest] = JSON.parse(e.key) as [string, ...unknown[]];
      return { ...e, key: JSON.stringify([move(file), ...rest]) };
    }),
    sources: shared.sources.map((s) => ({ ...s, file: move(s.file), key: sourceKey(move(s.file), s.sampleRate, s.cfg) })),
  };
}
