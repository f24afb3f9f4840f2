import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { AdaptiveJitterBuffer } from '../../src/jitter-buffer/adaptive.ts';
import { AdaptiveJbSchema } from '../../src/jitter-buffer/config.ts';
import { rfc3550JitterOfTrace } from '../../src/metrics/rfc3550-jitter.ts';
import { CLOCK, FRAME_MS, makeFrames, makeHost, simulate, type StreamSpec } from './driver.ts';

const rng = new RngStream(11, 'adaptive-test');
const uniform: StreamSpec = { slots: 1000, delay: (i) => 50 + 40 * rng.at(i) };

function run(opts: Record<string, unknown>, rttMs: number | null, spec: StreamSpec, durationMs: number) {
  const frames = makeFrames(spec);
  const { host } = makeHost({ rttMs });
  const jb = new AdaptiveJitterBuffer(AdaptiveJbSchema.parse({ type: 'adaptive', ...opts }), host);
  const r = simulate(jb, frames, { durationMs, phaseMs: 10 });
  return { jb, r, frames };
}

describe('adaptive buffer', () => {
  it('targets 0.8 RTT + 3 J (RFC 3550 jitter of the arrivals) on a uniform-jitter trace', () => {
    const { jb, r, frames } = run({}, 100, uniform, 21_000);
    const byArrival = [...frames].sort((a, b) => a.arrivalMs - b.arrivalMs);
    const j = rfc3550JitterOfTrace(byArrival, CLOCK);
    expect(jb.jitter.jitterMs).toBeCloseTo(j, 9);
    const last = r.states[r.states.length - 1];
    expect(last.targetDelayMs).toBeCloseTo(0.8 * 100 + 3 * j, 9);
    // E|X - Y| = 40/3 ms for two independent U[0, 40] delays: J hovers around it.
    expect(j).toBeGreaterThan(40 / 3 - 4);
    expect(j).toBeLessThan(40 / 3 + 4);
  });

  it('clamps the target and treats an unknown RTT as 0', () => {
    const clamped = run({ maxDelayMs: 90 }, 100, uniform, 3000);
    expect(clamped.r.states[clamped.r.states.length - 1].targetDelayMs).toBe(90);
    const noRtt = run({}, null, uniform, 21_000);
    expect(noRtt.r.states[noRtt.r.states.length - 1].targetDelayMs).toBeCloseTo(3 * noRtt.jb.jitter.jitterMs, 9);
    const floor = run({ minDelayMs: 70 }, null, { slots: 200, delay: () => 50 }, 3000);
    expect(floor.r.states[floor.r.states.length - 1].targetDelayMs).toBe(70);
  });

  for (const marker of [true, false]) {
    it(`moves the playout point only at the talkspurt start (${marker ? 'marker bit' : 'after a DTX frame'})`, () => {
      // Constant 50 ms delay, RTT 100: J = 0, target 80 ms. Speech 0-99, DTX frame at 100, silence, speech 150-249.
      const spec: StreamSpec = { slots: 250, delay: () => 50, kind: (i) => (i < 100 || i >= 150 ? 'speech' : i === 100 ? 'dtx' : 'none') };
      const frames = makeFrames(spec).map((f) => (marker ? f : { ...f, marker: false }));
      const { host } = makeHost({ rttMs: 100 });
      const jb = new AdaptiveJitterBuffer(AdaptiveJbSchema.parse({ type: 'adaptive' }), host);
      const r = simulate(jb, frames, { durationMs: 6000, phaseMs: 10 });
      const at = new Map<number, number>();
      for (const d of r.decisions) if (d.op === 'normal') at.set(d.frame!.timestamp, d.nowMs);
      const slotOf = (ts: number) => (ts - frames[0].timestamp) / 960;
      for (const [ts, t] of at) {
        const i = slotOf(ts);
        // First talkspurt: first frame waited initialDelayMs (60); second: floor 50 + target 80.
        expect(t).toBe(i * FRAME_MS + (i < 150 ? 50 + 60 : 50 + 80));
      }
      expect(at.size).toBe(201);
      // Nothing is concealed before the stream ends (the last frame plays at 249 x 20 + 130 ms).
      expect(r.decisions.filter((d) => d.op === 'expand' && d.nowMs <= 249 * FRAME_MS + 130)).toEqual([]);
      const silence = r.decisions.filter((d) => d.nowMs > 101 * FRAME_MS + 110 && d.nowMs < 150 * FRAME_MS + 130);
      expect(silence.length).toBeGreaterThan(40);
      expect(silence.every((d) => d.op === 'comfortNoise')).toBe(true);
    });
  }
});
