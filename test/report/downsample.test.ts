import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { empiricalCdf, histogram, minMaxBuckets, PeakAccumulator, runsOf, waveformPeaks, type XY } from '../../src/report/html/downsample.ts';

const series = (n: number, f: (i: number) => number): XY[] => Array.from({ length: n }, (_, i) => ({ x: i * 0.02, y: f(i) }));

describe('minMaxBuckets', () => {
  it('returns short series unchanged', () => {
    const s = series(100, (i) => Math.sin(i));
    expect(minMaxBuckets(s, 4000)).toEqual(s);
  });

  it('caps a one-hour call (180 000 packets) at the limit and keeps its single spike', () => {
    const n = 180_000;
    const s = series(n, (i) => 40 + (i % 7) - (i === 123_457 ? -260 : 0));
    const out = minMaxBuckets(s, 4000);
    expect(out.length).toBeLessThanOrEqual(4000);
    expect(out.length).toBeGreaterThan(3000);
    const spike = 40 + (123_457 % 7) + 260;
    expect(Math.max(...out.map((p) => p.y))).toBe(spike);
    expect(out.find((p) => p.y === spike)!.x).toBeCloseTo(123_457 * 0.02, 9);
  });

  it('drops non-finite values', () => {
    expect(minMaxBuckets([{ x: 0, y: 1 }, { x: 1, y: Number.NaN }, { x: 2, y: 3 }], 10)).toEqual([{ x: 0, y: 1 }, { x: 2, y: 3 }]);
  });

  it('properties: bounded size, x order kept, every point is an input point, global min and max kept', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 3000 }), fc.integer({ min: 2, max: 400 }), (ys, cap) => {
        const s = ys.map((y, i) => ({ x: i, y }));
        const out = minMaxBuckets(s, cap);
        expect(out.length).toBeLessThanOrEqual(Math.max(cap, 2));
        for (let k = 1; k < out.length; k++) expect(out[k].x).toBeGreaterThanOrEqual(out[k - 1].x);
        for (const p of out) expect(s[p.x].y).toBe(p.y);
        expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...ys));
        expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...ys));
      }),
      { numRuns: 60 },
    );
  });
});

describe('waveform peaks', () => {
  it('gives per-bucket min and max, whole or in chunks', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i === 250 ? 0.9 : i === 750 ? -0.8 : 0.01 * Math.sin(i)));
    const p = waveformPeaks(x, 4);
    expect(p.max[1]).toBeCloseTo(0.9, 6);
    expect(p.min[3]).toBeCloseTo(-0.8, 6);
    expect(p.max[0]).toBeLessThan(0.011);
    const acc = new PeakAccumulator(1000, 4);
    for (let i = 0; i < 1000; i += 77) acc.push(x.subarray(i, Math.min(1000, i + 77)));
    expect(Array.from(acc.max)).toEqual(p.max);
    expect(Array.from(acc.min)).toEqual(p.min);
  });
});

describe('runsOf', () => {
  it('finds runs and merges close ones, bounding the count', () => {
    const f = [false, true, true, false, false, true, false, true];
    expect(runsOf(f)).toEqual([[1, 3], [5, 6], [7, 8]]);
    expect(runsOf(f, 1)).toEqual([[1, 3], [5, 8]]);
    const many = Array.from({ length: 10_000 }, (_, i) => i % 3 === 0);
    const r = runsOf(many, 0, 100);
    expect(r.length).toBeLessThanOrEqual(100);
    expect(r[0][0]).toBe(0);
    expect(r[r.length - 1][1]).toBe(10_000); // 9999 is a multiple of 3
  });
});

describe('histogram and CDF', () => {
  it('counts every value once and the CDF ends at 1', () => {
    const v = Array.from({ length: 1000 }, (_, i) => i % 100);
    const h = histogram(v, 10);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(h.counts).toEqual(new Array(10).fill(100));
    const c = empiricalCdf(v, 50);
    expect(c.length).toBeLessThanOrEqual(51);
    expect(c[c.length - 1]).toEqual({ x: 99, y: 1 });
    for (let k = 1; k < c.length; k++) expect(c[k].y).toBeGreaterThan(c[k - 1].y);
    // 10 % of the values are 0.
    expect(c[0]).toEqual({ x: 0, y: 0.001 });
  });
});
