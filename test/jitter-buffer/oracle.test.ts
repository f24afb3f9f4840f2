import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { RngStream } from '../../src/core/rng.ts';
import { OracleJbSchema } from '../../src/jitter-buffer/config.ts';
import { oracleChoice, OracleJitterBuffer } from '../../src/jitter-buffer/oracle.ts';
import { CLOCK, makeFrames, makeHost, simulate, traceOf, type StreamSpec } from './driver.ts';

/** Received frames whose transit exceeds the offset: late under a fixed playout offset. */
function lateAt(trace: ReturnType<typeof traceOf>, offsetMs: number): number {
  let n = 0;
  for (const t of trace) if (t.arrivalMs !== null && t.arrivalMs - (t.timestamp * 1000) / CLOCK > offsetMs) n++;
  return n;
}

describe('oracle (Moon, Kurose, Towsley 1998)', () => {
  it('chooses exactly the (1 - rate) order statistic of the delays', () => {
    // 100 frames whose delays are a permutation of 20..119 ms (37 is coprime with 100).
    const spec: StreamSpec = { slots: 100, delay: (i) => 20 + ((i * 37) % 100) };
    const trace = traceOf(spec);
    const c = oracleChoice(trace, CLOCK, 0.05);
    // 5 frames may be late: the offset is the 6th largest delay, 114 ms, 94 ms above the fastest.
    expect(c.allowedLate).toBe(5);
    expect(c.delayMs).toBeCloseTo(94, 9);
    expect(c.lateCount).toBe(5);
    expect(oracleChoice(trace, CLOCK, 0).delayMs).toBeCloseTo(99, 9);
    expect(oracleChoice(trace, CLOCK, 0.009).delayMs).toBeCloseTo(99, 9);
    expect(oracleChoice(trace, CLOCK, 1).delayMs).toBe(0);
  });

  it('meets the allowed late-loss rate when played, and no smaller fixed delay does', () => {
    const rng = new RngStream(9, 'oracle-test');
    for (const rate of [0.01, 0.05]) {
      const spec: StreamSpec = {
        slots: 3000,
        delay: (i) => (rng.at(i, 0) < 0.02 ? null : 30 + 60 * rng.at(i, 1) ** 3 + (i % 500 < 10 ? 200 : 0)),
        kind: (i) => (i % 300 < 240 ? 'speech' : 'none'),
      };
      const trace = traceOf(spec);
      const { host, discards } = makeHost({ trace });
      const jb = new OracleJitterBuffer(OracleJbSchema.parse({ type: 'oracle', lateLossRate: rate }), host);
      const frames = makeFrames(spec);
      const r = simulate(jb, frames, { durationMs: 3000 * 20 + 500, phaseMs: 3 });
      const late = r.inserts.filter((i) => i.result.status === 'late').length + discards.length;
      expect(late / frames.length).toBeLessThanOrEqual(rate);
      expect(r.states[0].targetDelayMs).toBe(jb.choice.delayMs);
      // Lower bound: every fixed offset below the oracle's leaves more than rate x N frames late.
      const allowed = Math.floor(rate * frames.length);
      const transits = trace.filter((t) => t.arrivalMs !== null).map((t) => t.arrivalMs! - (t.timestamp * 1000) / CLOCK);
      for (const o of transits.filter((t) => t < jb.choice.offsetMs)) expect(lateAt(trace, o)).toBeGreaterThan(allowed);
      expect(lateAt(trace, jb.choice.offsetMs - 1e-6)).toBeGreaterThan(allowed);
      expect(lateAt(trace, jb.choice.offsetMs)).toBeLessThanOrEqual(allowed);
    }
  });

  it('refuses to run without the offline trace', () => {
    const { host } = makeHost();
    const make = () => new OracleJitterBuffer(OracleJbSchema.parse({ type: 'oracle' }), host);
    expect(make).toThrow(JitterlabError);
    expect(make).toThrow(expect.objectContaining({ kind: 'scenario', message: 'oracle needs an offline run' }));
  });
});
