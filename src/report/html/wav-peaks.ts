/**
 * Waveform peaks of a report WAV for the HTML waveform strip, read in chunks: a one-hour 48 kHz
 * call is 345 MB of 16-bit PCM, too much to hold as floats. The report's own WAVs are 16-bit PCM
 * (wav-stream.ts); any other WAV is read whole through readWavMono.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { WavError } from '../../core/errors.ts';
import { readWavMono } from '../../source/wav-file.ts';
import { PeakAccumulator } from './downsample.ts';

export interface WavPeaks {
  sampleRate: number;
  durationS: number;
  min: number[];
  max: number[];
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

interface PcmLayout {
  sampleRate: number;
  channels: number;
  dataOffset: number;
  dataBytes: number;
}

/** Locates fmt and data of a 16-bit PCM WAV; null for any other encoding. */
function pcm16Layout(fd: number, file: string): PcmLayout | null {
  const head = Buffer.alloc(12);
  if (readSync(fd, head, 0, 12, 0) < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError(file, 'not a WAV file (no RIFF/WAVE header)');
  }
  let pos = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  const ch = Buffer.alloc(8);
  for (let guard = 0; guard < 64; guard++) {
    if (readSync(fd, ch, 0, 8, pos) < 8) return null;
    const id = ch.toString('latin1', 0, 4);
    const size = ch.readUInt32LE(4);
    if (id === 'fmt ') {
      const f = Buffer.alloc(16);
      if (readSync(fd, f, 0, 16, pos + 8) < 16) return null;
      fmt = { format: f.readUInt16LE(0), channels: f.readUInt16LE(2), rate: f.readUInt32LE(4), bits: f.readUInt16LE(14) };
    } else if (id === 'data') {
      if (!fmt || fmt.format !== 1 || fmt.bits !== 16 || fmt.channels < 1) return null;
      return { sampleRate: fmt.rate, channels: fmt.channels, dataOffset: pos + 8, dataBytes: size };
    }
    pos += 8 + size + (size & 1);
  }
  return null;
}

export function wavPeaks(file: string, buckets: number): WavPeaks {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new WavError(file, `cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const layout = pcm16Layout(fd, file);
    if (!layout) {
      const m = readWavMono(file);
      const acc = new PeakAccumulator(m.samples.length, buckets);
      acc.push(m.samples);
      return { sampleRate: m.sampleRate, durationS: m.samples.length / m.sampleRate, min: Array.from(acc.min, round4), max: Array.from(acc.max, round4) };
    }
    const frameBytes = 2 * layout.channels;
    const frames = Math.floor(layout.dataBytes / frameBytes);
    const acc = new PeakAccumulator(frames, buckets);
    const chunkFrames = 1 << 16;
    const buf = Buffer.alloc(chunkFrames * frameBytes);
    const mono = new Float32Array(chunkFrames);
    for (let f = 0; f < frames; f += chunkFrames) {
      const n = Math.min(chunkFrames, frames - f);
      const got = readSync(fd, buf, 0, n * frameBytes, layout.dataOffset + f * frameBytes);
      const m = Math.floor(got / frameBytes);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let c = 0; c < layout.channels; c++) s += buf.readInt16LE((i * layout.channels + c) * 2);
        mono[i] = s / (32768 * layout.channels);
      }
      acc.push(mono.subarray(0, m));
      if (m < n) break;
    }
    return { sampleRate: layout.sampleRate, durationS: frames / layout.sampleRate, min: Array.from(acc.min, round4), max: Array.from(acc.max, round4) };
  } finally {
    closeSync(fd);
  }
}
