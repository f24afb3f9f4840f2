/** Shared helpers for the simulation tests: inline scenarios run end to end, and per-frame views. */
import { join } from 'node:path';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { runScenario, type ScenarioRun, type VariantResult } from '../../src/sim/run-scenario.ts';
import { FRAME_OUTCOMES, type FrameOutcomeName } from '../../src/sim/records.ts';
import type { EncodedStream } from '../../src/sender/encoded-stream.ts';
import type { AudioSource } from '../../src/source/audio-source.ts';

const encodingCache = new Map<string, EncodedStream>();
const sourceCache = new Map<string, AudioSource>();

/** Parse a scenario given as YAML text (paths relative to the project root) and run it. */
export async function runYaml(yaml: string): Promise<ScenarioRun> {
  const scenario = parseScenarioText(yaml, join(PROJECT_ROOT, 'test', 'sim', 'inline.yaml'));
  return runScenario(scenario, { encodingCache, sourceCache });
}

export function variant(run: ScenarioRun, name: string): VariantResult {
  const v = run.variants.find((x) => x.name === name);
  if (!v) throw new Error(`no variant ${name}`);
  return v;
}

/** How each frame was played, by name. */
export function outcomes(v: VariantResult): FrameOutcomeName[] {
  return Array.from(v.run.frameOutcome, (o) => FRAME_OUTCOMES[o]);
}

export function count<T>(xs: readonly T[], x: T): number {
  return xs.filter((y) => y === x).length;
}

/** Phases losing every packet sent in [atMs, atMs + forMs) on the media path only. */
export function lossPhases(spans: ReadonlyArray<[number, number]>): string {
  return spans.map(([at, len]) => `  - { at: "${at}ms", for: "${len}ms", direction: aToB, set: { loss: { model: bernoulli, rate: 1 } } }`).join('\n');
}

/** Frames whose packets the spans lose: frame i is sent at (i + 1) × frameMs. */
export function framesIn(spans: ReadonlyArray<[number, number]>, frameMs = 20): number[] {
  const out: number[] = [];
  for (const [at, len] of spans) for (let t = at; t < at + len; t += frameMs) out.push(t / frameMs - 1);
  return out;
}
