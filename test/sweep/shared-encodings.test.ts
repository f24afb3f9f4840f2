/**
 * What the main thread of a sweep shares with its workers (src/sweep/shared-encodings.ts): the
 * encodings and the source audio they were made from. A point run on them reads no WAV and
 * encodes nothing, and measures exactly what a point run from scratch measures.
 */
import { describe, expect, it } from 'vitest';
import { encodeShared, unpackShared } from '../../src/sweep/shared-encodings.ts';
import { planSweep, pointScenario } from '../../src/sweep/plan.ts';
import { runPoint } from '../../src/sweep/point-run.ts';
import { tempDir, writeSweepScenario } from './helpers.ts';

describe('shared encodings and sources', () => {
  it('are the caches a point runs on: nothing read or encoded again, the same measures', async () => {
    const plan = planSweep(writeSweepScenario(tempDir('shared')), { vary: ['channel.loss.rate=0.1'] });
    const sc = pointScenario(plan.scenarioFile, plan.raw, plan.points[0].params);
    const shared = encodeShared([sc]);
    expect(shared.sources).toHaveLength(1);
    expect(shared.sources[0].sampleRate).toBe(48000);
    const { encodings, sources } = unpackShared(shared);
    const before = { encodings: [...encodings.entries()], sources: [...sources.entries()] };
    const task = { index: 0, params: plan.points[0].params, seed: plan.points[0].seed };
    const onShared = await runPoint({ file: plan.scenarioFile, raw: plan.raw, encodings, sources, signal: false }, task);
    // Same keys, same objects: runScenario found both in the caches.
    expect([...encodings.entries()]).toEqual(before.encodings);
    expect([...sources.entries()]).toEqual(before.sources);
    expect([...sources.values()][0]).toBe(before.sources[0][1]);
    const fresh = await runPoint({ file: plan.scenarioFile, raw: plan.raw, encodings: null, sources: new Map(), signal: false }, task);
    expect(onShared.ok && fresh.ok).toBe(true);
    expect(onShared).toEqual(fresh);
  });
});
