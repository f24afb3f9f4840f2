/**
 * The worked example of a user jitter-buffer module (examples/my-buffer.js, plain ESM JS) runs
 * through the scenario loader and the simulator, and behaves as a percentile buffer should: a
 * higher percentile buys fewer late frames with more delay, and the delay adapts between talkspurts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/sim/run-scenario.ts';
import { variant } from './helpers.ts';

describe('examples/custom-buffer.yaml', () => {
  it('runs the custom module and trades delay for late loss by its percentile', async () => {
    const scenario = loadScenario(join(PROJECT_ROOT, 'examples', 'custom-buffer.yaml'));
    expect(scenario.variants[0].receiver.jitterBuffer).toEqual({ module: './my-buffer.js', options: { percentile: 0.99, marginMs: 10 } });
    const run = await runScenario(scenario);
    const p99 = variant(run, 'my-p99').aggregates.playout;
    const p90 = variant(run, 'my-p90').aggregates.playout;
    const fixed = variant(run, 'fixed-80').aggregates.playout;
    // Every frame that was sent got a playout outcome (only silence may be skipped when a
    // talkspurt starts early).
    for (const v of run.variants) {
      const sent = new Set(v.run.packets.filter((p) => p.kind === 'media').map((p) => p.frameIndex));
      v.run.frameOutcome.forEach((o, i) => {
        if (sent.has(i)) expect(o, `${v.name} frame ${i}`).not.toBe(0);
      });
    }
    expect(p99.lateDiscarded).toBeLessThan(p90.lateDiscarded);
    expect(p99.playoutDelayMs.mean!).toBeGreaterThan(p90.playoutDelayMs.mean!);
    // About (1 − percentile) of the frames late at p90; almost none at p99.
    expect(p90.lateDiscarded / p90.frames).toBeGreaterThan(0.02);
    expect(p90.lateDiscarded / p90.frames).toBeLessThan(0.15);
    expect(p99.effectiveLoss).toBeLessThan(0.02);
    expect(p99.playoutDelayMs.mean!).toBeLessThan(fixed.playoutDelayMs.mean!);
    // The target it reports moves at talkspurt starts.
    const target = variant(run, 'my-p90').run.timeline.targetDelayMs;
    expect(new Set(target).size).toBeGreaterThan(5);
  });
});
