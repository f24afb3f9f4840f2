/**
 * Quality scores of each variant of a finished run, computed from results.json and the WAVs
 * beside it (speech-quality.md section 7): the E-model (A, parametric), ViSQOL speech mode
 * (B, full-reference) and the sanity measures (C). The result goes to
 * results.variants[i].scores = { emodel, visqol, sanity }.
 */
import { join } from 'node:path';
import { JitterlabError } from '../core/errors.ts';
import {
  alignedOverlap,
  burstRFromLossSequence,
  emodelForCall,
  emodelWindows,
  estimateLag,
  findCodecImpairment,
  levelOffsetDb,
  logSpectralDistance,
  resample,
  scorePair,
  SCORE_SAMPLE_RATE,
  type EmodelBandwidth,
  type VisqolResult,
} from '../scores/index.ts';
import { readWavMono } from '../source/wav-file.ts';
import type { VariantResultsJson } from './results.ts';

export const EMODEL_WINDOW_MS = 5000;

export interface EmodelWindowScore {
  startMs: number;
  endMs: number;
  pplPercent: number;
  burstR: number;
  R: number;
  mosCq: number;
  mosLq: number;
}

export interface EmodelScores {
  standard: 'ITU-T G.107' | 'ITU-T G.107.1';
  bandwidth: EmodelBandwidth;
  R: number;
  mosCq: number;
  rLq: number;
  mosLq: number;
  Ie: number;
  Bpl: number;
  IeEff: number;
  Id: number;
  taMs: number;
  pplPercent: number;
  burstR: number;
  /** RFC 3611 section 4.7.5 fields (R on 0..100, MOS x 10). */
  rfc3611: { rFactor: number; mosLq: number; mosCq: number };
  codec: { codec: string; condition: string; provisional: boolean; source: string };
  /** True when Ie/Bpl are not published by any standard (every Opus entry). */
  provisional: boolean;
  windowMs: number;
  windows: EmodelWindowScore[];
}

export interface VisqolPatchScore {
  /** Reference (call) time of the patch, s. */
  startS: number;
  endS: number;
  similarity: number;
  matched: boolean;
}

export interface VisqolScores {
  mos: number;
  unscaledMos: number;
  vnsim: number;
  fvnsim: number[];
  centerFreqsHz: number[];
  alignmentLagS: number;
  sampleRate: number;
  unmatchedPatches: number;
  patches: VisqolPatchScore[];
}

export interface SanityScores {
  /** Waveform lag of degraded vs reference at 16 kHz, ms (positive: degraded is late). */
  lagMs: number;
  levelOffsetDb: number;
  lsdDb: number;
}

export interface VariantScores {
  emodel: EmodelScores | null;
  /** Why the E-model was not computed (no codec table entry), when it was not. */
  emodelSkipped?: string;
  visqol: VisqolScores | null;
  visqolSkipped?: string;
  sanity: SanityScores | null;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * The E-model scale for an Opus stream: G.107.1 wideband when the decoded audio reaches 7 kHz
 * (16 kHz sampling or more), G.107 narrowband otherwise (8 and 12 kHz sampling). Fullband
 * G.107.2 is not used: its Opus Ie,FB values are placeholders and it was not requested.
 */
export function emodelBandwidthFor(sampleRate: number): EmodelBandwidth {
  return sampleRate >= 16000 ? 'wb' : 'nb';
}

/**
 * Post-recovery loss sequence from the per-frame outcome string: a frame is lost when it was
 * concealed (or never played); frames played normally or rebuilt from FEC/RED/parity/RTX are
 * received, and DTX frames are not loss.
 */
export function postRecoveryLoss(frames: VariantResultsJson['frames']): boolean[] {
  const concealed = frames.outcomes.indexOf('concealed');
  const unplayed = frames.outcomes.indexOf('unplayed');
  const out = new Array<boolean>(frames.outcome.length);
  for (let i = 0; i < frames.outcome.length; i++) {
    const o = Number.parseInt(frames.outcome[i], 36);
    out[i] = o === concealed || o === unplayed;
  }
  return out;
}

interface CodecView {
  sampleRate: number;
  bitrateKbps: number;
  frameMs: number;
}

function codecOf(v: VariantResultsJson): CodecView {
  const c = (v.sender as { codec?: Partial<CodecView> }).codec ?? {};
  return { sampleRate: c.sampleRate ?? 48000, bitrateKbps: c.bitrateKbps ?? 24, frameMs: c.frameMs ?? 20 };
}

export function emodelForVariant(v: VariantResultsJson): { emodel: EmodelScores | null; skipped?: string } {
  const codec = codecOf(v);
  const bandwidth = emodelBandwidthFor(codec.sampleRate);
  const entry = findCodecImpairment('opus', bandwidth, codec.bitrateKbps);
  if (!entry) return { emodel: null, skipped: `no Ie/Bpl entry for Opus ${bandwidth} at ${codec.bitrateKbps} kbit/s` };
  const lost = postRecoveryLoss(v.frames);
  const pplPercent = Math.min(100, Math.max(0, v.playout.effectiveLoss * 100));
  const burstR = lost.length > 1 ? burstRFromLossSequence(lost) : 1;
  const taMs = v.latency.mouthToEarMs;
  const call = emodelForCall({ codecEntry: entry, bandwidth, mouthToEarMs: taMs, pplPercent, burstR: Number.isFinite(burstR) ? burstR : 1 });
  const windows = lost.length ? emodelWindows(lost, codec.frameMs, EMODEL_WINDOW_MS, taMs, entry) : [];
  return {
    emodel: {
      standard: bandwidth === 'nb' ? 'ITU-T G.107' : 'ITU-T G.107.1',
      bandwidth,
      R: r4(call.R),
      mosCq: r4(call.mosCQ),
      rLq: r4(call.rLQ),
      mosLq: r4(call.mosLQ),
      Ie: entry.Ie,
      Bpl: entry.Bpl,
      IeEff: r4(call.IeEff),
      Id: r4(call.Id),
      taMs: r4(taMs),
      pplPercent: r4(pplPercent),
      burstR: r4(Number.isFinite(burstR) ? burstR : 1),
      rfc3611: call.rfc3611,
      codec: call.codec,
      provisional: entry.provisional,
      windowMs: EMODEL_WINDOW_MS,
      windows: windows.map((w) => ({
        startMs: w.startMs,
        endMs: w.endMs,
        pplPercent: r4(w.pplPercent),
        burstR: r4(w.burstR),
        R: r4(w.R),
        mosCq: r4(w.mosCQ),
        mosLq: r4(w.mosLQ),
      })),
    },
  };
}

/** ViSQOL + sanity of one (reference, degraded) WAV pair; `visqol: false` computes only the sanity measures. */
export function signalScores(referenceWav: string, degradedWav: string, opts: { visqol: boolean }): { visqol: VisqolScores | null; sanity: SanityScores; visqolSkipped?: string } {
  const ref = readWavMono(referenceWav);
  const deg = readWavMono(degradedWav);
  if (opts.visqol) {
    try {
      const s = scorePair({ samples: ref.samples, sampleRate: ref.sampleRate }, { samples: deg.samples, sampleRate: deg.sampleRate });
      return {
        visqol: visqolOut(s.visqol),
        sanity: { lagMs: r4(s.lagMs), levelOffsetDb: r4(s.levelOffsetDb), lsdDb: r4(s.lsdDb) },
      };
    } catch (e) {
      // ViSQOL refuses signals without speech or shorter than one frame; the sanity measures still apply.
      if (!(e instanceof JitterlabError) || e.kind !== 'usage') throw e;
      return { visqol: null, visqolSkipped: e.message, sanity: sanityOnly(ref, deg) };
    }
  }
  return { visqol: null, visqolSkipped: 'disabled (report.visqol: false)', sanity: sanityOnly(ref, deg) };
}

function sanityOnly(ref: { samples: Float32Array; sampleRate: number }, deg: { samples: Float32Array; sampleRate: number }): SanityScores {
  const r = resample(Float64Array.from(ref.samples), ref.sampleRate, SCORE_SAMPLE_RATE);
  const d = resample(Float64Array.from(deg.samples), deg.sampleRate, SCORE_SAMPLE_RATE);
  const lag = estimateLag(r, d, SCORE_SAMPLE_RATE);
  const o = alignedOverlap(r, d, lag.lagSamples);
  return { lagMs: r4(lag.lagS * 1000), levelOffsetDb: r4(levelOffsetDb(o.ref, o.deg)), lsdDb: r4(logSpectralDistance(o.ref, o.deg, SCORE_SAMPLE_RATE)) };
}

function visqolOut(v: VisqolResult): VisqolScores {
  return {
    mos: r4(v.mos),
    unscaledMos: r4(v.unscaledMos),
    vnsim: r4(v.vnsim),
    fvnsim: v.fvnsim.map(r4),
    centerFreqsHz: v.centerFreqsHz.map((f) => Math.round(f * 10) / 10),
    alignmentLagS: r4(v.alignmentLagS),
    sampleRate: v.sampleRate,
    unmatchedPatches: v.patchSims.filter((p) => !p.matched).length,
    patches: v.patchSims.map((p) => ({ startS: r4(p.refStartS), endS: r4(p.refEndS), similarity: r4(p.similarity), matched: p.matched })),
  };
}

/** Every score of one variant; `dir` holds the WAVs named in `v.files`. */
export function scoreVariant(v: VariantResultsJson, dir: string, opts: { visqol: boolean }): VariantScores {
  const e = emodelForVariant(v);
  const s = signalScores(join(dir, v.files.reference), join(dir, v.files.degraded), opts);
  const out: VariantScores = { emodel: e.emodel, visqol: s.visqol, sanity: s.sanity };
  if (e.skipped) out.emodelSkipped = e.skipped;
  if (s.visqolSkipped) out.visqolSkipped = s.visqolSkipped;
  return out;
}
