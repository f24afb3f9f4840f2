/**
 * The latency budget's parts are means over one population, the frames played from their own
 * packet (src/metrics/latency-budget.ts), so network + jitter buffer is exactly the mean playout
 * delay, and packets discarded as late do not add their delay to mouth-to-ear.
 */
import { describe, expect, it } from 'vitest';
import { runYaml, variant } from './helpers.ts';

describe('latency budget', () => {
  it('sums to frame + lookahead + mean playout delay + device buffer, late packets excluded', async () => {
    const run = await runYaml(`name: budget
seed: 5
durationS: 4
channel:
  delay: { baseMs: 30, jitterMs: 25, distribution: pareto }
receiver:
  jitterBuffer: { type: fixed, delayMs: 20 }
`);
    const a = variant(run, 'default').aggregates;
    expect(a.playout.lateDiscarded).toBeGreaterThan(10);
    const played = a.playout.playoutDelayMs.mean!;
    expect(a.latency.networkMs + a.latency.jitterBufferMs).toBeCloseTo(played, 9);
    expect(a.latency.mouthToEarMs).toBeCloseTo(a.latency.packetizationMs + a.latency.codecMs + played + a.latency.playoutMs, 9);
    // Late packets had the longest network delays: the played frames' mean is below the all-packet mean.
    expect(a.latency.networkMs).toBeLessThan(a.network.delayMs.mean!);
  });
});
