/**
 * Full-reference scoring of a (reference, degraded) recording pair: both are downmixed to mono,
 * resampled to 16 kHz (ViSQOL speech mode's intended rate) with the windowed-sinc resampler, scored
 * with the ViSQOL v3 speech-mode port, and checked with the sanity measures on the
 * waveform-aligned overlap.
 */
import { JitterlabError } from '../core/errors.ts';
import { resample } from './resample.ts';
import { alignedOverlap, estimateLag, levelOffsetDb, logSpectralDistance, segmentalSnrDb } from './sanity.ts';
import { visqolSpeech, type VisqolResult } from './visqol/visqol.ts';

export const SCORE_SAMPLE_RATE = 16000;

export interface AudioInput {
  /** Samples in [-1, 1]; interleaved when `channels` > 1. */
  samples: Float32Array | Float64Array;
  sampleRate: number;
  /** Interleaved channel count, default 1. */
  channels?: number;
}

export interface ScorePairOptions {
  /** ViSQOL scaled mapping (NSIM 1 -> 5). Default true. */
  scaled?: boolean;
  /** Largest lag the sanity cross-correlation searches, seconds. Default 2. */
  maxLagS?: number;
}

export interface ScorePairResult {
  visqol: VisqolResult;
  /** Waveform lag of the degraded signal at 16 kHz, ms (positive: degraded is late). */
  lagMs: number;
  /** 20 log10(rms deg / rms ref) over the aligned overlap. */
  levelOffsetDb: number;
  /** Log-spectral distance over the aligned overlap (32 ms Hann, 16 ms hop, eps 1e-8). */
  lsdDb: number;
  /** Segmental SNR over the aligned overlap (20 ms frames, clamped to [-10, 35] dB). */
  segSnrDb: number;
  sampleRate: number;
}

/** Average interleaved channels into one (mono input is returned as it is, not copied). */
export function downmix(input: AudioInput): Float32Array | Float64Array {
  const ch = input.channels ?? 1;
  if (!Number.isInteger(ch) || ch < 1) {
    throw new JitterlabError('usage', `scorePair: channels must be a positive integer, got ${ch}`);
  }
  // The resampler reads either array type: a 48 kHz minute is 23 MB per float64 copy.
  if (ch === 1) return input.samples;
  const frames = Math.floor(input.samples.length / ch);
  const out = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let c = 0; c < ch; c++) s += input.samples[f * ch + c];
    out[f] = s / ch;
  }
  return out;
}

export function scorePair(ref: AudioInput, deg: AudioInput, opts: ScorePairOptions = {}): ScorePairResult {
  const r = resample(downmix(ref), ref.sampleRate, SCORE_SAMPLE_RATE);
  const d = resample(downmix(deg), deg.sampleRate, SCORE_SAMPLE_RATE);
  const visqol = visqolSpeech(r, d, SCORE_SAMPLE_RATE, { scaled: opts.scaled ?? true });
  const lag = estimateLag(r, d, SCORE_SAMPLE_RATE, opts.maxLagS);
  const overlap = alignedOverlap(r, d, lag.lagSamples);
  return {
    visqol,
    lagMs: lag.lagS * 1000,
    levelOffsetDb: levelOffsetDb(overlap.ref, overlap.deg),
    lsdDb: logSpectralDistance(overlap.ref, overlap.deg, SCORE_SAMPLE_RATE),
    segSnrDb: segmentalSnrDb(overlap.ref, overlap.deg, SCORE_SAMPLE_RATE),
    sampleRate: SCORE_SAMPLE_RATE,
  };
}
