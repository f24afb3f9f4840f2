import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentileSorted, summarize } from '../../src/metrics/percentile.ts';
import { lossRunLengths, rfc3611BurstGap } from '../../src/metrics/rfc3611-burst-gap.ts';
import { Rfc3550Jitter, rfc3550JitterOfTrace } from '../../src/metrics/rfc3550-jitter.ts';
import { lossRates } from '../../src/metrics/loss-rates.ts';
import { latencyBudget } from '../../src/metrics/latency-budget.ts';
import { rfc4737Reordered } from '../../src/metrics/rfc4737-reordering.ts';
import { RngStream } from '../../src/core/rng.ts';

describe('RFC 3550 interarrival jitter', () => {
  it('follows J += (|D| - J)/16 exactly on a hand example', () => {
    const j = new Rfc3550Jitter(48000);
    // Transit (RTP units): 0, 480 (10 ms late), 480, 0
    j.update(0, 0);
    j.update(30, 960); // transit 30*48-960 = 480, D = 480 -> J = 30
    expect(j.jitterTs).toBeCloseTo(30, 12);
    j.update(50, 1920); // transit 480, D = 0 -> J = 30 - 30/16
    expect(j.jitterTs).toBeCloseTo(30 - 30 / 16, 12);
    j.update(60, 2880); // transit 0, D = 480
    expect(j.jitterTs).toBeCloseTo(28.125 + (480 - 28.125) / 16, 12);
  });

  it('converges to 2a/3 for uniform +-a delay (channel-models.md section 7)', () => {
    const rng = new RngStream(1, 'test.jitter');
    const a = 10;
    const trace = Array.from({ length: 200000 }, (_, i) => ({ timestamp: i * 960, arrivalMs: i * 20 + 50 + a * (2 * rng.at(i) - 1) }));
    // in-order arrival (spacing 20 ms > 2a), so arrival order = send order
    expect(rfc3550JitterOfTrace(trace, 48000)).toBeCloseTo((2 * a) / 3, 0);
  });
});

describe('RFC 3611 burst/gap (Appendix A.2, Gmin 16)', () => {
  it('no loss: all gap', () => {
    const m = rfc3611BurstGap(new Array(100).fill(false), 20);
    expect(m.burstDensity).toBe(0);
    expect(m.gapDensity).toBe(0);
    expect(m.burstDurationMs).toBe(0);
    expect(m.gapDurationMs).toBe(2000);
  });

  it('matches a hand-run of the A.2 counters', () => {
    // 20 received, 3 lost, 2 received, 1 lost, 20 received, 1 lost, 20 received, 1 lost
    const seq = [...Array(20).fill(false), true, true, true, false, false, true, ...Array(20).fill(false), true, ...Array(20).fill(false), true];
    // Counters by A.2: loss1 (pkt=20>=16): lost==0 -> c13=1, lost=1, c11=20; loss2: lost=2, c33=1; loss3: lost=3, c33=2;
    // loss4 (pkt=2): lost=4, c23=1, c22=1; loss5 (pkt=20): lost!=1 -> c13=2, lost=1, c11=40;
    // loss6 (pkt=20): lost==1 -> c14=1, lost=1, c11=60.
    const c11 = 60, c13 = 2, c14 = 1, c22 = 1, c23 = 1, c33 = 2;
    const p32 = c23 / (c13 + c23 + c33);
    const p23 = 1 - c22 / (c22 + c23);
    const m = rfc3611BurstGap(seq, 20);
    expect(m.burstDensity).toBeCloseTo(p23 / (p23 + p32), 12);
    expect(m.gapDensity).toBeCloseTo(c14 / (c11 + c14), 12);
    const gap = ((c11 + c14 + c13) * 20) / c13;
    const ctotal = c11 + c14 + c13 + c22 + c23 + c13 + c23 + c33;
    expect(m.gapDurationMs).toBeCloseTo(gap, 9);
    expect(m.burstDurationMs).toBeCloseTo((ctotal * 20) / c13 - gap, 9);
    expect(lossRunLengths(seq)).toEqual([3, 1, 1, 1]);
  });

  it('densities stay in [0,1] and runs sum to the losses, for any sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 400 }), (seq) => {
        const m = rfc3611BurstGap(seq, 20);
        const runs = lossRunLengths(seq);
        return m.burstDensity >= 0 && m.burstDensity <= 1 && m.gapDensity >= 0 && m.gapDensity <= 1 && runs.reduce((a, b) => a + b, 0) === seq.filter(Boolean).length;
      }),
      { numRuns: 300 },
    );
  });
});

describe('summaries and rates', () => {
  it('percentiles interpolate linearly between order statistics (type 7)', () => {
    expect(percentileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileSorted([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 12);
    const s = summarize([5, 1, 3]);
    expect(s).toEqual({ count: 3, min: 1, mean: 3, p50: 3, p95: 4.8, p99: 4.96, max: 5 });
    expect(summarize([]).mean).toBeNull();
  });

  it('loss rates before FEC, after FEC, after the jitter buffer; DTX is not loss', () => {
    const r = lossRates([
      { arrived: true, recovered: false, concealed: false, dtx: false },
      { arrived: false, recovered: true, concealed: false, dtx: false },
      { arrived: false, recovered: false, concealed: true, dtx: false },
      { arrived: true, recovered: false, concealed: true, dtx: false }, // late
      { arrived: false, recovered: false, concealed: false, dtx: true },
    ]);
    expect(r).toEqual({ frames: 4, beforeFec: 0.5, afterFec: 0.25, afterJitterBuffer: 0.5 });
  });

  it('latency budget adds up', () => {
    const b = latencyBudget({ frameMs: 20, lookaheadMs: 6.5, meanNetworkMs: 40, meanJitterBufferMs: 55, deviceBufferMs: 10 });
    expect(b.mouthToEarMs).toBeCloseTo(131.5, 12);
  });
});

describe('RFC 3611 burst/gap when the first loss comes within Gmin packets of the start', () => {
  // The call starts in a gap, so its first loss enters a burst (section 4.7.2); A.2's counters
  // alone would leave c13 = 0 and report a burst density with no burst.
  it('3 losses, then 100 received: one 60 ms burst of density 1', () => {
    const m = rfc3611BurstGap([true, true, true, ...Array<boolean>(100).fill(false)], 20);
    expect(m.burstDensity).toBe(1);
    expect(m.burstDurationMs).toBeCloseTo(60, 9);
    // A.2 classifies received packets only when a later loss closes them: none here.
    expect(m.gapDurationMs).toBeCloseTo(20, 9);
  });

  it('every 4th packet lost over 300: one burst spanning the stream, density 1/4 in closed form', () => {
    const lost = Array.from({ length: 300 }, (_, i) => i % 4 === 3);
    const m = rfc3611BurstGap(lost, 20);
    // c13 = 1 (first loss), c11 = 3, c23 = 74, c22 = 148, c31 = 1, c32 = 74, c33 = 0: p23 = 1/3,
    // p32 = 74/75; density = p23/(p23 + p32); burst = (301 - 4) * 20 ms, gap = 4 * 20 ms.
    expect(m.burstDensity).toBeCloseTo(1 / 3 / (1 / 3 + 74 / 75), 12);
    expect(m.burstDurationMs).toBeCloseTo(5940, 9);
    expect(m.gapDurationMs).toBeCloseTo(80, 9);
    expect(m.gapDensity).toBe(0);
  });
});

describe('RFC 4737 reordering (section 3.3, Type-P-Reordered)', () => {
  /** Arrival times that make packets arrive in `order` (a permutation of sequence numbers), one ms apart. */
  const arrivalsFor = (order: number[], n = order.length): Array<number | null> => {
    const out: Array<number | null> = new Array(n).fill(null);
    order.forEach((s, k) => (out[s] = k));
    return out;
  };
  const reordered = (order: number[], n?: number) =>
    rfc4737Reordered(arrivalsFor(order, n))
      .map((f, s) => (f ? s : -1))
      .filter((s) => s >= 0);

  it('flags the late packet, not the ones that overtook it', () => {
    expect(reordered([0, 1, 3, 2, 4])).toEqual([2]);
    expect(reordered([0, 2, 3, 4, 1, 5])).toEqual([1]);
  });

  it('flags every packet below NextExp: one early packet makes all it overtook reordered (RFC 4737 3.3 example)', () => {
    expect(reordered([3, 0, 1, 2, 4])).toEqual([0, 1, 2]);
  });

  it('losses reorder nothing; an all-lost or in-order stream has no reordered packet', () => {
    expect(reordered([0, 1, 4, 6], 8)).toEqual([]);
    expect(rfc4737Reordered([null, null])).toEqual([false, false]);
    expect(reordered([2, 1], 4)).toEqual([1]);
  });

  it('packets arriving at the same instant are taken in sequence order', () => {
    expect(rfc4737Reordered([5, 5, 5])).toEqual([false, false, false]);
  });

  it('agrees with the pairwise reading: a packet is reordered iff a later-sent one arrived strictly before it', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }), { maxLength: 60 }), (arr) => {
        const got = rfc4737Reordered(arr);
        const want = arr.map((a, i) => a !== null && arr.some((b, j) => j > i && b !== null && b < a));
        expect(got).toEqual(want);
      }),
    );
  });
});
