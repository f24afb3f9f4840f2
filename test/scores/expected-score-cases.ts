/**
 * The pairs whose scores test/scores/expected-scores.test.ts holds fixed (expected-scores.json,
 * recorded by record-expected-scores.ts from the code before the scoring was made faster): a
 * speed-up of ViSQOL, the resampler or the sanity measures must leave every number within 1e-9.
 *
 * - `conformance`: google/visqol's test WAVs (../shared/reference-audio), ViSQOL at their native
 *   48 kHz and scorePair at 16 kHz; only when the files are present.
 * - `synthetic`: fixtures/speech-48k.wav against a copy degraded here (delay, gain, dropped
 *   frames, seeded noise): independent of the simulation.
 * - `scenario`: shipped scenarios (some variants) simulated to their WAVs, every score segment
 *   through scorePair plus the report's signalScores. The WAVs' SHA-256 is recorded too: when the
 *   simulation changes its audio, the pairs are no longer the recorded ones and the test says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RngStream } from '../../src/core/rng.ts';
import { scoreSegments, signalScores } from '../../src/report/scores-for-run.ts';
import { readWavSegment, wavInfo } from '../../src/report/wav-segment.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { PROJECT_ROOT, scenarioFromObject } from '../../src/scenario/load.ts';
import { scorePair, type ScorePairResult } from '../../src/scores/score-pair.ts';
import { visqolSpeech, type VisqolResult } from '../../src/scores/visqol/visqol.ts';
import { readWavMono } from '../../src/source/wav-file.ts';

export const REFERENCE_AUDIO_DIR = join(PROJECT_ROOT, '..', 'shared', 'reference-audio');
const CONFORMANCE_FILES = ['clean_speech_CA01_01.wav', 'clean_speech_transcoded_CA01_01.wav', 'alignment_reference.wav', 'alignment_degraded.wav'];
export const conformancePresent = CONFORMANCE_FILES.every((f) => existsSync(join(REFERENCE_AUDIO_DIR, f)));

/** A JSON tree of scores; non-finite numbers are stored as strings ("NaN", "Infinity"). */
export type ScoreTree = number | string | boolean | null | ScoreTree[] | { [k: string]: ScoreTree };

export interface ScenarioCase {
  scenario: string;
  /** Variants kept (all when absent). */
  variants?: string[];
  /** Duration override, s (the shipped one when absent). */
  durationS?: number;
}

/** Shipped scenarios, chosen for variety: clean-ish, heavy loss, time-stretching buffers, silence PLC, segmented scoring. */
export const SCENARIO_CASES: ScenarioCase[] = [
  { scenario: 'quickstart.yaml' },
  { scenario: 'very-bad-network.yaml' },
  { scenario: 'compare-buffers.yaml', variants: ['fixed-60', 'neteq', 'plc-silence'] },
  // 100 s: two score segments, pooled.
  { scenario: 'bursty-wifi.yaml', durationS: 100 },
];

function visqolTree(v: VisqolResult): ScoreTree {
  return {
    mos: v.mos,
    unscaledMos: v.unscaledMos,
    vnsim: v.vnsim,
    fvnsim: v.fvnsim,
    centerFreqsHz: v.centerFreqsHz,
    alignmentLagS: v.alignmentLagS,
    sampleRate: v.sampleRate,
    patchSims: v.patchSims.map((p) => ({ ...p })),
  };
}

function pairTree(s: ScorePairResult): ScoreTree {
  return {
    visqol: visqolTree(s.visqol),
    lagMs: s.lagMs,
    levelOffsetDb: s.levelOffsetDb,
    lsdDb: s.lsdDb,
    segSnrDb: s.segSnrDb,
    sampleRate: s.sampleRate,
  };
}

/** The tree as JSON would hold it (non-finite numbers as strings, undefined dropped). */
export function toScoreTree(x: unknown): ScoreTree {
  if (typeof x === 'number') return Number.isFinite(x) ? x : String(x);
  if (Array.isArray(x)) return x.map(toScoreTree);
  if (x && typeof x === 'object') {
    const out: { [k: string]: ScoreTree } = {};
    for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = toScoreTree(v);
    return out;
  }
  return x as ScoreTree;
}

interface WaveFileLike {
  getSamples(interleaved: boolean, type: Float64ArrayConstructor): Float64Array;
  fmt: { sampleRate: number };
}
const require = createRequire(import.meta.url);
const { WaveFile } = require('wavefile') as { WaveFile: new (b: Uint8Array) => WaveFileLike };

/** int16 / 32768, as ViSQOL reads them (the files are mono 16-bit). */
function loadReference(name: string): { samples: Float64Array; sampleRate: number } {
  const w = new WaveFile(readFileSync(join(REFERENCE_AUDIO_DIR, name)));
  return { samples: w.getSamples(false, Float64Array).map((v) => v / 32768), sampleRate: w.fmt.sampleRate };
}

export function conformanceScores(): ScoreTree {
  const ca = loadReference('clean_speech_CA01_01.wav');
  const tr = loadReference('clean_speech_transcoded_CA01_01.wav');
  const ar = loadReference('alignment_reference.wav');
  const ad = loadReference('alignment_degraded.wav');
  return toScoreTree({
    native: {
      identical: visqolTree(visqolSpeech(ca.samples, ca.samples, ca.sampleRate, { scaled: false })),
      transcoded: visqolTree(visqolSpeech(ca.samples, tr.samples, ca.sampleRate)),
      alignment: visqolTree(visqolSpeech(ar.samples, ad.samples, ar.sampleRate)),
    },
    scorePair: {
      transcoded: pairTree(scorePair(ca, tr)),
      alignment: pairTree(scorePair(ar, ad)),
    },
  });
}

/**
 * fixtures/speech-48k.wav (first 20 s) against a copy 37 ms late, 4 dB quieter, with a 20 ms frame
 * in every 9 zeroed and seeded noise at about -60 dBFS; and the 16 kHz fixture against itself
 * shifted (no resampling on that path).
 */
export function syntheticScores(): ScoreTree {
  const src = readWavMono(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'));
  const fs = src.sampleRate;
  const ref = src.samples.subarray(0, 20 * fs);
  const delay = Math.round(0.037 * fs);
  const frame = Math.round(0.02 * fs);
  const rng = new RngStream(17, 'test.expected-scores');
  const deg = new Float32Array(ref.length + delay);
  const gain = 10 ** (-4 / 20);
  for (let i = 0; i < ref.length; i++) {
    const dropped = Math.floor(i / frame) % 9 === 4;
    deg[i + delay] = (dropped ? 0 : ref[i] * gain) + 1e-3 * rng.normalAt(i);
  }
  const s16 = readWavMono(join(PROJECT_ROOT, 'fixtures/speech-16k.wav'));
  const late = new Float32Array(s16.samples.length);
  late.set(s16.samples.subarray(0, s16.samples.length - 200), 200);
  return toScoreTree({
    degraded48k: pairTree(scorePair({ samples: ref, sampleRate: fs }, { samples: deg, sampleRate: fs })),
    shifted16k: pairTree(scorePair({ samples: s16.samples, sampleRate: s16.sampleRate }, { samples: late, sampleRate: s16.sampleRate })),
  });
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export interface ScenarioPairScores {
  /** SHA-256 of reference.wav and degraded.wav: the pair the scores belong to. */
  wavSha256: { reference: string; degraded: string };
  /** scorePair of each score segment (as signalScores cuts them). */
  segments: ScoreTree[];
  /**
   * signalScores: the pooled ViSQOL and sanity measures written to results.json. Recomputed by
   * the test only for calls of several segments (one segment's report is its scores rounded).
   */
  report: ScoreTree;
}

/**
 * Simulates one scenario case to WAVs in a temporary directory and scores every variant's pair;
 * `report: 'pooled'` computes the report's scores only when there are several segments.
 */
export async function scenarioScores(c: ScenarioCase, report: 'always' | 'pooled' = 'always'): Promise<Record<string, ScenarioPairScores>> {
  const file = join(PROJECT_ROOT, 'scenarios', c.scenario);
  const raw = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (c.durationS !== undefined) raw.durationS = c.durationS;
  if (c.variants) raw.variants = (raw.variants as Array<{ name: string }>).filter((v) => c.variants!.includes(v.name));
  raw.report = { ...(raw.report as object | undefined), html: false, pcap: false };
  const sc = scenarioFromObject(raw, file);
  const dir = mkdtempSync(join(tmpdir(), 'jl-expected-scores-'));
  try {
    const { results } = await runToReport(sc, { outDir: join(dir, 'out'), scores: false, html: false, pcap: false });
    const out: Record<string, ScenarioPairScores> = {};
    for (const v of results.variants) {
      const ref = join(dir, 'out', v.files.reference);
      const deg = join(dir, 'out', v.files.degraded);
      const segments: ScoreTree[] = [];
      for (const seg of scoreSegments(wavInfo(ref).durationS)) {
        const r = readWavSegment(ref, seg.startS, seg.durS);
        const d = readWavSegment(deg, seg.startS, seg.durS);
        segments.push(pairTree(scorePair(r, d)));
      }
      out[v.name] = {
        wavSha256: { reference: sha256(ref), degraded: sha256(deg) },
        segments: segments.map(toScoreTree),
        report: report === 'always' || segments.length > 1 ? toScoreTree(signalScores(ref, deg, { visqol: true })) : null,
      };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function caseKey(c: ScenarioCase): string {
  return `${c.scenario}${c.variants ? `[${c.variants.join(',')}]` : ''}${c.durationS !== undefined ? `@${c.durationS}s` : ''}`;
}

/**
 * Paths where `actual` differs from `expected`: numbers by more than `tol` (absolute), anything
 * else (strings, booleans, shapes, keys) at all.
 */
export function scoreDifferences(expected: ScoreTree, actual: ScoreTree, tol: number, path = '$'): string[] {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(expected - actual) <= tol ? [] : [`${path}: expected ${expected}, got ${actual} (diff ${actual - expected})`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [`${path}: length ${expected.length} expected, got ${actual.length}`];
    return expected.flatMap((e, i) => scoreDifferences(e, actual[i], tol, `${path}[${i}]`));
  }
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys].flatMap((k) =>
      k in expected && k in actual ? scoreDifferences(expected[k], actual[k], tol, `${path}.${k}`) : [`${path}.${k}: present on one side only`],
    );
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
