import { describe, expect, it } from 'vitest';
import { MEASURES } from '../../src/check/measures.ts';
import { stat, summarizeCombos } from '../../src/sweep/summary.ts';

describe('summary over seeds', () => {
  it('mean, sample standard deviation (n - 1) and range', () => {
    const s = stat([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect([s.min, s.max, s.n]).toEqual([2, 9, 8]);
    expect(stat([3])).toEqual({ mean: 3, sd: 0, min: 3, max: 3, n: 1 });
    expect(stat([]).mean).toBeNull();
  });
  it('groups points by combination, skipping failed points and null measures', () => {
    const axes = [{ key: 'k', values: [0, 1] }];
    const rec = (index: number, combo: number, x: number | null, error: string | null = null) => ({
      index,
      combo,
      seed: index,
      params: { k: combo },
      variants: error ? null : { v: { effectiveLoss: x } },
      error,
    });
    const sum = summarizeCombos(axes, ['v'], [rec(0, 0, 0.1), rec(1, 0, 0.3), rec(2, 1, null), rec(3, 1, 0, 'boom')], MEASURES);
    expect(sum).toHaveLength(2);
    expect(sum[0].variants.v.effectiveLoss.mean).toBeCloseTo(0.2, 12);
    expect(sum[0].variants.v.effectiveLoss.n).toBe(2);
    expect(sum[1].variants.v.effectiveLoss.n).toBe(0);
    expect(sum[1].params).toEqual({ k: 1 });
  });
});
