/**
 * Reading a time segment of a report WAV without loading the whole file: a one-hour 48 kHz call
 * is 345 MB of 16-bit PCM, and the full-file decode of readWavMono would need several GB.
 * The report's own WAVs are 16-bit PCM (wav-stream.ts); any other WAV is read whole through
 * readWavMono and sliced.
 */
import { closeSync } from 'node:fs';
import { openWav, pcm16Layout, readPcm16Into } from '../source/pcm16-wav.ts';
import { readWavMono } from '../source/wav-file.ts';

export interface WavInfo {
  sampleRate: number;
  durationS: number;
}

/** Sample rate and duration of a WAV. */
export function wavInfo(file: string): WavInfo {
  const fd = openWav(file);
  try {
    const l = pcm16Layout(fd, file);
    if (l) return { sampleRate: l.sampleRate, durationS: l.frames / l.sampleRate };
  } finally {
    closeSync(fd);
  }
  const m = readWavMono(file);
  return { sampleRate: m.sampleRate, durationS: m.samples.length / m.sampleRate };
}

/**
 * Mono samples of [startS, startS + durS) of a WAV at its own rate. With `scratch` large enough, a
 * 16-bit PCM file's samples are read into it (the result is a view of it, valid until the next read
 * into it): a minute at 48 kHz is 11.5 MB, and fresh memory costs a page fault per 4 KB (tens of
 * milliseconds a minute on a virtual machine), so a caller reading many segments reuses one buffer.
 */
export function readWavSegment(file: string, startS: number, durS: number, scratch?: Float32Array): { samples: Float32Array; sampleRate: number } {
  const fd = openWav(file);
  try {
    const l = pcm16Layout(fd, file);
    if (l) {
      const first = Math.max(0, Math.round(startS * l.sampleRate));
      const count = Math.max(0, Math.min(l.frames - first, Math.round(durS * l.sampleRate)));
      return { samples: readPcm16Into(fd, l, first, count, scratch), sampleRate: l.sampleRate };
    }
  } finally {
    closeSync(fd);
  }
  const m = readWavMono(file);
  const a = Math.max(0, Math.round(startS * m.sampleRate));
  return { samples: m.samples.subarray(a, Math.min(m.samples.length, a + Math.round(durS * m.sampleRate))), sampleRate: m.sampleRate };
}
