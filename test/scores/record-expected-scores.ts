/**
 * Records test/scores/expected-scores.json from the current code (see expected-score-cases.ts):
 *
 *   npx tsx test/scores/record-expected-scores.ts
 *
 * Re-record only when the pairs themselves change (the simulation's audio, a new case), never to
 * make a change of the scoring code pass: the file is what the scores were before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import {
  caseKey,
  conformancePresent,
  conformanceScores,
  REFERENCE_AUDIO_DIR,
  SCENARIO_CASES,
  scenarioScores,
  syntheticScores,
  type ScenarioPairScores,
  type ScoreTree,
} from './expected-score-cases.ts';

if (!conformancePresent) {
  process.stderr.write(`record-expected-scores: the conformance WAVs are missing from ${REFERENCE_AUDIO_DIR}\n`);
  process.exit(1);
}
const scenarios: Record<string, Record<string, ScenarioPairScores>> = {};
for (const c of SCENARIO_CASES) {
  process.stderr.write(`${caseKey(c)}\n`);
  scenarios[caseKey(c)] = await scenarioScores(c);
}
const out: { conformance: ScoreTree; synthetic: ScoreTree; scenarios: typeof scenarios } = {
  conformance: conformanceScores(),
  synthetic: syntheticScores(),
  scenarios,
};
/** Indented down to `depth` levels, each deeper value on one line: a few hundred lines to read, not thousands. */
function layout(x: unknown, depth: number, indent = ''): string {
  if (depth === 0 || x === null || typeof x !== 'object') return JSON.stringify(x);
  const inner = `${indent} `;
  const items = Array.isArray(x)
    ? x.map((v) => `${inner}${layout(v, depth - 1, inner)}`)
    : Object.entries(x).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${layout(v, depth - 1, inner)}`);
  const [open, close] = Array.isArray(x) ? ['[', ']'] : ['{', '}'];
  return items.length ? `${open}\n${items.join(',\n')}\n${indent}${close}` : `${open}${close}`;
}
writeFileSync(join(PROJECT_ROOT, 'test/scores/expected-scores.json'), `${layout(out, 5)}\n`);
