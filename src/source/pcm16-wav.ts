/**
 * 16-bit PCM WAV files read in chunks, without holding the file's bytes: the container check
 * (RIFF or RF64), where the fmt and data chunks are, and frames delivered as mono floats. Our own
 * report WAVs and most speech files are 16-bit PCM; every other encoding goes through wavefile
 * (wav-file.ts). Reading a whole file into memory first, then copying its samples out, costs two
 * more buffers of its size, and fresh memory costs a page fault per 4 KB.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { WavError } from '../core/errors.ts';

/**
 * Throws unless `head` (a file's first bytes, at least 12 of them) starts a WAVE file: RIFF, or
 * RF64 (EBU Tech 3306: the same chunks with 64-bit sizes in a ds64 chunk, for files past 4 GiB).
 * Returns the container.
 */
export function checkRiffWave(head: Uint8Array, file: string): 'RIFF' | 'RF64' {
  const id = head.length >= 12 ? String.fromCharCode(...head.subarray(0, 4)) : '';
  if ((id !== 'RIFF' && id !== 'RF64') || String.fromCharCode(...head.subarray(8, 12)) !== 'WAVE') {
    throw new WavError(file, 'not a WAV file (no RIFF/WAVE header)');
  }
  return id;
}

export interface PcmLayout {
  sampleRate: number;
  channels: number;
  dataOffset: number;
  dataBytes: number;
  /** Sample frames in the data chunk. */
  frames: number;
}

/**
 * Locates fmt and data of a 16-bit PCM WAV, RIFF or RF64 (our writer's files past 4 GiB,
 * wav-stream.ts); null for any other encoding. In RF64 the data size is the ds64 chunk's 64-bit
 * value (EBU Tech 3306 section 3.5), the chunk's own 32-bit field holding 0xFFFFFFFF.
 */
export function pcm16Layout(fd: number, file: string): PcmLayout | null {
  const head = Buffer.alloc(12);
  const container = checkRiffWave(head.subarray(0, readSync(fd, head, 0, 12, 0)), file);
  let pos = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let dataBytes64: number | null = null;
  const ch = Buffer.alloc(8);
  for (let guard = 0; guard < 64; guard++) {
    if (readSync(fd, ch, 0, 8, pos) < 8) return null;
    const id = ch.toString('latin1', 0, 4);
    const size = ch.readUInt32LE(4);
    if (id === 'ds64' && container === 'RF64') {
      const d = Buffer.alloc(16);
      if (size < 16 || readSync(fd, d, 0, 16, pos + 8) < 16) return null;
      dataBytes64 = Number(d.readBigUInt64LE(8));
    } else if (id === 'fmt ') {
      const f = Buffer.alloc(16);
      if (readSync(fd, f, 0, 16, pos + 8) < 16) return null;
      fmt = { format: f.readUInt16LE(0), channels: f.readUInt16LE(2), rate: f.readUInt32LE(4), bits: f.readUInt16LE(14) };
    } else if (id === 'data') {
      if (!fmt || fmt.format !== 1 || fmt.bits !== 16 || fmt.channels < 1 || fmt.rate < 1) return null;
      const bytes = container === 'RF64' && size === 0xffffffff ? dataBytes64 : size;
      if (bytes === null) throw new WavError(file, 'RF64 file without a ds64 chunk before its data');
      return { sampleRate: fmt.rate, channels: fmt.channels, dataOffset: pos + 8, dataBytes: bytes, frames: Math.floor(bytes / (2 * fmt.channels)) };
    }
    pos += 8 + size + (size & 1);
  }
  return null;
}

/** The file opened for reading; a WavError for a missing or unreadable file, or a directory. */
export function openWav(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WavError(file, code === 'ENOENT' ? 'file not found' : `cannot open (${code ?? (e as Error).message})`);
  }
  // A directory opens on Linux; its first read would fail with a bare EISDIR.
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new WavError(file, 'is a directory, not a WAV file');
  }
  return fd;
}

/**
 * Reads sample frames [first, first + count) of a 16-bit PCM WAV as mono floats in [-1, 1]
 * (channels averaged), calling `sink` chunk by chunk. Returns the frames delivered.
 */
export function readPcm16Frames(fd: number, layout: PcmLayout, first: number, count: number, sink: (mono: Float32Array) => void, chunkFrames = 1 << 16): number {
  const frameBytes = 2 * layout.channels;
  const end = Math.min(layout.frames, first + count);
  const buf = Buffer.alloc(chunkFrames * frameBytes);
  const mono = new Float32Array(chunkFrames);
  let done = 0;
  for (let f = Math.max(0, first); f < end; f += chunkFrames) {
    const n = Math.min(chunkFrames, end - f);
    const got = Math.floor(readSync(fd, buf, 0, n * frameBytes, layout.dataOffset + f * frameBytes) / frameBytes);
    const pcm = new Int16Array(buf.buffer, buf.byteOffset, got * layout.channels);
    const k = 1 / (32768 * layout.channels);
    if (layout.channels === 1) for (let i = 0; i < got; i++) mono[i] = pcm[i] * k;
    else
      for (let i = 0; i < got; i++) {
        let s = 0;
        for (let c = 0; c < layout.channels; c++) s += pcm[i * layout.channels + c];
        mono[i] = s * k;
      }
    sink(mono.subarray(0, got));
    done += got;
    if (got < n) break;
  }
  return done;
}

/**
 * Frames [first, first + count) as mono floats in one array: in `scratch` when it is large enough
 * (the result is then a view of it), else in a new one; shorter when the file ends first.
 */
export function readPcm16Into(fd: number, layout: PcmLayout, first: number, count: number, scratch?: Float32Array): Float32Array {
  const out = scratch && scratch.length >= count ? scratch.subarray(0, count) : new Float32Array(count);
  let at = 0;
  readPcm16Frames(fd, layout, first, count, (m) => {
    out.set(m, at);
    at += m.length;
  });
  return at === count ? out : out.subarray(0, at);
}
