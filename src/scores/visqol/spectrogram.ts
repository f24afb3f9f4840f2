/**
 * ViSQOL gammatone "spectrogram" (google/visqol `gammatone_spectrogram_builder.cc`,
 * `analysis_window.h`, `spectrogram.cc`, `misc_audio.cc`):
 * 80 ms frames, Hann window 0.5 - 0.5 cos(2 pi i / (N - 1)), hop = floor(0.25 N) (20 ms),
 * filters reset every frame, each cell the RMS of one band's output over the frame.
 * Frames: 1 + floor((len - N) / hop); only whole frames.
 */
import { JitterlabError } from '../../core/errors.ts';
import { GammatoneFilterbank } from './gammatone.ts';

/** ViSQOL's window duration and overlap (hop = size * overlap). */
export const WINDOW_DURATION_S = 0.08;
export const WINDOW_OVERLAP = 0.25;

/** Band-major matrix: value of band b, frame f at data[b * frames + f]. Band 0 is the lowest. */
export interface Spectrogram {
  bands: number;
  frames: number;
  data: Float64Array;
}

export interface AnalysisWindow {
  /** Window size in samples: round(fs * 0.08). */
  size: number;
  /** Hop in samples: size_t(size * 0.25). */
  hop: number;
  /** Hop duration in seconds (hop / fs): ViSQOL's "frame duration". */
  frameDurationS: number;
}

export function analysisWindow(sampleRate: number): AnalysisWindow {
  const size = Math.round(sampleRate * WINDOW_DURATION_S);
  const hop = Math.floor(size * WINDOW_OVERLAP);
  return { size, hop, frameDurationS: hop / sampleRate };
}

const hannCache = new Map<number, Float64Array>();

/** Symmetric Hann window as ViSQOL defines it. */
export function hannSymmetric(n: number): Float64Array {
  let w = hannCache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    hannCache.set(n, w);
  }
  return w;
}

/**
 * A spectrogram already built (before any dB conversion) and the signal it was built from. A
 * frame of a later spectrogram whose samples are a frame of that signal (the later signal is a
 * view of it, starting on its hop grid) is copied from it instead of filtered again: the
 * re-alignment of each matched patch rebuilds spectrograms of pieces of the same two signals.
 */
export interface KnownFrames {
  signal: Float64Array;
  spectrogram: Spectrogram;
}

/**
 * Where frame 0 of `view` sits in `known`'s frames: -1 unless `view` shares `known.signal`'s
 * memory and starts on its hop grid.
 */
function knownFrameOffset(view: Float64Array, known: KnownFrames | undefined, hop: number): number {
  if (!known || view.buffer !== known.signal.buffer) return -1;
  const start = (view.byteOffset - known.signal.byteOffset) / Float64Array.BYTES_PER_ELEMENT;
  return start >= 0 && start % hop === 0 ? start / hop : -1;
}

/**
 * Build the gammatone spectrogram of `signal` (at the filterbank's sample rate), copying the
 * frames `known` already holds (see KnownFrames).
 */
export function buildSpectrogram(signal: Float64Array, bank: GammatoneFilterbank, known?: KnownFrames): Spectrogram {
  const win = analysisWindow(bank.sampleRate);
  if (signal.length <= win.size) {
    throw new JitterlabError(
      'usage',
      `ViSQOL: too few samples (${signal.length}) to build a spectrogram (more than ${win.size} required)`,
    );
  }
  const frames = 1 + Math.floor((signal.length - win.size) / win.hop);
  const bands = bank.numBands;
  const data = new Float64Array(bands * frames);
  const hann = hannSymmetric(win.size);
  const firstKnown = knownFrameOffset(signal, known, win.hop);
  // The frames to filter, after copying those `known` holds; filtered two at a time.
  const todo: number[] = [];
  for (let f = 0; f < frames; f++) {
    if (firstKnown >= 0 && firstKnown + f < known!.spectrogram.frames) {
      const k = known!.spectrogram;
      for (let b = 0; b < bands; b++) data[b * frames + f] = k.data[b * k.frames + firstKnown + f];
    } else {
      todo.push(f);
    }
  }
  const frameA = new Float64Array(win.size);
  const frameB = new Float64Array(win.size);
  const cellA = new Float64Array(bands);
  const cellB = new Float64Array(bands);
  for (let t = 0; t < todo.length; t += 2) {
    windowFrame(signal, todo[t] * win.hop, hann, frameA);
    if (t + 1 < todo.length) {
      windowFrame(signal, todo[t + 1] * win.hop, hann, frameB);
      bank.framePairRms(frameA, frameB, cellA, cellB);
      for (let b = 0; b < bands; b++) data[b * frames + todo[t + 1]] = cellB[b];
    } else {
      bank.frameRms(frameA, cellA);
    }
    for (let b = 0; b < bands; b++) data[b * frames + todo[t]] = cellA[b];
  }
  return { bands, frames, data };
}

/** frame[i] = signal[start + i] * hann[i]. */
function windowFrame(signal: Float64Array, start: number, hann: Float64Array, frame: Float64Array): void {
  for (let i = 0; i < frame.length; i++) frame[i] = signal[start + i] * hann[i];
}

/** Absolute floor (dB) and floor relative to each frame's peak (dB), `misc_audio.cc`. */
export const NOISE_FLOOR_ABSOLUTE_DB = -45;
export const NOISE_FLOOR_RELATIVE_TO_PEAK_DB = 45;

function toDb(s: Spectrogram): void {
  const d = s.data;
  for (let i = 0; i < d.length; i++) {
    const a = Math.abs(d[i]);
    // ViSQOL substitutes DBL_EPSILON for an exact zero.
    d[i] = 10 * Math.log10(a === 0 ? Number.EPSILON : a);
  }
}

/**
 * In place: 10 log10 of each cell, floor at -45 dB, per-frame floor at (max of the ref/deg
 * frame) - 45 dB over the frames both share, then subtract the joint minimum so the floor is 0.
 */
export function prepareSpectrogramsForComparison(ref: Spectrogram, deg: Spectrogram): void {
  toDb(ref);
  toDb(deg);
  for (const s of [ref, deg]) {
    const d = s.data;
    for (let i = 0; i < d.length; i++) if (d[i] < NOISE_FLOOR_ABSOLUTE_DB) d[i] = NOISE_FLOOR_ABSOLUTE_DB;
  }
  const shared = Math.min(ref.frames, deg.frames);
  for (let f = 0; f < shared; f++) {
    let peak = -Infinity;
    for (let b = 0; b < ref.bands; b++) peak = Math.max(peak, ref.data[b * ref.frames + f]);
    for (let b = 0; b < deg.bands; b++) peak = Math.max(peak, deg.data[b * deg.frames + f]);
    const floor = peak - NOISE_FLOOR_RELATIVE_TO_PEAK_DB;
    for (let b = 0; b < ref.bands; b++) {
      const i = b * ref.frames + f;
      if (ref.data[i] < floor) ref.data[i] = floor;
    }
    for (let b = 0; b < deg.bands; b++) {
      const i = b * deg.frames + f;
      if (deg.data[i] < floor) deg.data[i] = floor;
    }
  }
  let lowest = Infinity;
  for (const v of ref.data) if (v < lowest) lowest = v;
  for (const v of deg.data) if (v < lowest) lowest = v;
  for (const s of [ref, deg]) {
    const d = s.data;
    for (let i = 0; i < d.length; i++) d[i] -= lowest;
  }
}
