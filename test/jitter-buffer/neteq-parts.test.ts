import { describe, expect, it } from 'vitest';
import { BufferLevelFilter } from '../../src/jitter-buffer/buffer-level-filter.ts';
import { DecisionLogic, stretchLimits } from '../../src/jitter-buffer/decision-logic.ts';
import { DelayManager } from '../../src/jitter-buffer/delay-manager.ts';
import { Histogram } from '../../src/jitter-buffer/histogram.ts';
import { PacketArrivalHistory } from '../../src/jitter-buffer/packet-arrival-history.ts';
import { ReorderOptimizer } from '../../src/jitter-buffer/reorder-optimizer.ts';
import { UnderrunOptimizer } from '../../src/jitter-buffer/underrun-optimizer.ts';

describe('Histogram', () => {
  it('resets to p_i = 0.5^(i+1)', () => {
    const h = new Histogram(100, 0.983, 2);
    h.probabilities().slice(0, 10).forEach((p, i) => expect(p).toBe(0.5 ** (i + 1)));
    // Cumulative 0.5, 0.75, 0.875, 0.9375, 0.96875: the 0.95 quantile is bucket 4.
    expect(h.quantile(0.95)).toBe(4);
  });

  it('ramps the forget factor as 1 - 2/(n+1) up to its base value', () => {
    const h = new Histogram(100, 0.983, 2);
    expect(h.forgetFactor).toBe(0);
    h.add(3);
    // The first sample replaces the reset shape entirely.
    expect(h.probabilities()[3]).toBe(1);
    expect(h.forgetFactor).toBe(0);
    h.add(5);
    expect(h.forgetFactor).toBeCloseTo(1 - 2 / 3, 12);
    for (let n = 3; n < 200; n++) {
      h.add(5);
      expect(h.forgetFactor).toBeCloseTo(Math.min(0.983, 1 - 2 / (n + 1)), 12);
    }
    const sum = h.probabilities().reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
  });

  it('forgets an old mode geometrically with the base factor', () => {
    const h = new Histogram(100, 0.9, null);
    for (let i = 0; i < 200; i++) h.add(7);
    for (let m = 1; m <= 20; m++) {
      h.add(1);
      expect(h.probabilities()[7]).toBeCloseTo(0.9 ** m * (1 - 0.9 ** 200 * (1 - 0.5 ** 8)), 12);
    }
  });
});

describe('PacketArrivalHistory', () => {
  it('measures delay relative to the fastest packet of the window and skips reordered ones', () => {
    const h = new PacketArrivalHistory(48000, 2000);
    // ts in 20 ms steps; transit 50, 80, 45, 60 ms.
    const ins = (k: number, transit: number) => h.insert(k * 960, k * 20 + transit);
    ins(0, 50);
    ins(1, 80);
    ins(2, 45);
    expect(h.minTransitMs()).toBe(45);
    expect(h.maxDelayMs()).toBe(35);
    expect(h.delayMs(3 * 960, 3 * 20 + 60)).toBe(15);
    // A reordered packet (older than the newest) with a tiny transit does not become the reference.
    expect(ins(1.5, 10)).toEqual({ accepted: true, reordered: true });
    expect(h.minTransitMs()).toBe(45);
    // After 2 s of newer packets the 45 ms reference leaves the window.
    for (let k = 3; k < 110; k++) ins(k, 70);
    expect(h.minTransitMs()).toBe(70);
    expect(h.maxDelayMs()).toBe(0);
  });
});

describe('UnderrunOptimizer', () => {
  it('adds the largest delay of each 500 ms interval and targets (1 + Quantile) x 20 ms', () => {
    const u = new UnderrunOptimizer(0.95, 0.983, 2, 500);
    expect(u.optimalDelayMs).toBeNull();
    // Interval 1 (0..500 ms): delays up to 75 ms; the first sample is added when 500 ms have passed.
    for (let t = 0; t <= 500; t += 20) u.update(t === 300 ? 75 : 10, t);
    expect(u.optimalDelayMs).toBeNull();
    u.update(0, 520);
    // 75 ms falls in bucket 3: target (1 + 3) x 20.
    expect(u.histogram.probabilities()[3]).toBe(1);
    expect(u.optimalDelayMs).toBe(80);
  });
});

describe('ReorderOptimizer', () => {
  it('stays at one bucket without reordering and grows when reordered packets are common', () => {
    const r = new ReorderOptimizer(0.9993, 2, 20);
    for (let i = 0; i < 100; i++) r.update(0, false, 20);
    expect(r.optimalDelayMs).toBe(20);
    // 10 % of packets reordered by 100 ms: losing them costs 20 ms per loss percent.
    for (let i = 0; i < 1000; i++) r.update(i % 10 === 0 ? 100 : 0, i % 10 === 0, 20);
    expect(r.optimalDelayMs).toBe(120);
  });
});

describe('DelayManager', () => {
  const cfg = {
    quantile: 0.95,
    forgetFactor: 0.983,
    startForgetWeight: 2,
    resampleIntervalMs: 500,
    reorderOptimizer: true,
    reorderForgetFactor: 0.9993,
    msPerLossPercent: 20,
    startDelayMs: 80,
    minDelayMs: 0,
    maxDelayMs: 10000,
    maxPacketsInBuffer: 200,
  };
  it('starts at the start delay and clamps to min, max and 75 % of the packet capacity', () => {
    expect(new DelayManager(cfg, 48000, 20).targetMs).toBe(80);
    expect(new DelayManager({ ...cfg, minDelayMs: 150 }, 48000, 20).targetMs).toBe(150);
    expect(new DelayManager({ ...cfg, maxDelayMs: 60 }, 48000, 20).targetMs).toBe(60);
    expect(new DelayManager({ ...cfg, maxPacketsInBuffer: 4 }, 48000, 20).targetMs).toBe(60);
    const dm = new DelayManager(cfg, 48000, 20);
    for (let k = 0; k < 100; k++) dm.update(k * 960, k * 20 + 30);
    expect(dm.targetMs).toBe(20);
  });
});

describe('BufferLevelFilter', () => {
  it('picks 251..254/256 by target and subtracts stretched audio at once', () => {
    const f = new BufferLevelFilter();
    for (const [t, q] of [
      [20, 251],
      [60, 252],
      [140, 253],
      [141, 254],
    ]) {
      f.setTargetLevelMs(t);
      expect(f.smoothingFactor).toBe(q / 256);
    }
    f.setTargetLevelMs(100);
    f.update(100, 0);
    expect(f.filteredLevelMs).toBeCloseTo(100 * (3 / 256), 12);
    const before = f.filteredLevelMs;
    f.update(100, 0.2);
    expect(f.filteredLevelMs).toBeCloseTo((253 / 256) * before + (3 / 256) * 100 - 0.2, 12);
  });
});

describe('DecisionLogic', () => {
  it('accelerates at or above high, preemptively expands below low, with a 5-call hold-off', () => {
    const lim = stretchLimits(60, 30);
    expect(lim).toEqual({ lowMs: 60, highMs: 110 });
    const d = new DecisionLogic(false);
    d.tick();
    expect(d.expectedFrame(110, lim, true)).toBe('accelerate');
    for (let i = 0; i < 4; i++) {
      d.tick();
      expect(d.expectedFrame(200, lim, true)).toBe('normal');
    }
    d.tick();
    expect(d.expectedFrame(59, lim, true)).toBe('preemptiveExpand');
    for (let i = 0; i < 5; i++) d.tick();
    expect(d.expectedFrame(80, lim, true)).toBe('normal');
    expect(d.expectedFrame(500, lim, false)).toBe('normal');
    const fast = new DecisionLogic(true);
    fast.tick();
    expect(fast.expectedFrame(110, lim, true)).toBe('accelerate');
    fast.tick();
    expect(fast.expectedFrame(440, lim, true)).toBe('fastAccelerate');
  });
});
