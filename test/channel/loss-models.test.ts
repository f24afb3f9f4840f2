import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { bernoulliMeanBurst } from '../../src/channel/bernoulli.ts';
import { gilbertFromRateBurst, gilbertLoss, gilbertMeanBurst } from '../../src/channel/gilbert.ts';
import { geMeanLossRun, geStationaryLoss } from '../../src/channel/gilbert-elliott.ts';
import { markov4Loss, markov4MeanBurst, markov4MeanStayLost, markov4Stationary } from '../../src/channel/markov4.ts';
import { channel, lossRuns, sendStream } from './helpers.ts';

const SLOTS = 200_000;

/** One media packet per 20 ms slot; the loss indicator sequence. */
function simulate(loss: Record<string, unknown>, seed = 7): boolean[] {
  return sendStream(channel({ loss }, { seed }), SLOTS).map((d) => !d.delivered);
}

describe('closed forms (channel-models.md sections 1-2)', () => {
  it('reproduces the simple Gilbert table rows', () => {
    const rows: [number, number, number, number][] = [
      [0.01, 2, 0.00505, 0.5],
      [0.05, 3, 0.01754, 0.3333],
      [0.1, 4, 0.0278, 0.25],
    ];
    for (const [L, B, p, r] of rows) {
      const g = gilbertFromRateBurst(L, B);
      expect(g.p).toBeCloseTo(p, 4);
      expect(g.r).toBeCloseTo(r, 4);
      expect(gilbertLoss(g)).toBeCloseTo(L, 12);
      expect(gilbertMeanBurst(g)).toBeCloseTo(B, 12);
    }
    // B = 1/(1-L) is Bernoulli: p = L, r = 1 - L.
    const b = gilbertFromRateBurst(0.2, 1 / 0.8);
    expect(b.p).toBeCloseTo(0.2, 12);
    expect(b.r).toBeCloseTo(0.8, 12);
  });

  it('rejects a mean burst below L/(1-L) with a scenario error', () => {
    expect(() => gilbertFromRateBurst(0.6, 1.2)).toThrow(JitterlabError);
    expect(() => gilbertFromRateBurst(0.6, 1.2)).toThrow(/meanBurstPackets >= rate\/\(1-rate\) = 1\.500/);
    expect(() => gilbertFromRateBurst(0.6, 1.5)).not.toThrow();
    expect(() => channel({ loss: { model: 'gilbert', rate: 0.6, meanBurstPackets: 1.2 } })).toThrow(expect.objectContaining({ kind: 'scenario' }));
  });

  it('4-state: 6.91 % at (0.02, 0.3, 0.2, 0.4, 0.01); (p13, p31) only gives p13/(p13+p31) and 1/p31', () => {
    const m = { p13: 0.02, p31: 0.3, p32: 0.2, p23: 0.4, p14: 0.01 };
    expect(markov4Loss(m)).toBeCloseTo(0.0691, 4);
    const pi = markov4Stationary(m);
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(markov4MeanStayLost(m)).toBeCloseTo(2, 12);
    const two = { p13: 0.05, p31: 0.25, p32: 0, p23: 1, p14: 0 };
    expect(markov4Loss(two)).toBeCloseTo(0.05 / 0.3, 12);
    expect(markov4MeanBurst(two)).toBeCloseTo(4, 12);
  });

  it('GE: loss [(1-k) r + (1-h) p]/(p+r); mean run 1/(1-(1-r)(1-h)) when lossGood = 0', () => {
    const g = { p: 0.02, r: 0.3, lossGood: 0, lossBad: 0.7 };
    expect(geStationaryLoss(g)).toBeCloseTo((0.7 * 0.02) / 0.32, 12);
    expect(geMeanLossRun(g)).toBeCloseTo(1 / (1 - (1 - 0.3) * (1 - 0.3)), 12); // (1-r)(1-h), 1-h = lossBad = 0.7
    expect(bernoulliMeanBurst(0.1)).toBeCloseTo(1 / 0.9, 12);
  });
});

describe('simulated loss converges to the closed forms over 200k slots', () => {
  // Tolerances: the loss indicator of a two-state chain has lag-k correlation (1-p-r)^k, which
  // inflates the variance of the mean by (1+l)/(1-l), l = 1-p-r (4.7 for 5 %/B=3): standard
  // error ~ 0.1 % absolute; runs (~3300 of them) give the mean burst a ~1.5 % standard error.
  // We allow ~4-5 standard errors: 0.5 % absolute on loss, 8 % relative on the mean burst.
  it('bernoulli 3 %', () => {
    const s = lossRuns(simulate({ model: 'bernoulli', rate: 0.03 }));
    expect(Math.abs(s.loss - 0.03)).toBeLessThan(0.002);
    expect(Math.abs(s.meanBurst / bernoulliMeanBurst(0.03) - 1)).toBeLessThan(0.03);
  });

  it('gilbert 5 % / B = 3 (netem gemodel 1.754 % 33.33 %)', () => {
    const s = lossRuns(simulate({ model: 'gilbert', rate: 0.05, meanBurstPackets: 3 }));
    expect(Math.abs(s.loss - 0.05)).toBeLessThan(0.005);
    expect(Math.abs(s.meanBurst / 3 - 1)).toBeLessThan(0.08);
  });

  it('gilbert without a mean burst is Bernoulli', () => {
    const s = lossRuns(simulate({ model: 'gilbert', rate: 0.1, meanBurstPackets: null }));
    expect(Math.abs(s.loss - 0.1)).toBeLessThan(0.004);
    expect(Math.abs(s.meanBurst / (1 / 0.9) - 1)).toBeLessThan(0.03);
  });

  it('gilbertElliott with losses in both states', () => {
    const g = { p: 0.01, r: 0.2, lossGood: 0.01, lossBad: 0.6 };
    const s = lossRuns(simulate({ model: 'gilbertElliott', ...g }));
    expect(Math.abs(s.loss - geStationaryLoss(g))).toBeLessThan(0.005);
    expect(Math.abs(s.meanBurst / geMeanLossRun(g) - 1)).toBeLessThan(0.08);
  });

  it('markov4 at (0.02, 0.3, 0.2, 0.4, 0.01): 6.91 %', () => {
    const m = { p13: 0.02, p31: 0.3, p32: 0.2, p23: 0.4, p14: 0.01 };
    const s = lossRuns(simulate({ model: 'markov4', ...m }));
    expect(Math.abs(s.loss - 0.0691)).toBeLessThan(0.005);
    expect(Math.abs(s.meanBurst / markov4MeanBurst(m) - 1)).toBeLessThan(0.08);
  });

  it('a different seed gives a different loss pattern with the same statistics', () => {
    const a = simulate({ model: 'gilbert', rate: 0.05, meanBurstPackets: 3 }, 1);
    const b = simulate({ model: 'gilbert', rate: 0.05, meanBurstPackets: 3 }, 2);
    expect(a.some((x, i) => x !== b[i])).toBe(true);
    expect(Math.abs(lossRuns(b).loss - 0.05)).toBeLessThan(0.005);
  });

  it('packets within one slot share the chain state (gilbert: all lost or none)', () => {
    const ch = channel({ loss: { model: 'gilbert', rate: 0.2, meanBurstPackets: 4 } });
    let lostSlots = 0;
    for (let k = 0; k < 5000; k++) {
      const a = ch.send({ sendMs: k * 20, sizeBytes: 100, lane: 'media' });
      const b = ch.send({ sendMs: k * 20 + 1, sizeBytes: 100, lane: 'media' });
      const c = ch.send({ sendMs: k * 20 + 2, sizeBytes: 100, lane: 'fec' });
      expect(b.delivered).toBe(a.delivered);
      expect(c.delivered).toBe(a.delivered);
      if (!a.delivered) lostSlots++;
    }
    expect(lostSlots).toBeGreaterThan(500);
  });

  it('egress loss still uses the bottleneck (WebRTC), ingress loss does not (netem)', () => {
    const run = (position: 'ingress' | 'egress') => {
      const ch = channel({ loss: { model: 'bernoulli', rate: 0.5, position }, link: { rateKbps: 100 } });
      // 1000-byte packets take 82.24 ms at 100 kbit/s (with 28 bytes overhead); sent every 50 ms.
      const ds = sendStream(ch, 400, { intervalMs: 50, sizeBytes: 1000 });
      return Math.max(...ds.filter((d) => d.delivered).map((d) => d.queueDelayMs));
    };
    expect(run('egress')).toBeGreaterThan(5000);
    expect(run('ingress')).toBeLessThan(2000);
  });
});
