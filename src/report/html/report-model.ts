/**
 * The data the HTML report draws, derived from results.json, packets.csv and the WAVs only
 * (so a report can be re-rendered from its directory). Every series is downsampled for drawing
 * (downsample.ts); the full data stays in results.json and packets.csv.
 *
 * Time axis: call time in seconds on the sender's clock. Packets sit at their send time, frames
 * at their capture start (frame k at k x frameMs), E-model windows and ViSQOL patches at the
 * reference time of their audio, scenario phases at their start; these agree to one frame.
 */
import { basename, join } from 'node:path';
import { parseDurationMs } from '../../core/duration.ts';
import { adaptationModels, type AdaptationVariantModel } from './adaptation-model.ts';
import { browserSummaries, type BrowserSummary } from './browser-section.ts';
import type { Results, VariantResultsJson } from '../results.ts';
import { Series } from '../../core/series.ts';
import { empiricalCdf, histogram, MAX_POINTS_PER_SERIES, minMaxBucketsOf, runsOf, XYColumns, type XY } from './downsample.ts';
import { readMediaPacketColumns, type MediaPacketColumns } from './read-packets-csv.ts';
import { similarityToQuality } from '../../scores/index.ts';
import { wavPeaks, type WavPeaks } from './wav-peaks.ts';

/** Points per waveform strip (min/max pairs): about one per horizontal pixel of a wide screen. */
export const WAVEFORM_BUCKETS = 1600;

export interface Phase {
  label: string;
  startS: number;
  endS: number;
}

export interface Headline {
  mosCq: number | null;
  mosLq: number | null;
  R: number | null;
  emodelStandard: string | null;
  provisional: boolean;
  /** The codec table entry the E-model used (scores/codec-impairments.ts), when it ran. */
  codec: { condition: string; source: string; Ie: number | null; Bpl: number | null; bandwidth: string | null } | null;
  visqolMos: number | null;
  vnsim: number | null;
  effectiveLoss: number;
  networkLoss: number;
  mouthToEarMs: number;
  jitterMs: number;
}

export interface VariantModel {
  name: string;
  description: string;
  frameMs: number;
  files: Record<string, string>;
  headline: Headline;
  packets: { received: XY[]; late: XY[]; lost: XY[]; recovered: XY[]; concealed: XY[]; deadline: XY[]; lostY: number; counts: Record<string, number> };
  jb: { level: XY[]; target: XY[] };
  delay: { cdf: XY[]; hist: { edges: number[]; width: number; counts: number[] } };
  bursts: {
    postRecovery: Array<[number, number]>;
    network: Array<[number, number]>;
    burstGapPost: Record<string, number> | null;
    burstGapNetwork: Record<string, number> | null;
  };
  quality: {
    emodel: Array<{ startS: number; endS: number; mosCq: number; mosLq: number; pplPercent: number }>;
    /** ViSQOL patches: centre t, span startS-endS, NSIM, and `mos`, the NSIM through ViSQOL's MOS mapping (the colour of its cell). */
    patches: Array<{ t: number; startS: number; endS: number; similarity: number; mos: number; matched: boolean }>;
    lossPerBin: XY[];
    concealedPerBin: XY[];
    binS: number;
  };
  latency: Record<string, number>;
  wave: { degraded: WavPeaks | null; concealed: Array<[number, number]>; reference: string };
  scores: { emodelSkipped?: string; visqolSkipped?: string; sanity: Record<string, number> | null; fvnsim: number[]; centerFreqsHz: number[] };
}

export interface ReportModel {
  name: string;
  description: string;
  seed: number;
  durationS: number;
  tool: string;
  scenarioFile: string;
  phases: Phase[];
  variants: VariantModel[];
  references: Record<string, WavPeaks | null>;
  comparison: Results['comparison'] | null;
  /** Sender adaptation timelines of the variants that adapt (empty when none does). */
  adaptation: AdaptationVariantModel[];
  /** How the real-browser variants ran (empty when none is one). */
  browsers: BrowserSummary[];
  maxPoints: number;
  /** The NSIM that ViSQOL's mapping turns into each MOS of the quality colour scale's ticks. */
  nsimAtMos: Array<{ mos: number; nsim: number }>;
}

/** MOS ticks of the quality colour scale: G.107 Annex B's 3.60 / 4.03 bounds among them. */
export const QUALITY_SCALE_MOS = [1, 2, 3, 3.6, 4.03, 4.5] as const;

/** The NSIM whose ViSQOL MOS is `mos` (the mapping is monotone: bisection to 1e-6). */
export function nsimForMos(mos: number): number {
  let lo = 0;
  let hi = 1;
  while (hi - lo > 1e-6) {
    const mid = (lo + hi) / 2;
    if (similarityToQuality(mid) < mos) lo = mid;
    else hi = mid;
  }
  return hi;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function phasesOf(results: Results): Phase[] {
  const raw = (results.scenario as { phases?: Array<{ at: number | string; for: number | string; label?: string }> }).phases ?? [];
  const out: Phase[] = [];
  raw.forEach((p, i) => {
    const at = parseDurationMs(p.at);
    const len = parseDurationMs(p.for);
    if (at === null || len === null) return;
    out.push({ label: p.label ?? `phase ${i + 1}`, startS: at / 1000, endS: (at + len) / 1000 });
  });
  return out;
}

function runLengthCounts(lengths: readonly number[]): Array<[number, number]> {
  const m = new Map<number, number>();
  for (const l of lengths) m.set(l, (m.get(l) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

/** Lengths of runs of consecutive `true` (non-zero) in a sequence. */
function runLengths(flags: ArrayLike<boolean | number>): number[] {
  const out: number[] = [];
  let n = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]) n++;
    else if (n) {
      out.push(n);
      n = 0;
    }
  }
  if (n) out.push(n);
  return out;
}

/** Per frame: 1 when its outcome is one of `names` (frames.outcome holds one base-36 digit per frame). */
function outcomeFlags(v: VariantResultsJson, names: readonly string[]): Uint8Array {
  const idx = new Set(names.map((n) => v.frames.outcomes.indexOf(n)).filter((i) => i >= 0));
  const o = v.frames.outcome;
  const out = new Uint8Array(o.length);
  for (let i = 0; i < o.length; i++) out[i] = idx.has(Number.parseInt(o[i], 36)) ? 1 : 0;
  return out;
}

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

interface ScoresView {
  emodel?: {
    mosCq?: number;
    mosLq?: number;
    R?: number;
    standard?: string;
    provisional?: boolean;
    Ie?: number;
    Bpl?: number;
    bandwidth?: string;
    codec?: { condition?: string; source?: string };
    windows?: Array<{ startMs: number; endMs: number; mosCq: number; mosLq: number; pplPercent: number }>;
  } | null;
  emodelSkipped?: string;
  visqol?: { mos?: number; vnsim?: number; fvnsim?: number[]; centerFreqsHz?: number[]; patches?: Array<{ startS: number; endS: number; similarity: number; matched: boolean }> } | null;
  visqolSkipped?: string;
  sanity?: Record<string, number> | null;
}

function variantModel(v: VariantResultsJson, media: MediaPacketColumns, dir: string, durationS: number, maxPoints: number): VariantModel {
  const frameMs = v.timeline.tickMs;
  const sc = (v.scores ?? {}) as ScoresView;
  // Per-packet and per-frame series are built as columns and only their downsampled points
  // become objects: a one-hour call has 180 000 of each.
  const received = new XYColumns();
  const late = new XYColumns();
  const lostAtS = new Series();
  const delays = new Series();
  let maxDelay = 0;
  for (let i = 0; i < media.length; i++) {
    const t = media.sendMs[i] / 1000;
    if (Number.isNaN(media.arrivalMs[i])) lostAtS.push(t);
    else {
      const d = media.arrivalMs[i] - media.sendMs[i];
      delays.push(d);
      maxDelay = Math.max(maxDelay, d);
      (media.late[i] ? late : received).push(t, d);
    }
  }
  const delayValues = delays.values();
  const concealedFlags = outcomeFlags(v, ['concealed', 'unplayed']);
  const recoveredFlags = outcomeFlags(v, ['fec', 'red', 'parity', 'rtx']);
  const deadline = new XYColumns();
  const concealedPts = new XYColumns();
  const recoveredPts = new XYColumns();
  const playoutMs = v.frames.playoutMs;
  let maxDeadline = 0;
  for (let k = 0; k < playoutMs.length; k++) {
    const pl = playoutMs[k];
    const sendMs = (k + 1) * frameMs;
    const y = pl === null ? null : pl - sendMs;
    if (y !== null) {
      deadline.push(sendMs / 1000, y);
      maxDeadline = Math.max(maxDeadline, y);
    }
    if (concealedFlags[k]) concealedPts.push(sendMs / 1000, y ?? 0);
    else if (recoveredFlags[k]) recoveredPts.push(sendMs / 1000, y ?? 0);
  }
  const maxY = Math.max(1, maxDelay, maxDeadline);
  // Lost packets are drawn on a line just above the highest delay.
  const lostY = Math.ceil((maxY * 1.08) / 10) * 10;
  const lost = new XYColumns();
  for (const t of lostAtS.values()) lost.push(t, lostY);

  const tl = v.timeline;
  const level = new XYColumns();
  const target = new XYColumns();
  for (let i = 0; i < tl.tMs.length; i++) {
    level.push(tl.tMs[i] / 1000, tl.levelMs[i]);
    target.push(tl.tMs[i] / 1000, tl.targetDelayMs[i]);
  }

  // Network and post-recovery loss per time bin (at most ~2000 bins), for the quality chart.
  const binS = Math.max(1, Math.ceil(durationS / 2000));
  const bins = Math.max(1, Math.ceil(durationS / binS));
  const sent = new Array<number>(bins).fill(0);
  const netLost = new Array<number>(bins).fill(0);
  // Network loss in send order (packets.csv is written in send order; sorted here if it is not).
  const mediaLost = new Uint8Array(media.length);
  let inSendOrder = true;
  for (let i = 0; i < media.length; i++) {
    const b = Math.min(bins - 1, Math.floor(media.sendMs[i] / 1000 / binS));
    sent[b]++;
    mediaLost[i] = Number.isNaN(media.arrivalMs[i]) ? 1 : 0;
    if (mediaLost[i]) netLost[b]++;
    if (i > 0 && media.sendMs[i] < media.sendMs[i - 1]) inSendOrder = false;
  }
  const framesPerBin = new Array<number>(bins).fill(0);
  const concPerBin = new Array<number>(bins).fill(0);
  for (let k = 0; k < concealedFlags.length; k++) {
    const b = Math.min(bins - 1, Math.floor((k * frameMs) / 1000 / binS));
    framesPerBin[b]++;
    if (concealedFlags[k]) concPerBin[b]++;
  }
  const lossPerBin = netLost.map((n, b) => ({ x: (b + 0.5) * binS, y: sent[b] ? r3((100 * n) / sent[b]) : 0 }));
  const concealedPerBin = concPerBin.map((n, b) => ({ x: (b + 0.5) * binS, y: framesPerBin[b] ? r3((100 * n) / framesPerBin[b]) : 0 }));

  const networkLostSeq = inSendOrder
    ? mediaLost
    : Array.from(media.sendMs, (t, i) => ({ t, lost: mediaLost[i] }))
        .sort((a, b) => a.t - b.t)
        .map((p) => p.lost);
  const playout = v.playout as typeof v.playout & { lossBurstLengths?: number[]; burstGap?: Record<string, number> };
  const network = v.network as typeof v.network & { burstGap?: Record<string, number> };

  const frameS = frameMs / 1000;
  const concealedRuns = runsOf(concealedFlags, 0, 2000).map(([a, b]) => [r3(a * frameS), r3(b * frameS)] as [number, number]);
  let degraded: WavPeaks | null = null;
  try {
    degraded = wavPeaks(join(dir, v.files.degraded), WAVEFORM_BUCKETS);
  } catch {
    degraded = null;
  }
  const em = sc.emodel ?? null;
  const vq = sc.visqol ?? null;
  const round = (pts: XY[]) => pts.map((p) => ({ x: r3(p.x), y: r3(p.y) }));
  return {
    name: v.name,
    description: v.description,
    frameMs,
    files: v.files,
    headline: {
      mosCq: num(em?.mosCq),
      mosLq: num(em?.mosLq),
      R: num(em?.R),
      emodelStandard: em?.standard ?? null,
      provisional: em?.provisional === true,
      codec: em?.codec ? { condition: em.codec.condition ?? '', source: em.codec.source ?? '', Ie: num(em.Ie), Bpl: num(em.Bpl), bandwidth: em.bandwidth ?? null } : null,
      visqolMos: num(vq?.mos),
      vnsim: num(vq?.vnsim),
      effectiveLoss: v.playout.effectiveLoss,
      networkLoss: v.network.lossRate,
      mouthToEarMs: v.latency.mouthToEarMs,
      jitterMs: v.network.rfc3550JitterMs,
    },
    packets: {
      received: round(minMaxBucketsOf(received, maxPoints)),
      late: round(minMaxBucketsOf(late, maxPoints)),
      lost: round(minMaxBucketsOf(lost, maxPoints)),
      recovered: round(minMaxBucketsOf(recoveredPts, maxPoints)),
      concealed: round(minMaxBucketsOf(concealedPts, maxPoints)),
      deadline: round(minMaxBucketsOf(deadline, maxPoints)),
      lostY,
      counts: { received: received.length, late: late.length, lost: lost.length, recovered: recoveredPts.length, concealed: concealedPts.length },
    },
    jb: { level: round(minMaxBucketsOf(level, maxPoints)), target: round(minMaxBucketsOf(target, maxPoints)) },
    delay: { cdf: round(empiricalCdf(delayValues, 500)), hist: ((h) => ({ edges: h.edges.map(r3), width: r3(h.width), counts: h.counts }))(histogram(delayValues, 40)) },
    bursts: {
      postRecovery: runLengthCounts(playout.lossBurstLengths ?? runLengths(concealedFlags)),
      network: runLengthCounts(runLengths(networkLostSeq)),
      burstGapPost: playout.burstGap ?? null,
      burstGapNetwork: network.burstGap ?? null,
    },
    quality: {
      emodel: (em?.windows ?? []).map((w) => ({ startS: w.startMs / 1000, endS: w.endMs / 1000, mosCq: w.mosCq, mosLq: w.mosLq, pplPercent: w.pplPercent })),
      patches: (vq?.patches ?? []).map((p) => ({
        t: r3((p.startS + p.endS) / 2),
        startS: r3(p.startS),
        endS: r3(p.endS),
        similarity: p.similarity,
        mos: r3(similarityToQuality(p.similarity)),
        matched: p.matched,
      })),
      lossPerBin,
      concealedPerBin,
      binS,
    },
    latency: Object.fromEntries(Object.entries(v.latency).filter(([, x]) => typeof x === 'number')) as Record<string, number>,
    wave: { degraded, concealed: concealedRuns, reference: v.files.reference },
    scores: {
      emodelSkipped: sc.emodelSkipped,
      visqolSkipped: sc.visqolSkipped,
      sanity: sc.sanity ?? null,
      fvnsim: vq?.fvnsim ?? [],
      centerFreqsHz: vq?.centerFreqsHz ?? [],
    },
  };
}

export function buildReportModel(results: Results, dir: string, maxPoints = MAX_POINTS_PER_SERIES): ReportModel {
  const durationS = Number((results.scenario as { durationS?: number }).durationS ?? 0);
  const variants = results.variants.map((v) => variantModel(v, readMediaPacketColumns(join(dir, v.files.packets)), dir, durationS, maxPoints));
  const references: Record<string, WavPeaks | null> = {};
  for (const v of results.variants) {
    if (v.files.reference in references) continue;
    try {
      references[v.files.reference] = wavPeaks(join(dir, v.files.reference), WAVEFORM_BUCKETS);
    } catch {
      references[v.files.reference] = null;
    }
  }
  return {
    name: String((results.scenario as { name?: string }).name ?? basename(results.scenarioFile).replace(/\.[^.]*$/, '')),
    description: String((results.scenario as { description?: string }).description ?? ''),
    seed: results.seed,
    durationS,
    tool: `jitterlab ${results.tool.version}, ${results.tool.libopus}`,
    scenarioFile: results.scenarioFile,
    phases: phasesOf(results),
    variants,
    references,
    comparison: results.comparison ?? null,
    adaptation: adaptationModels(results.variants, maxPoints),
    browsers: browserSummaries(results.variants),
    nsimAtMos: QUALITY_SCALE_MOS.map((mos) => ({ mos, nsim: Math.round(nsimForMos(mos) * 1000) / 1000 })),
    maxPoints,
  };
}
