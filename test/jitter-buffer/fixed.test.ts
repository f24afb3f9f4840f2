import { describe, expect, it } from 'vitest';
import { FixedJbSchema } from '../../src/jitter-buffer/config.ts';
import { FixedJitterBuffer } from '../../src/jitter-buffer/fixed.ts';
import { FRAME_MS, makeFrames, makeHost, simulate, statusOf } from './driver.ts';

describe('fixed buffer', () => {
  it('plays frame i exactly at firstArrival + delay + 20 i ms, and drops what misses that time', () => {
    // Delay 30 ms, except frame 40 (arrives 10 ms after its playout time) and frame 41 (exactly at it).
    const delayMs = 60;
    const frames = makeFrames({ slots: 100, delay: (i) => (i === 40 ? 30 + delayMs + 10 : i === 41 ? 30 + delayMs : 30) });
    const { host, discards } = makeHost();
    const jb = new FixedJitterBuffer(FixedJbSchema.parse({ type: 'fixed', delayMs }), host);
    // Ticks at 10, 30, ..., so the start (30 + 60 = 90 ms) falls on a tick.
    const r = simulate(jb, frames, { durationMs: 2500, phaseMs: 10 });
    const playTime = new Map<number, number>();
    for (const d of r.decisions) if (d.op === 'normal') playTime.set(d.frame!.seq, d.nowMs);
    for (let i = 0; i < 100; i++) {
      if (i === 40) continue;
      expect(playTime.get(frames[i].seq)).toBe(90 + FRAME_MS * i);
    }
    expect(statusOf(r, frames[40].seq)).toEqual(['late']);
    expect(r.decisions.find((d) => d.nowMs === 90 + FRAME_MS * 40)!.op).toBe('expand');
    expect(r.decisions.filter((d) => d.nowMs < 90).every((d) => d.op === 'idle')).toBe(true);
    expect(discards).toEqual([]);
    expect(r.states.find((s) => s.nowMs === 90)!.targetDelayMs).toBe(60);
  });
});
