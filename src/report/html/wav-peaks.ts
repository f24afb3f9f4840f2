/**
 * Waveform peaks of a report WAV for the HTML waveform strip, read in chunks (wav-segment.ts):
 * a one-hour call never sits in memory.
 */
import { closeSync } from 'node:fs';
import { readWavMono } from '../../source/wav-file.ts';
import { openWav, pcm16Layout, readPcm16Frames } from '../../source/pcm16-wav.ts';
import { PeakAccumulator } from './downsample.ts';

export interface WavPeaks {
  sampleRate: number;
  durationS: number;
  min: number[];
  max: number[];
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export function wavPeaks(file: string, buckets: number): WavPeaks {
  const fd = openWav(file);
  try {
    const layout = pcm16Layout(fd, file);
    if (layout) {
      const acc = new PeakAccumulator(layout.frames, buckets);
      readPcm16Frames(fd, layout, 0, layout.frames, (m) => acc.push(m));
      return { sampleRate: layout.sampleRate, durationS: layout.frames / layout.sampleRate, min: Array.from(acc.min, round4), max: Array.from(acc.max, round4) };
    }
  } finally {
    closeSync(fd);
  }
  const m = readWavMono(file);
  const acc = new PeakAccumulator(m.samples.length, buckets);
  acc.push(m.samples);
  return { sampleRate: m.sampleRate, durationS: m.samples.length / m.sampleRate, min: Array.from(acc.min, round4), max: Array.from(acc.max, round4) };
}
