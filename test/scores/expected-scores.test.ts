/**
 * The scores do not move: ViSQOL (at 48 kHz and through scorePair), the sanity measures and the
 * report's pooled segment scores, recomputed and compared with expected-scores.json, recorded from
 * the code before it was made faster (record-expected-scores.ts). Every number within 1e-9,
 * everything else (patch matched/realigned flags, counts) exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import {
  caseKey,
  conformancePresent,
  conformanceScores,
  SCENARIO_CASES,
  scenarioScores,
  scoreDifferences,
  syntheticScores,
  type ScenarioPairScores,
  type ScoreTree,
} from './expected-score-cases.ts';

const TOLERANCE = 1e-9;
/** A scenario case simulates and scores up to 100 s of audio: seconds on an idle machine, more on a busy one. */
const SCENARIO_TIMEOUT_MS = 240_000;
const expected = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test/scores/expected-scores.json'), 'utf8')) as {
  conformance: ScoreTree;
  synthetic: ScoreTree;
  scenarios: Record<string, Record<string, ScenarioPairScores>>;
};

function expectSame(want: ScoreTree, got: ScoreTree): void {
  const diffs = scoreDifferences(want, got, TOLERANCE);
  expect(diffs.slice(0, 20), `${diffs.length} difference(s)`).toEqual([]);
}

describe('scores equal the recorded ones (to 1e-9)', () => {
  it.runIf(conformancePresent)('ViSQOL conformance files, native 48 kHz and scorePair', () => {
    expectSame(expected.conformance, conformanceScores());
  });

  it('synthetic degradations of the speech fixtures', () => {
    expectSame(expected.synthetic, syntheticScores());
  });

  for (const c of SCENARIO_CASES) {
    const key = caseKey(c);
    it(`shipped scenario ${key}`, async () => {
      const want = expected.scenarios[key];
      const got = await scenarioScores(c, 'pooled');
      expect(Object.keys(got)).toEqual(Object.keys(want));
      for (const [variant, g] of Object.entries(got)) {
        // Scores of other audio prove nothing about the scoring code: say what changed.
        expect(g.wavSha256, `${key} ${variant}: the simulation's WAVs changed, not the scores; re-record with npx tsx test/scores/record-expected-scores.ts`).toEqual(want[variant].wavSha256);
        expectSame(want[variant].segments as ScoreTree, g.segments as ScoreTree);
        if (g.report !== null) expectSame(want[variant].report, g.report);
      }
    }, SCENARIO_TIMEOUT_MS);
  }

  it('the comparison itself sees a difference beyond the tolerance', () => {
    expect(scoreDifferences({ a: [1, 2] }, { a: [1, 2 + 2e-9] }, TOLERANCE)).toHaveLength(1);
    expect(scoreDifferences({ a: [1, 2] }, { a: [1, 2 + 5e-10] }, TOLERANCE)).toHaveLength(0);
    expect(scoreDifferences({ a: true }, { a: false }, TOLERANCE)).toHaveLength(1);
    expect(scoreDifferences({ a: [1] }, { a: [1, 2] }, TOLERANCE)).toHaveLength(1);
    expect(scoreDifferences({ a: 'NaN' }, { a: 'NaN' }, TOLERANCE)).toHaveLength(0);
  });
});
