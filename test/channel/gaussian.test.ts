import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalQuantile } from '../../src/channel/gaussian.ts';

describe('gaussian', () => {
  it('matches published values of erfc and Phi (A&S tables, both tails)', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 14);
    expect(erfc(2)).toBeCloseTo(0.004677734981047266, 15);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 14);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-3) / 0.0013498980316300946).toBeCloseTo(1, 12);
    // Deep tail keeps relative precision (no 1 - x cancellation).
    expect(normalCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 10);
  });

  it('normalQuantile inverts normalCdf across the range', () => {
    for (const z of [-8, -5, -2.5, -1, -0.1, 0, 0.3, 1.7, 3.2, 6]) {
      const u = normalCdf(z);
      expect(normalQuantile(u, normalCdf(-z))).toBeCloseTo(z, 9);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 10);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});
