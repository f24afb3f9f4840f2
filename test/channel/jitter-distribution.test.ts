import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { RngStream } from '../../src/core/rng.ts';
import {
  loadDistTable,
  NETEM_TABLE_LIMIT,
  paretoStandardFromTail,
  parseDistTable,
  standardJitterFromLatent,
  standardJitterQuantile,
} from '../../src/channel/jitter-distribution.ts';
import { normalCdf, normalQuantile } from '../../src/channel/gaussian.ts';
import { channel, mean, sd, sendStream } from './helpers.ts';

describe('jitter distributions (netem shapes)', () => {
  it('uniform is 2u - 1 on [-1, 1), normal is Phi^-1', () => {
    expect(standardJitterQuantile('uniform', 0)).toBe(-1);
    expect(standardJitterQuantile('uniform', 0.75)).toBe(0.5);
    expect(standardJitterQuantile('normal', 0.8413447460685429)).toBeCloseTo(1, 9);
  });

  it('pareto: alpha 3 centred, minimum -2/3, median (2^(1/3) - 1.5) 4/3', () => {
    expect(standardJitterQuantile('pareto', 0)).toBeCloseTo(-2 / 3, 12);
    expect(standardJitterQuantile('pareto', 0.5)).toBeCloseTo((Math.cbrt(2) - 1.5) * (4 / 3), 12);
    // Clipped at netem's s16 table limit L = 32767/8192 (V_c = 1.5 + 3L/4): E[min(V, V_c)] = 1 + (1 - V_c^-2)/2,
    // so the clipped mean is -(2/3) V_c^-2 (midpoint integration of the quantile).
    const n = 200_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = standardJitterQuantile('pareto', (i + 0.5) / n);
    const vc = 1.5 + (3 * NETEM_TABLE_LIMIT) / 4;
    expect(mean(xs)).toBeCloseTo(-(2 / 3) / (vc * vc), 3);
    expect(xs.reduce((a, b) => Math.max(a, b), -Infinity)).toBeCloseTo(NETEM_TABLE_LIMIT, 12);
  });

  it('paretonormal is (normal + 3 pareto)/4 per quantile', () => {
    for (const u of [0.01, 0.3, 0.5, 0.9, 0.999]) {
      const raw = (normalQuantile(u, 1 - u) + 3 * paretoStandardFromTail(1 - u)) / 4;
      const expected = Math.min(NETEM_TABLE_LIMIT, Math.max(-NETEM_TABLE_LIMIT, raw));
      expect(standardJitterQuantile('paretonormal', u)).toBeCloseTo(expected, 9);
    }
  });

  it('the latent form equals the quantile form at u = Phi(z)', () => {
    for (const d of ['uniform', 'normal', 'pareto', 'paretonormal'] as const) {
      for (const z of [-2.2, -0.4, 0, 0.9, 3.1]) {
        expect(standardJitterFromLatent(d, z)).toBeCloseTo(standardJitterQuantile(d, normalCdf(z)), 8);
      }
    }
  });

  it('parses the iproute2 .dist format (comments, s16 / 8192) and samples by sorted quantile index', () => {
    const t = parseDistTable('# a table\n 8192 -8192 0\n 16384 # two\n', 'x.dist');
    expect(Array.from(t.values)).toEqual([-1, 0, 1, 2]);
    expect(standardJitterQuantile('empirical', 0, t)).toBe(-1);
    expect(standardJitterQuantile('empirical', 0.49, t)).toBe(0);
    expect(standardJitterQuantile('empirical', 0.99999, t)).toBe(2);
  });

  it('rejects bad tables with typed errors only', () => {
    const bad = ['', '# only a comment\n', '1 2 x', '40000', '1.5'];
    for (const text of bad) {
      let err: unknown;
      try {
        parseDistTable(text, 'bad.dist');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JitterlabError);
      expect((err as JitterlabError).kind).toBe('scenario');
      expect((err as JitterlabError).message).toContain('bad.dist');
    }
    expect(() => loadDistTable('/nonexistent/none.dist')).toThrow(expect.objectContaining({ kind: 'io' }));
    expect(() => standardJitterQuantile('empirical', 0.5)).toThrow(JitterlabError);
  });

  it('uniform jitter through the channel: sd = J/sqrt(3) and RFC 3550 J -> 2J/3', () => {
    // RFC 3550 A.8 estimator in arrival order; for i.i.d. uniform +-a delays E|D| = 2a/3.
    const J = 15;
    const ch = channel({ delay: { baseMs: 100, jitterMs: J, distribution: 'uniform', order: 'allow' } });
    const ds = sendStream(ch, 40_000);
    const delays = ds.map((d, i) => d.deliveries[0].arrivalMs - 20 * i);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100 - J);
    expect(Math.max(...delays)).toBeLessThan(100 + J);
    // sd of a 40k-sample uniform: relative standard error ~ 0.4 %; 2 % tolerance.
    expect(Math.abs(sd(delays) / (J / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
    const byArrival = ds.map((d, i) => ({ s: i * 20, r: d.deliveries[0].arrivalMs })).sort((a, b) => a.r - b.r);
    let j = 0;
    let acc = 0;
    for (let i = 1; i < byArrival.length; i++) {
      const D = byArrival[i].r - byArrival[i].s - (byArrival[i - 1].r - byArrival[i - 1].s);
      j += (Math.abs(D) - j) / 16;
      if (i > 1000) acc += j;
    }
    const avgJ = acc / (byArrival.length - 1001);
    // Sorting by arrival correlates neighbours a little (reordering at +-15 ms over 20 ms spacing
    // is 1.6 %), so allow 5 %.
    expect(Math.abs(avgJ / ((2 * J) / 3) - 1)).toBeLessThan(0.05);
  });

  it('empirical jitter through the channel reads the table file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jl-dist-'));
    const f = join(dir, 't.dist');
    writeFileSync(f, '-8192 8192\n');
    const ds = sendStream(channel({ delay: { baseMs: 50, jitterMs: 10, distribution: 'empirical', tableFile: f, order: 'allow' } }), 2000);
    const delays = new Set(ds.map((d, i) => Math.round(d.deliveries[0].arrivalMs - i * 20)));
    expect([...delays].sort()).toEqual([40, 60]);
    expect(() => channel({ delay: { jitterMs: 1, distribution: 'empirical' } })).toThrow(expect.objectContaining({ kind: 'scenario' }));
  });

  it('RngStream draws are usable as quantile inputs (sanity of the uniform marginal)', () => {
    const s = new RngStream(9, 'x');
    const xs = Array.from({ length: 20000 }, (_, i) => standardJitterQuantile('uniform', s.at(i)));
    expect(Math.abs(sd(xs) - 1 / Math.sqrt(3))).toBeLessThan(0.01);
  });
});
