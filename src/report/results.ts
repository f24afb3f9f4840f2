/**
 * results.json: the resolved scenario, the seed and every aggregate of every variant, with a
 * schema version. A report is a pure function of this file and the WAVs beside it.
 */
import { z } from 'zod';
import type { ScenarioRun, VariantResult } from '../sim/run-scenario.ts';
import { FRAME_OUTCOMES } from '../sim/records.ts';
import { TICK_OPS } from '../sim/playout-record.ts';

export const RESULTS_SCHEMA_VERSION = 1;

const num = z.number().nullable();
const summary = z.object({ count: z.number(), min: num, mean: num, p50: num, p95: num, p99: num, max: num });

export const ResultsSchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('jitterlab'), version: z.string(), libopus: z.string() }),
  scenario: z.record(z.string(), z.unknown()),
  scenarioFile: z.string(),
  seed: z.number(),
  rtp: z.object({ ssrc: z.number(), initialSeq: z.number(), initialTimestamp: z.number(), payloadType: z.number() }),
  slotMs: z.number(),
  encodings: z.array(z.object({ frames: z.number(), bytes: z.number(), bitrateKbps: z.number() })),
  variants: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      sender: z.record(z.string(), z.unknown()),
      receiver: z.record(z.string(), z.unknown()),
      files: z.record(z.string(), z.string()),
      network: z.object({ packetsSent: z.number(), lossRate: z.number(), delayMs: summary, rfc3550JitterMs: z.number() }).passthrough(),
      playout: z.object({ frames: z.number(), effectiveLoss: z.number(), playoutDelayMs: summary, jitterBufferDelayMs: summary }).passthrough(),
      latency: z.object({ mouthToEarMs: z.number() }).passthrough(),
      w3c: z.record(z.string(), z.number()),
      scores: z.record(z.string(), z.unknown()).optional(),
      adaptation: z.record(z.string(), z.unknown()).optional().describe('Sender adaptation timeline (src/sender/adaptation/timeline.ts), when on.'),
      browser: z.record(z.string(), z.unknown()).optional().describe('How a real-browser receiver ran (src/browser/browser-run.ts BrowserRunInfo).'),
      /** What call.pcap holds, when written (--pcap / report.pcap). */
      pcap: z.object({ packets: z.number(), duplicates: z.number(), duplicatesOmitted: z.number(), syntheticPayloads: z.number() }).optional(),
      timeline: z.object({ tickMs: z.number(), tMs: z.array(z.number()), targetDelayMs: z.array(z.number()), levelMs: z.array(z.number()), op: z.array(z.number()), ops: z.array(z.string()) }),
      frames: z.object({ outcomes: z.array(z.string()), outcome: z.string(), playoutMs: z.array(num) }),
    }),
  ),
  comparison: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))).optional(),
});
export type Results = z.output<typeof ResultsSchema>;
export type VariantResultsJson = Results['variants'][number];

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function variantFiles(v: VariantResult, index: number, multi: boolean): Record<string, string> {
  const dir = multi ? `variants/${v.name}/` : '';
  const files: Record<string, string> = {
    degraded: `${dir}degraded.wav`,
    packets: `${dir}packets.csv`,
    // Same naming as write-run's reference writers: the first encoding is reference.wav.
    reference: v.encodingIndex === 0 ? 'reference.wav' : `reference-${v.encodingIndex}.wav`,
  };
  return files;
}

/** The measures a comparison ranks by (issue: effective loss, concealment, delay, late loss). */
export function comparisonRow(v: VariantResultsJson): Record<string, string | number | null> {
  const browser = v.browser as { trusted?: boolean } | undefined;
  return {
    variant: v.name,
    // A real browser's figures are measurements in real time: say so, and whether they can be trusted.
    ...(browser ? { receiver: browser.trusted ? 'browser' : 'browser, untrusted' } : {}),
    effectiveLoss: v.playout.effectiveLoss,
    concealmentRatio: (v.playout as { concealmentRatio?: number }).concealmentRatio ?? null,
    meanPlayoutDelayMs: v.playout.playoutDelayMs.mean,
    p95PlayoutDelayMs: v.playout.playoutDelayMs.p95,
    lateDiscarded: (v.playout as { lateDiscarded?: number }).lateDiscarded ?? null,
    mouthToEarMs: v.latency.mouthToEarMs,
    mosEmodel: ((v.scores as { emodel?: { mosCq?: number } | null } | undefined)?.emodel?.mosCq ?? null) as number | null,
    mosVisqol: ((v.scores as { visqol?: { mos?: number } | null } | undefined)?.visqol?.mos ?? null) as number | null,
  };
}

/** Rank: lowest effective loss first, then lowest p95 playout delay. */
export function rankComparison(rows: Array<Record<string, string | number | null>>): Array<Record<string, string | number | null>> {
  const n = (x: string | number | null) => (typeof x === 'number' && Number.isFinite(x) ? x : Infinity);
  return [...rows]
    .sort((a, b) => n(a.effectiveLoss) - n(b.effectiveLoss) || n(a.p95PlayoutDelayMs) - n(b.p95PlayoutDelayMs) || String(a.variant).localeCompare(String(b.variant)))
    .map((r, i) => ({ rank: i + 1, ...r }));
}

/** One variant's part of results.json (also built as soon as the variant has run, to score it early). */
export function variantResultsJson(v: VariantResult, index: number, multi: boolean, scores?: Record<string, unknown>): VariantResultsJson {
  const a = v.aggregates;
  const tl = v.run.timeline;
  return {
    name: v.name,
    description: v.description,
    sender: v.variant.sender as unknown as Record<string, unknown>,
    receiver: v.variant.receiver as unknown as Record<string, unknown>,
    files: variantFiles(v, index, multi),
    network: a.network as unknown as Results['variants'][number]['network'],
    playout: a.playout as unknown as Results['variants'][number]['playout'],
    latency: a.latency as unknown as Results['variants'][number]['latency'],
    w3c: a.w3c as unknown as Record<string, number>,
    scores,
    ...(v.run.adaptation ? { adaptation: v.run.adaptation as unknown as Record<string, unknown> } : {}),
    ...(v.run.browser ? { browser: v.run.browser as unknown as Record<string, unknown> } : {}),
    timeline: {
      tickMs: v.frameMs,
      tMs: mapToArray(tl.tMs, r3),
      targetDelayMs: mapToArray(tl.targetDelayMs, r3),
      levelMs: mapToArray(tl.levelMs, r3),
      op: mapToArray(tl.op, (x) => x),
      ops: [...TICK_OPS],
    },
    frames: {
      outcomes: [...FRAME_OUTCOMES],
      outcome: mapToArray(v.run.frameOutcome, (o) => o.toString(36)).join(''),
      playoutMs: mapToArray(v.run.framePlayoutMs, (x) => (Number.isNaN(x) ? null : r3(x))),
    },
  };
}

export function buildResults(run: ScenarioRun, meta: { version: string; libopus: string }, scores?: Map<string, Record<string, unknown>>): Results {
  const multi = run.variants.length > 1;
  const variants: Results['variants'] = run.variants.map((v, i) => variantResultsJson(v, i, multi, scores?.get(v.name)));
  const results: Results = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'jitterlab', version: meta.version, libopus: meta.libopus },
    scenario: run.scenario.config as unknown as Record<string, unknown>,
    scenarioFile: run.scenario.file,
    seed: run.seed,
    rtp: { ssrc: run.rtp.ssrc, initialSeq: run.rtp.initialSeq, initialTimestamp: run.rtp.initialTimestamp, payloadType: run.rtp.payloadType },
    slotMs: run.slotMs,
    encodings: run.encodings.map((e) => ({ frames: e.frames, bytes: e.bytes, bitrateKbps: e.bitrateKbps })),
    variants,
    comparison: multi ? rankComparison(variants.map(comparisonRow)) : undefined,
  };
  validateResults(results);
  return results;
}

/**
 * Validate with the results schema. The long per-tick and per-frame series are checked on a
 * prefix only: their element types are the same throughout, and a one-hour call would otherwise
 * hold a second copy of them just for validation.
 */
export function validateResults(results: Results): void {
  const head = <T>(a: T[]): T[] => a.slice(0, 64);
  ResultsSchema.parse({
    ...results,
    variants: results.variants.map((v) => ({
      ...v,
      timeline: { ...v.timeline, tMs: head(v.timeline.tMs), targetDelayMs: head(v.timeline.targetDelayMs), levelMs: head(v.timeline.levelMs), op: head(v.timeline.op) },
      frames: { ...v.frames, playoutMs: head(v.frames.playoutMs) },
    })),
  });
}

/** A typed array mapped to a plain array by index (Array.from on a typed array goes through its iterator). */
function mapToArray<T>(xs: ArrayLike<number>, f: (x: number) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i]));
  return out;
}
