import { describe, expect, it } from 'vitest';
import { BufferLevelFilter } from '../../src/jitter-buffer/buffer-level-filter.ts';
import { DecisionLogic, stretchLimits } from '../../src/jitter-buffer/decision-logic.ts';
import { DelayManager } from '../../src/jitter-buffer/delay-manager.ts';
import { Histogram } from '../../src/jitter-buffer/histogram.ts';
import { PacketArrivalHistory } from '../../src/jitter-buffer/packet-arrival-history.ts';
import { optimalBucket, ReorderOptimizer } from '../../src/jitter-buffer/reorder-optimizer.ts';
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

  it('refuses a packet it already holds, also a copy inside a held packet, and remembers reordered ones', () => {
    const h = new PacketArrivalHistory(48000, 2000);
    expect(h.insert(0, 50, 960)).toEqual({ accepted: true, reordered: false });
    expect(h.insert(960, 70, 960)).toEqual({ accepted: true, reordered: false });
    // The Opus FEC copy of frame 0, carried by frame 1: frame 0 is held, so it is refused.
    expect(h.insert(0, 70, 960)).toEqual({ accepted: false });
    expect(h.insert(480, 70, 960)).toEqual({ accepted: false });
    expect(h.contains(959)).toBe(true);
    expect(h.contains(2 * 960)).toBe(false);
    // Frame 3 arrives before frame 2 (lost, its copy comes with 3): the copy is reordered, held,
    // and a second copy of it is refused.
    expect(h.insert(3 * 960, 110, 960)).toEqual({ accepted: true, reordered: false });
    expect(h.insert(2 * 960, 110, 960)).toEqual({ accepted: true, reordered: true });
    expect(h.insert(2 * 960, 130, 960)).toEqual({ accepted: false });
    expect(h.size).toBe(4);
    // The reordered copy (transit 110 - 40 = 70) is not the maximum: that is frame 3's 50 ms.
    expect(h.maxDelayMs()).toBe(0);
    expect(h.isNewest(3 * 960)).toBe(true);
    expect(h.isNewest(2 * 960)).toBe(false);
    h.reset();
    expect(h.size).toBe(0);
    expect(h.minTransitMs()).toBeNull();
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
    // A maximum of 2 s or more is not registered (upstream): the target is recomputed unchanged.
    for (let t = 540; t <= 1040; t += 20) u.update(t === 700 ? 2500 : 0, t);
    u.update(0, 1060);
    expect(u.histogram.probabilities()[3]).toBe(1);
    expect(u.optimalDelayMs).toBe(80);
  });
});

describe('ReorderOptimizer', () => {
  it('minimises max(0, 20 i - base) + 100 x msPerLoss% x P(bucket > i), the first minimum winning', () => {
    // base 20 ms, 20 ms per loss percent: cost(0) = 2000 x 0.1 = 200, cost(1) = 0 + 2000 x 0.05 = 100,
    // cost(2) = 20 + 0 = 20, cost(3) = 40: bucket 2.
    expect(optimalBucket([0.9, 0.05, 0.05], 20, 20)).toBe(2);
    // Bucket i = base / 20 costs no delay: 1 % of packets reordered by 20..40 ms moves 20 -> 40 ms.
    expect(optimalBucket([0.99, 0.01], 20, 20)).toBe(1);
    // Ties go to the lower bucket: cost(0) = 2000 x 0.01 = 20 = cost(2) = 20 + 0 with base 0.
    expect(optimalBucket([0.99, 0, 0.01], 0, 20)).toBe(0);
    expect(optimalBucket([1], 20, 20)).toBe(0);
  });

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
    // No estimate before the history holds two packets.
    expect(dm.update(0, 30, 960)).toBeNull();
    expect(dm.update(960, 80, 960)).toBe(30);
    for (let k = 2; k < 100; k++) dm.update(k * 960, k * 20 + 30, 960);
    expect(dm.targetMs).toBe(20);
    dm.reset();
    expect(dm.targetMs).toBe(80);
    expect(dm.history.size).toBe(0);
    expect(dm.optimizerDelaysMs).toEqual({ underrun: null, reorder: null });
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
  it('accelerates at or above high, preemptively expands below low, 5 ticks apart from the tick after a stretch', () => {
    const lim = stretchLimits(60, 30);
    expect(lim).toEqual({ lowMs: 60, highMs: 110 });
    const d = new DecisionLogic(false);
    // The start counts as a stretch: the first is allowed at tick 6 (countdown of 5 + 1).
    expect(d.expectedFrame(110, lim, true, 5)).toBe('normal');
    expect(d.expectedFrame(110, lim, true, 6)).toBe('accelerate');
    // It succeeded, seen at tick 7: the next at tick 7 + 5 = 12.
    d.stretched(7);
    expect(d.expectedFrame(200, lim, true, 11)).toBe('normal');
    expect(d.expectedFrame(59, lim, true, 12)).toBe('preemptiveExpand');
    expect(d.expectedFrame(80, lim, true, 30)).toBe('normal');
    expect(d.expectedFrame(500, lim, false, 30)).toBe('normal');
    // 4 x high or more accelerates at once, hold-off or not; fast only when enabled.
    d.stretched(31);
    expect(d.expectedFrame(440, lim, true, 32)).toBe('accelerate');
    const fast = new DecisionLogic(true);
    expect(fast.expectedFrame(440, lim, true, 1)).toBe('fastAccelerate');
    expect(fast.expectedFrame(439, lim, true, 1)).toBe('normal');
  });
});
