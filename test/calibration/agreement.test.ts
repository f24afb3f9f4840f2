import { describe, expect, it } from 'vitest';
import { agrees, figuresOf, meanFigures } from '../../src/calibration/agreement.ts';
import { calibrationMarkdown } from '../../src/calibration/calibration-table.ts';
import { conditionScenario, LADDER } from '../../src/calibration/ladder.ts';
import { scenarioFromObject } from '../../src/scenario/load.ts';

describe('calibration figures', () => {
  it('reads both receivers the same way from W3C counters', () => {
    // 1 s of output at 48 kHz: target 60 ms and a 45 ms wait for every sample, 2% concealed.
    const w3c = { jitterBufferEmittedCount: 48000, jitterBufferTargetDelay: 48000 * 0.06, jitterBufferDelay: 48000 * 0.045, totalSamplesReceived: 50000, concealedSamples: 1000, removedSamplesForAcceleration: 480, insertedSamplesForDeceleration: 960 };
    const f = figuresOf(w3c, 48000);
    expect(f.targetMs).toBeCloseTo(60, 9);
    expect(f.bufferDelayMs).toBeCloseTo(45, 9);
    expect(f.concealedPct).toBeCloseTo(2, 9);
    expect(f.accelerateMs).toBeCloseTo(10, 9);
    expect(f.decelerateMs).toBeCloseTo(20, 9);
  });

  it('agreement: target within 10% or 5 ms (the larger), concealed within 0.5 pp', () => {
    const b = { targetMs: 100, bufferDelayMs: 0, concealedPct: 1, accelerateMs: 0, decelerateMs: 0 };
    expect(agrees({ ...b, targetMs: 110 }, b).target).toBe(true);
    expect(agrees({ ...b, targetMs: 110.5 }, b).target).toBe(false);
    const small = { ...b, targetMs: 20 };
    expect(agrees({ ...small, targetMs: 25 }, small).target).toBe(true);
    expect(agrees({ ...small, targetMs: 25.5 }, small).target).toBe(false);
    expect(agrees({ ...b, concealedPct: 1.5 }, b).concealed).toBe(true);
    expect(agrees({ ...b, concealedPct: 1.51 }, b).concealed).toBe(false);
    const m = meanFigures([b, { ...b, targetMs: 120, concealedPct: 3 }]);
    expect(m.mean.targetMs).toBe(110);
    expect(m.min.concealedPct).toBe(1);
    expect(m.max.concealedPct).toBe(3);
  });

  it('every ladder condition is a valid scenario with our neteq and the browser on one network', () => {
    expect(LADDER.map((c) => c.id)).toEqual(['jitter-0', 'jitter-10', 'jitter-20', 'jitter-40', 'jitter-80', 'loss-5', 'bursty-5', 'step']);
    for (const c of LADDER) {
      const sc = scenarioFromObject(conditionScenario(c, { durationS: 30, seed: 1, browser: true }), `<${c.id}>`);
      expect(sc.variants.map((v) => v.name)).toEqual(['jitterlab-neteq', 'browser']);
      expect(sc.variants[1].receiver.browser).not.toBeNull();
    }
  });

  it('prints a Markdown table with one row per condition', () => {
    const f = { targetMs: 40, bufferDelayMs: 30, concealedPct: 0.5, accelerateMs: 10, decelerateMs: 5 };
    const md = calibrationMarkdown({
      kind: 'jitterlab-calibration',
      version: 1,
      durationS: 30,
      seed: 1,
      repeat: 1,
      neteq: {},
      machine: { cpus: 2, loadAverage1m: [0.1], date: '2026-12-07T00:00:00Z' },
      reusedFrom: null,
      rows: [{ id: 'jitter-0', label: '100 ms, no jitter', browser: { runs: [f], trustedRuns: [true], mean: f, min: f, max: f, lateness: { p50Ms: 0, p99Ms: 0.8, maxMs: 2, stalls: 0, trusted: true }, realtime: 'SCHED_FIFO', browserVersion: '156' }, ours: { ...f, targetMs: 20 }, agree: { target: false, concealed: true } }],
    });
    const lines = md.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('| 100 ms, no jitter | 40.0 / 20.0 | 30.0 / 30.0 | 0.50 / 0.50 | 10 / 10 | 5 / 5 | 0.80 / 2.0 | target off |');
  });
});
