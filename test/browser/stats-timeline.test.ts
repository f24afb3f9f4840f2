import { describe, expect, it } from 'vitest';
import type { TimedStatSample } from '../../src/browser/browser-call.ts';
import { browserTimeline, distinctSamples, endOfCallIndex, OP, outputSlots } from '../../src/browser/stats-timeline.ts';

/** Samples every 60 ms (Chromium's getStats cache) of a stream emitting 2880 samples per interval at 48 kHz. */
function series(n: number, edit: (k: number, s: TimedStatSample) => void = () => {}): TimedStatSample[] {
  const out: TimedStatSample[] = [];
  const acc: Record<string, number> = {
    totalSamplesReceived: 0,
    concealedSamples: 0,
    concealmentEvents: 0,
    jitterBufferEmittedCount: 0,
    jitterBufferDelay: 0,
    jitterBufferTargetDelay: 0,
    jitterBufferMinimumDelay: 0,
    removedSamplesForAcceleration: 0,
    insertedSamplesForDeceleration: 0,
  };
  for (let k = 0; k < n; k++) {
    const s: TimedStatSample = { timestamp: 1e12 + k * 60, tMs: k * 60, ...acc };
    edit(k, s);
    for (const key of Object.keys(acc)) acc[key] = s[key];
    out.push(s);
    // The next interval starts from this sample's counters plus a normal 60 ms of output.
    acc.totalSamplesReceived += 2880;
    acc.jitterBufferEmittedCount += 2880;
    acc.jitterBufferDelay += 2880 * 0.05;
    acc.jitterBufferTargetDelay += 2880 * 0.06;
    acc.jitterBufferMinimumDelay += 2880 * 0.06;
  }
  return out;
}

describe('browser stats → our shapes', () => {
  it('per-interval target and level are the W3C deltas over emitted samples', () => {
    const s = series(10);
    const tl = browserTimeline(s);
    expect(tl.tMs.length).toBe(9);
    for (let i = 0; i < 9; i++) {
      expect(tl.targetDelayMs[i]).toBeCloseTo(60, 9);
      expect(tl.levelMs[i]).toBeCloseTo(50, 9);
      expect(tl.op[i]).toBe(OP.normal);
      expect(tl.emitted[i]).toBe(2880);
    }
  });

  it('an interval that concealed is an expand; one that removed samples an accelerate', () => {
    const s = series(6, (k, x) => {
      if (k === 2) {
        x.concealedSamples += 960;
        x.concealmentEvents += 1;
      }
      if (k === 4) x.removedSamplesForAcceleration += 240;
    });
    const tl = browserTimeline(s);
    expect(tl.op[1]).toBe(OP.expand);
    expect(tl.op[3]).toBe(OP.accelerate);
    expect(tl.op[0]).toBe(OP.normal);
  });

  it('repeated samples from the getStats cache are dropped', () => {
    const s = series(4);
    const dup = [s[0], { ...s[0] }, s[1], { ...s[1] }, { ...s[1] }, s[2], s[3]];
    expect(distinctSamples(dup).map((x) => x.tMs)).toEqual([0, 60, 120, 180]);
  });

  it('the call ends at the last sample whose emitted count moved', () => {
    const s = series(8);
    // After the stream: the browser keeps expanding, emits nothing.
    for (let k = 5; k < 8; k++) {
      s[k].jitterBufferEmittedCount = s[4].jitterBufferEmittedCount;
      s[k].concealedSamples = s[4].concealedSamples + (k - 4) * 2880;
    }
    expect(endOfCallIndex(s)).toBe(4);
  });

  it('each concealment event becomes one burst as long as its concealed samples', () => {
    // Interval 3 conceals 2 frames in one event, interval 6 conceals 1 frame in each of 2 events,
    // interval 7 continues the last burst by one frame (no new event).
    const s = series(12, (k, x) => {
      if (k === 3) {
        x.concealedSamples += 1920;
        x.concealmentEvents += 1;
      }
      if (k === 6) {
        x.concealedSamples += 1920;
        x.concealmentEvents += 2;
      }
      if (k === 7) x.concealedSamples += 960;
    });
    const slots = outputSlots(s, 960, 1000);
    const conc = Array.from(slots.concealed);
    expect(conc.length).toBe(Math.floor(s[11].totalSamplesReceived / 960));
    const runs: number[] = [];
    let n = 0;
    for (const c of [...conc, 0]) {
      if (c) n++;
      else if (n) {
        runs.push(n);
        n = 0;
      }
    }
    // Bursts: 2 frames; then 1 and 1 in interval 6, the second continued by interval 7 (it may touch the next interval's first slot).
    expect(conc.reduce((a, b) => a + b, 0)).toBe(2 + 2 + 1);
    expect(runs[0]).toBe(2);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    // Slots of interval k (samples [2880 (k-1), 2880 k)) are slots 3(k-1) .. 3k-1.
    expect(conc.slice(6, 9).reduce((a, b) => a + b, 0)).toBe(2);
    expect(slots.playoutMs[3]).toBeCloseTo(60, 9);
    expect(slots.playoutMs[4]).toBeCloseTo(80, 9);
  });
});
