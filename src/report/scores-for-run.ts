/**
 * Quality scores of each variant of a finished run, computed from results.json and the WAVs
 * beside it (speech-quality.md section 7): the E-model (A, parametric), ViSQOL speech mode
 * (B, full-reference) and the sanity measures (C). The result goes to
 * results.variants[i].scores = { emodel, visqol, sanity }.
 */
import { join } from 'node:path';
import { JitterlabError, WavError } from '../core/errors.ts';
import {
  alignedOverlap,
  burstRFromLossSequence,
  emodelForCall,
  emodelWindows,
  estimateLag,
  levelOffsetDb,
  logSpectralDistance,
  opusImpairment,
  resample,
  SCORE_SAMPLE_RATE,
  similarityToQuality,
  visqolSpeech,
  type EmodelBandwidth,
  type VisqolResult,
} from '../scores/index.ts';
import { comparisonRow, rankComparison, type Results, type VariantResultsJson } from './results.ts';
import { readWavSegment, wavInfo } from './wav-segment.ts';

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
  /** Segments scored (long calls are scored in about SCORE_SEGMENT_S-second segments) and refused (no speech). */
  segments: number;
  skippedSegments: number;
  unmatchedPatches: number;
  patches: VisqolPatchScore[];
}

export interface SanityScores {
  /** Waveform lag of degraded vs reference at 16 kHz, ms (positive: degraded is late); median over segments. */
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
  const entry = opusImpairment(codec.sampleRate, codec.bitrateKbps);
  if (!entry) return { emodel: null, skipped: `no Ie/Bpl entry for Opus at ${codec.bitrateKbps} kbit/s` };
  const bandwidth = entry.bandwidth;
  const lost = postRecoveryLoss(v.frames);
  const pplPercent = Math.min(100, Math.max(0, v.playout.effectiveLoss * 100));
  // BurstR describes the loss process of the packets sent, as Ppl (effective loss) does: frames
  // of sender DTX silence are not packets and must not split bursts or dilute p (G.107 7.5).
  const dtx = v.frames.outcomes.indexOf('dtx');
  const sent = lost.map((_, i) => Number.parseInt(v.frames.outcome[i], 36) !== dtx);
  const sentLost = lost.filter((_, i) => sent[i]);
  const burstR = sentLost.length > 1 ? burstRFromLossSequence(sentLost) : 1;
  const taMs = v.latency.mouthToEarMs;
  const call = emodelForCall({ codecEntry: entry, bandwidth, mouthToEarMs: taMs, pplPercent, burstR: Number.isFinite(burstR) ? burstR : 1 });
  const windows = lost.length ? emodelWindows(lost, codec.frameMs, EMODEL_WINDOW_MS, taMs, entry, sent) : [];
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

/**
 * Long calls are scored in segments of about SCORE_SEGMENT_S seconds (a call of up to 1.5 x that
 * is one segment): ViSQOL is built for short clips (its patches are 0.4 s and its global
 * alignment is one lag), and a one-hour call read whole would take several GB. Segment patches
 * are pooled exactly as one ViSQOL run pools its patches (fvnsim = per-band mean over all
 * patches, vnsim = their mean, MOS from vnsim); sanity measures are duration-weighted means
 * (lag: the median).
 */
export const SCORE_SEGMENT_S = 60;
/**
 * At most this many segments are scored: a longer call is sampled by evenly spaced segments
 * (ViSQOL costs seconds of CPU per minute of audio, `npm run bench` prints the figure; a
 * one-hour call scored whole would take longer than simulating it). The E-model still covers
 * the whole call, window by window.
 */
export const SCORE_MAX_SEGMENTS = 10;

interface Segment {
  startS: number;
  durS: number;
}

export function scoreSegments(durationS: number, segmentS = SCORE_SEGMENT_S, maxSegments = SCORE_MAX_SEGMENTS): Segment[] {
  const n = Math.max(1, Math.round(durationS / segmentS));
  if (n === 1) return [{ startS: 0, durS: Infinity }];
  if (n > maxSegments) {
    const step = (durationS - segmentS) / (maxSegments - 1);
    return Array.from({ length: maxSegments }, (_, k) => ({ startS: k * step, durS: segmentS }));
  }
  const len = durationS / n;
  // The last segment runs to the end of each file (the degraded one may be a little longer).
  return Array.from({ length: n }, (_, k) => ({ startS: k * len, durS: k === n - 1 ? Infinity : len }));
}

/** The sanity measures of a pair at SCORE_SAMPLE_RATE (what scorePair computes beside ViSQOL). */
function sanityOf(r: Float64Array, d: Float64Array): SanityScores {
  const lag = estimateLag(r, d, SCORE_SAMPLE_RATE);
  const o = alignedOverlap(r, d, lag.lagSamples);
  return { lagMs: lag.lagS * 1000, levelOffsetDb: levelOffsetDb(o.ref, o.deg), lsdDb: logSpectralDistance(o.ref, o.deg, SCORE_SAMPLE_RATE) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** ViSQOL + sanity of one (reference, degraded) WAV pair; `visqol: false` computes only the sanity measures. */
export function signalScores(referenceWav: string, degradedWav: string, opts: { visqol: boolean; segmentS?: number }): { visqol: VisqolScores | null; sanity: SanityScores; visqolSkipped?: string } {
  const segments = scoreSegments(wavInfo(referenceWav).durationS, opts.segmentS);
  const results: Array<{ seg: Segment; weight: number; visqol: VisqolResult | null; sanity: SanityScores }> = [];
  let refusal: string | undefined;
  // Every segment of both files is read into one buffer, each resampled (to a new array) before the next read.
  let scratch: Float32Array | undefined;
  const read16k = (file: string, seg: Segment): { x: Float64Array; seconds: number } => {
    const a = readWavSegment(file, seg.startS, seg.durS, scratch);
    if (!scratch || a.samples.buffer !== scratch.buffer) scratch = a.samples;
    return { x: resample(a.samples, a.sampleRate, SCORE_SAMPLE_RATE), seconds: a.samples.length / a.sampleRate };
  };
  for (const seg of segments) {
    const ref = read16k(referenceWav, seg);
    const deg = read16k(degradedWav, seg);
    if (!ref.x.length || !deg.x.length) continue;
    let visqol: VisqolResult | null = null;
    if (opts.visqol) {
      try {
        // As scorePair does, on the pair already at its rate.
        visqol = visqolSpeech(ref.x, deg.x, SCORE_SAMPLE_RATE, { scaled: true });
      } catch (e) {
        // ViSQOL refuses a segment without speech or shorter than one frame; the sanity measures still apply.
        if (!(e instanceof JitterlabError) || e.kind !== 'usage') throw e;
        refusal = e.message;
      }
    }
    results.push({ seg, weight: ref.seconds, visqol, sanity: sanityOf(ref.x, deg.x) });
  }
  if (!results.length) throw new WavError(degradedWav, 'no audio to score');
  const total = results.reduce((a, r) => a + r.weight, 0);
  const wmean = (f: (s: SanityScores) => number) => results.reduce((a, r) => a + f(r.sanity) * r.weight, 0) / total;
  const sanity: SanityScores = {
    lagMs: r4(median(results.map((r) => r.sanity.lagMs))),
    levelOffsetDb: r4(wmean((x) => x.levelOffsetDb)),
    lsdDb: r4(wmean((x) => x.lsdDb)),
  };
  const scored = results.filter((r) => r.visqol !== null);
  if (!opts.visqol) return { visqol: null, visqolSkipped: 'disabled (report.visqol: false)', sanity };
  if (!scored.length) return { visqol: null, visqolSkipped: refusal ?? 'no segment could be scored', sanity };
  return { visqol: pooledVisqol(scored.map((r) => ({ startS: r.seg.startS, v: r.visqol! })), results.length - scored.length), sanity };
}

function pooledVisqol(parts: Array<{ startS: number; v: VisqolResult }>, skippedSegments: number): VisqolScores {
  const first = parts[0].v;
  const bands = first.fvnsim.length;
  const patches = parts.flatMap((p) => p.v.patchSims.map((x) => ({ ...x, startS: p.startS + x.refStartS, endS: p.startS + x.refEndS })));
  let fvnsim: number[];
  let vnsim: number;
  let mos: number;
  let unscaledMos: number;
  if (parts.length === 1) {
    ({ fvnsim, vnsim, mos, unscaledMos } = first);
  } else {
    fvnsim = new Array<number>(bands).fill(0);
    for (const p of patches) for (let b = 0; b < bands; b++) fvnsim[b] += p.bandMeans[b] / patches.length;
    vnsim = fvnsim.reduce((a, b) => a + b, 0) / bands;
    mos = similarityToQuality(vnsim, true);
    unscaledMos = similarityToQuality(vnsim, false);
  }
  return {
    mos: r4(mos),
    unscaledMos: r4(unscaledMos),
    vnsim: r4(vnsim),
    fvnsim: fvnsim.map(r4),
    centerFreqsHz: first.centerFreqsHz.map((f) => Math.round(f * 10) / 10),
    alignmentLagS: r4(median(parts.map((p) => p.v.alignmentLagS))),
    sampleRate: first.sampleRate,
    segments: parts.length,
    skippedSegments,
    unmatchedPatches: patches.filter((p) => !p.matched).length,
    patches: patches.map((p) => ({ startS: r4(p.startS), endS: r4(p.endS), similarity: r4(p.similarity), matched: p.matched })),
  };
}

/** Every score of one variant; `dir` holds the WAVs named in `v.files`. */
export function scoreVariant(v: VariantResultsJson, dir: string, opts: { visqol: boolean }): VariantScores {
  const e = emodelForVariant(v);
  const degraded = join(dir, v.files.degraded);
  if (wavInfo(degraded).durationS === 0) {
    // Nothing reached the listener (every packet lost, an outage for the whole call): the E-model
    // still rates the call; there is no audio to compare.
    const out: VariantScores = { emodel: e.emodel, visqol: null, visqolSkipped: 'no audio was played (nothing reached the receiver)', sanity: null };
    if (e.skipped) out.emodelSkipped = e.skipped;
    return out;
  }
  const s = signalScores(join(dir, v.files.reference), degraded, opts);
  const out: VariantScores = { emodel: e.emodel, visqol: s.visqol, sanity: s.sanity };
  if (e.skipped) out.emodelSkipped = e.skipped;
  if (s.visqolSkipped) out.visqolSkipped = s.visqolSkipped;
  return out;
}

/**
 * Scores every variant of `results` in place (WAVs read from `dir`) and re-ranks the comparison,
 * whose rows carry mosEmodel / mosVisqol.
 */
export function addScoresToResults(results: Results, dir: string, opts: { visqol: boolean }): void {
  for (const v of results.variants) v.scores = scoreVariant(v, dir, opts) as unknown as Record<string, unknown>;
  if (results.comparison) results.comparison = rankComparison(results.variants.map(comparisonRow));
}
