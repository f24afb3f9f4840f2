/**
 * The "Sender adaptation" part of the report model: the per-variant adaptation timeline of
 * results.json (columns written by src/sender/adaptation/timeline.ts) turned into drawable
 * series in seconds, bounded for long calls.
 *
 * Continuous quantities (estimates, send rate, queue delay, loss, RTT) go through min/max
 * bucketing, which keeps every extreme. Settings that hold between changes (bottleneck capacity,
 * Opus bitrate, FEC, expected loss, RED) are reduced to their change points, which loses nothing
 * for a step line; only a call whose settings change more often than the point budget falls back
 * to bucketing.
 *
 * results.json holds `adaptation` as an untyped record (its schema lives with the sender), so
 * every column is read defensively: a missing or malformed column is left out, never thrown on.
 */
import { MAX_POINTS_PER_SERIES, minMaxBuckets, type XY } from './downsample.ts';

/** A point of a step series; y null = no value (capacity null = unlimited bottleneck). */
export interface StepXY {
  x: number;
  y: number | null;
}

export interface AdaptationVariantModel {
  /** Variant name and its index among all variants (the colour it is drawn in). */
  name: string;
  index: number;
  intervalMs: number;
  rates: {
    estimate: XY[];
    delayBased: XY[] | null;
    lossBased: XY[] | null;
    acked: XY[] | null;
    sendRate: XY[];
    capacity: StepXY[];
    /** null when the call has no cross traffic. */
    crossTraffic: XY[] | null;
  };
  network: { queueDelayMs: XY[]; rttMs: XY[] | null; lossPct: XY[]; reportedLossPct: XY[] | null };
  codec: { bitrateKbps: StepXY[]; fec: StepXY[]; expectedLossPct: StepXY[]; red: StepXY[] };
  summary: Record<string, number | null>;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A column of length n holding finite numbers or null; anything else reads as absent. */
function column(raw: Record<string, unknown>, key: string, n: number): Array<number | null> | null {
  const c = raw[key];
  if (!Array.isArray(c) || c.length !== n) return null;
  const out: Array<number | null> = [];
  for (const v of c) {
    if (v === null) out.push(null);
    else if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
    else return null;
  }
  return out;
}

/**
 * Change points of a step series: the first sample, every sample whose value differs from the
 * one before, and the last sample (so the line reaches the end of the call). Drawn with
 * step-before interpolation (Chart.js `stepped: true`), each value holds until the next point.
 */
export function stepChanges(pts: readonly StepXY[]): StepXY[] {
  const out: StepXY[] = [];
  pts.forEach((p, i) => {
    if (i === 0 || i === pts.length - 1 || p.y !== pts[i - 1].y) out.push({ x: p.x, y: p.y });
  });
  return out;
}

/** Step series bounded to maxPoints: change points, else min/max buckets of the defined values. */
export function boundedSteps(pts: readonly StepXY[], maxPoints: number): StepXY[] {
  const steps = stepChanges(pts);
  if (steps.length <= maxPoints) return steps;
  return minMaxBuckets(
    steps.filter((p): p is XY => p.y !== null),
    maxPoints,
  );
}

function series(t: readonly number[], ys: ReadonlyArray<number | null>, scale = 1): XY[] {
  const pts: XY[] = [];
  ys.forEach((y, i) => {
    if (y !== null) pts.push({ x: t[i], y: y * scale });
  });
  return pts;
}

/** Builds the model of one variant's adaptation block, or null when it has no usable timeline. */
export function adaptationVariantModel(raw: unknown, name: string, index: number, maxPoints = MAX_POINTS_PER_SERIES): AdaptationVariantModel | null {
  if (!isRecord(raw)) return null;
  const tMs = raw.tMs;
  if (!Array.isArray(tMs) || tMs.length === 0 || !tMs.every((x) => typeof x === 'number' && Number.isFinite(x))) return null;
  const n = tMs.length;
  const t = (tMs as number[]).map((x) => x / 1000);
  const col = (key: string) => column(raw, key, n);
  const estimate = col('estimateKbps');
  const sendRate = col('sendRateKbps');
  if (!estimate || !sendRate) return null;

  const round = (pts: readonly XY[]): XY[] => pts.map((p) => ({ x: r3(p.x), y: r3(p.y) }));
  const roundSteps = (pts: readonly StepXY[]): StepXY[] => pts.map((p) => ({ x: r3(p.x), y: p.y === null ? null : r3(p.y) }));
  const cont = (ys: ReadonlyArray<number | null>, scale = 1): XY[] => round(minMaxBuckets(series(t, ys, scale), maxPoints));
  const optional = (key: string, scale = 1): XY[] | null => {
    const c = col(key);
    return c && c.some((y) => y !== null) ? cont(c, scale) : null;
  };
  const steps = (key: string, scale = 1): StepXY[] => {
    const c = col(key);
    if (!c) return [];
    return roundSteps(boundedSteps(c.map((y, i) => ({ x: t[i], y: y === null ? null : y * scale })), maxPoints));
  };
  const cross = col('crossTrafficKbps');
  const summary: Record<string, number | null> = {};
  if (isRecord(raw.summary)) {
    for (const [k, v] of Object.entries(raw.summary)) if (v === null || (typeof v === 'number' && Number.isFinite(v))) summary[k] = v;
  }
  return {
    name,
    index,
    intervalMs: typeof raw.intervalMs === 'number' && Number.isFinite(raw.intervalMs) ? raw.intervalMs : 0,
    rates: {
      estimate: cont(estimate),
      delayBased: optional('delayBasedKbps'),
      lossBased: optional('lossBasedKbps'),
      acked: optional('ackedKbps'),
      sendRate: cont(sendRate),
      capacity: steps('capacityKbps'),
      crossTraffic: cross && cross.some((y) => y !== null && y > 0) ? cont(cross) : null,
    },
    network: {
      queueDelayMs: cont(col('queueDelayMs') ?? []),
      rttMs: optional('rttMs'),
      // Fractions in results.json, percent on the chart.
      lossPct: cont(col('networkLoss') ?? [], 100),
      reportedLossPct: optional('reportedLoss', 100),
    },
    codec: {
      bitrateKbps: steps('codecBitrateKbps'),
      fec: steps('fec'),
      expectedLossPct: steps('expectedLossPct'),
      red: steps('red'),
    },
    summary,
  };
}

/** The adaptation models of every variant that has an adaptation timeline, in variant order. */
export function adaptationModels(variants: ReadonlyArray<{ name: string; adaptation?: unknown }>, maxPoints = MAX_POINTS_PER_SERIES): AdaptationVariantModel[] {
  const out: AdaptationVariantModel[] = [];
  variants.forEach((v, i) => {
    const m = v.adaptation === undefined ? null : adaptationVariantModel(v.adaptation, v.name, i, maxPoints);
    if (m) out.push(m);
  });
  return out;
}
