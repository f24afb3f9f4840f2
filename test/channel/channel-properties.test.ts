import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import type { Lane } from '../../src/channel/types.ts';
import { channel, sendStream } from './helpers.ts';

const lanes: Lane[] = ['media', 'fec', 'rtx', 'rtcp', 'other'];

/** Random channel sections (schema input), covering every model. */
const configArb = fc.record({
  delay: fc.record({
    baseMs: fc.double({ min: 0, max: 200, noNaN: true }),
    jitterMs: fc.double({ min: 0, max: 80, noNaN: true }),
    distribution: fc.constantFrom('uniform', 'normal', 'pareto', 'paretonormal'),
    correlation: fc.double({ min: 0, max: 0.99, noNaN: true }),
    order: fc.constantFrom('preserve', 'allow'),
  }),
  loss: fc.oneof(
    fc.constant({ model: 'none' }),
    fc.record({ model: fc.constant('bernoulli'), rate: fc.double({ min: 0, max: 0.5, noNaN: true }), position: fc.constantFrom('ingress', 'egress') }),
    fc.record({ model: fc.constant('gilbert'), rate: fc.double({ min: 0, max: 0.3, noNaN: true }), meanBurstPackets: fc.constantFrom(null, 2, 5) }),
    fc.record({ model: fc.constant('gilbertElliott'), p: fc.double({ min: 0, max: 0.2, noNaN: true }), r: fc.double({ min: 0.05, max: 1, noNaN: true }), lossGood: fc.constant(0.01), lossBad: fc.constant(0.8) }),
    fc.constant({ model: 'markov4', p13: 0.02, p31: 0.3, p32: 0.2, p23: 0.4, p14: 0.01 }),
  ),
  duplicate: fc.record({ prob: fc.double({ min: 0, max: 0.3, noNaN: true }) }),
  corrupt: fc.record({ prob: fc.double({ min: 0, max: 0.3, noNaN: true }) }),
  link: fc.record({
    rateKbps: fc.constantFrom(null, 40, 100, 1000),
    queue: fc.record({ limitPackets: fc.constantFrom(null, 5, 50) }),
    slot: fc.constantFrom(null, { minMs: 5, maxMs: 15, maxPackets: 2 }),
  }),
  outage: fc.constantFrom(null, { mode: 'periodic', onS: 0.5, offMs: 150, action: 'hold' }, { mode: 'poisson', onS: 0.4, offMs: 100, action: 'drop' }),
  routeFlap: fc.constantFrom(null, { intervalS: 0.3, deltaMs: -15 }, { intervalS: 0.7, deltaMs: 40 }),
});

/** Non-decreasing send times with lanes. */
const trafficArb = fc.array(fc.record({ gap: fc.constantFrom(0, 0, 1.5, 7, 20, 20, 20, 45), lane: fc.constantFrom(...lanes), size: fc.integer({ min: 0, max: 1200 }) }), {
  minLength: 1,
  maxLength: 150,
});

function run(config: unknown, traffic: { gap: number; lane: Lane; size: number }[], seed: number, reorder = 0) {
  const ch = channel({ ...(config as object), reorder: { prob: reorder, gap: 0 } }, { seed });
  let t = 0;
  return traffic.map((p) => {
    t += p.gap;
    return { sendMs: t, d: ch.send({ sendMs: t, sizeBytes: p.size, lane: p.lane }) };
  });
}

describe('channel properties (fast-check)', () => {
  it('no packet is ever delivered before it was sent; a dropped packet has no original delivery', () => {
    fc.assert(
      fc.property(configArb, trafficArb, fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 0.3, noNaN: true }), (config, traffic, seed, reorder) => {
        for (const { sendMs, d } of run(config, traffic, seed, reorder)) {
          for (const x of d.deliveries) expect(x.arrivalMs).toBeGreaterThanOrEqual(sendMs);
          expect(d.deliveries.length).toBeLessThanOrEqual(2);
          if (!d.delivered) expect(d.deliveries.every((x) => x.duplicate)).toBe(true);
          else expect(d.deliveries[0].duplicate).toBe(false);
          expect(d.queueDelayMs).toBeGreaterThanOrEqual(0);
          expect(d.pathDelayMs).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("with order 'preserve' (no explicit reorder) arrivals are monotonic in send order", () => {
    fc.assert(
      fc.property(configArb, trafficArb, fc.integer({ min: 0, max: 1000 }), (config, traffic, seed) => {
        const c = { ...config, delay: { ...config.delay, order: 'preserve' } };
        let prev = -Infinity;
        for (const { d } of run(c, traffic, seed)) {
          for (const x of d.deliveries) {
            expect(x.arrivalMs).toBeGreaterThanOrEqual(prev);
            expect(x.reordered).toBe(false);
            prev = x.arrivalMs;
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('same seed => identical decisions; the stats add up', () => {
    fc.assert(
      fc.property(configArb, trafficArb, fc.integer({ min: 0, max: 1000 }), (config, traffic, seed) => {
        const a = run(config, traffic, seed, 0.05);
        const b = run(config, traffic, seed, 0.05);
        expect(b).toEqual(a);
      }),
      { numRuns: 30 },
    );
    const ch = channel({ loss: { model: 'bernoulli', rate: 0.1 }, duplicate: { prob: 0.1 }, link: { rateKbps: 60, queue: { limitPackets: 3 } }, outage: { mode: 'periodic', onS: 1, offMs: 100 } });
    sendStream(ch, 3000, { sizeBytes: 160 });
    const s = ch.stats();
    expect(s.sent).toBe(3000);
    expect(s.delivered + s.lost + s.queueDrops + s.outageDrops).toBe(3000);
    expect(s.lost).toBeGreaterThan(0);
    expect(s.queueDrops).toBeGreaterThan(0);
    expect(s.outageDrops).toBeGreaterThan(0);
    expect(s.bytesSent).toBe(3000 * 160);
  });
});

describe('exogenous draws: extra FEC packets do not change what media packets meet', () => {
  const everything = {
    delay: { baseMs: 60, jitterMs: 25, distribution: 'paretonormal', correlation: 0.6, order: 'allow' },
    loss: { model: 'gilbertElliott', p: 0.03, r: 0.25, lossGood: 0.01, lossBad: 0.7 },
    duplicate: { prob: 0.05 },
    corrupt: { prob: 0.05 },
    reorder: { prob: 0.05, gap: 2 },
    outage: { mode: 'poisson', onS: 3, offMs: 200, action: 'hold' },
    routeFlap: { intervalS: 2, deltaMs: 30 },
  };

  function compare(config: object, withFec: (k: number) => number) {
    const a = channel(config, { seed: 42 });
    const b = channel(config, { seed: 42 });
    let same = 0;
    for (let k = 0; k < 3000; k++) {
      const t = k * 20;
      const payload = new Uint8Array([k & 255, 1, 2, 3, 4, 5, 6, 7]);
      const da = a.send({ sendMs: t, sizeBytes: 8, lane: 'media', payload });
      const nFec = withFec(k);
      const fecFirst = k % 2 === 0;
      if (fecFirst) for (let j = 0; j < nFec; j++) b.send({ sendMs: t, sizeBytes: 50, lane: 'fec' });
      const db = b.send({ sendMs: t, sizeBytes: 8, lane: 'media', payload });
      if (!fecFirst) for (let j = 0; j < nFec; j++) b.send({ sendMs: t, sizeBytes: 50, lane: 'fec' });
      const strip = (d: typeof da) => ({ ...d, deliveries: d.deliveries.map((x) => ({ ...x, reordered: false })) });
      expect(strip(db)).toEqual(strip(da));
      same++;
    }
    return { same, stats: a.stats() };
  }

  it("order 'allow', every exogenous impairment on, FEC before or after the media packet", () => {
    const { same, stats } = compare(everything, (k) => (k % 3 === 0 ? 2 : k % 3));
    expect(same).toBe(3000);
    // The scenario really exercised the impairments.
    expect(stats.lost).toBeGreaterThan(20);
    expect(stats.duplicated).toBeGreaterThan(50);
    expect(stats.corrupted).toBeGreaterThan(50);
  });

  it("order 'preserve', slot-shared fates: FEC sent with the media shares its slot's delay", () => {
    // The FIFO clamp is endogenous: a FEC packet that survives (or does not jump the queue) while
    // its slot's media packet is lost (or jumps) holds later packets behind it. With a
    // state-determined loss model (gilbert), no duplicates and no explicit reorder, the packets of
    // a slot share their fate and delay, so media arrivals are unchanged.
    const c = {
      ...everything,
      delay: { ...everything.delay, order: 'preserve' },
      duplicate: { prob: 0 },
      reorder: { prob: 0, gap: 0 },
      loss: { model: 'gilbert', rate: 0.05, meanBurstPackets: 3 },
    };
    expect(compare(c, () => 1).same).toBe(3000);
  });
});

describe('duplicate, corrupt, reorder', () => {
  it('duplicate and corrupt rates match their probabilities; corruption flips exactly one bit of a copy', () => {
    const ch = channel({ duplicate: { prob: 0.1 }, corrupt: { prob: 0.05 }, delay: { baseMs: 10, jitterMs: 5, order: 'allow' } });
    const n = 30_000;
    let dups = 0;
    let corrupted = 0;
    let deliveries = 0;
    for (let i = 0; i < n; i++) {
      const payload = new Uint8Array(20).fill(0xa5);
      const d = ch.send({ sendMs: i * 20, sizeBytes: 20, lane: 'media', payload });
      expect(payload.every((b) => b === 0xa5)).toBe(true);
      if (d.deliveries.length === 2) dups++;
      for (const x of d.deliveries) {
        deliveries++;
        let bits = 0;
        for (const b of x.payload!) bits += popcount(b ^ 0xa5);
        expect(bits).toBe(x.corrupted ? 1 : 0);
        if (x.corrupted) corrupted++;
      }
    }
    // Binomial standard errors: 0.17 % (dup), 0.12 % (corrupt); 4-5 standard errors allowed.
    expect(Math.abs(dups / n - 0.1)).toBeLessThan(0.008);
    expect(Math.abs(corrupted / deliveries - 0.05)).toBeLessThan(0.006);
    expect(ch.stats().duplicated).toBe(dups);
    expect(ch.stats().corrupted).toBe(corrupted);
  });

  it('the duplicate gets its own loss draw and its own jitter', () => {
    const ch = channel({ duplicate: { prob: 1 }, loss: { model: 'bernoulli', rate: 0.5 }, delay: { baseMs: 50, jitterMs: 20, order: 'allow' } });
    let onlyDup = 0;
    let differentArrival = 0;
    for (let i = 0; i < 2000; i++) {
      const d = ch.send({ sendMs: i * 20, sizeBytes: 100, lane: 'media' });
      if (!d.delivered && d.deliveries.length === 1) onlyDup++;
      if (d.deliveries.length === 2 && d.deliveries[0].arrivalMs !== d.deliveries[1].arrivalMs) differentArrival++;
    }
    expect(onlyDup).toBeGreaterThan(400); // ~ 2000 x 0.25
    expect(differentArrival).toBeGreaterThan(400);
  });

  it('reorder: the packet skips the delay; gap packets go normally in between', () => {
    const ch = channel({ reorder: { prob: 0.5, gap: 3 }, delay: { baseMs: 100 } });
    const ds = sendStream(ch, 5000);
    let since = Infinity;
    let count = 0;
    for (let i = 0; i < ds.length; i++) {
      const a = ds[i].deliveries[0].arrivalMs;
      const jumped = a === i * 20;
      if (jumped) {
        expect(since).toBeGreaterThanOrEqual(3);
        expect(ds[i].deliveries[0].reordered).toBe(i > 0);
        since = 0;
        count++;
      } else {
        expect(a).toBe(i * 20 + 100);
        since++;
      }
    }
    // Renewal: a reordered packet, then >= 3 normal ones, then geometric(0.5): 1 in 5 packets.
    expect(Math.abs(count / ds.length - 0.2)).toBeLessThan(0.02);
    expect(ch.stats().reordered).toBe(count - 1);
  });

  it('jitter larger than the packet spacing reorders with order allow, never with preserve', () => {
    const allow = sendStream(channel({ delay: { baseMs: 100, jitterMs: 20, order: 'allow' } }), 10_000);
    const frac = allow.filter((d) => d.deliveries[0].reordered).length / allow.length;
    expect(frac).toBeGreaterThan(0.05);
    const keep = channel({ delay: { baseMs: 100, jitterMs: 20 } });
    sendStream(keep, 10_000);
    expect(keep.stats().reordered).toBe(0);
  });
});

describe('slot gating (netem slot)', () => {
  it('releases packets only at slot openings, at most maxPackets each', () => {
    const ch = channel({ link: { slot: { minMs: 10, maxMs: 30, maxPackets: 1 } }, delay: { baseMs: 5 } });
    const arrivals: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const d = ch.send({ sendMs: i * 20, sizeBytes: 100, lane: 'media' });
      arrivals.push(d.deliveries[0].arrivalMs);
      expect(d.deliveries[0].arrivalMs).toBeGreaterThanOrEqual(i * 20 + 5);
    }
    // One packet per opening: all arrival times distinct; openings every U[10, 30] (mean 20 ms)
    // keep up with one packet every 20 ms only on average, so some packets wait several slots.
    expect(new Set(arrivals).size).toBe(arrivals.length);
    const gaps = arrivals.slice(1).map((a, i) => a - arrivals[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(10 - 1e-9);
  });

  it('rejects a slot with maxMs below minMs', () => {
    expect(() => channel({ link: { slot: { minMs: 10, maxMs: 5 } } })).toThrow(expect.objectContaining({ kind: 'scenario' }));
  });
});

describe('contract errors', () => {
  it('send times must not decrease', () => {
    const ch = channel();
    ch.send({ sendMs: 100, sizeBytes: 10, lane: 'media' });
    let err: unknown;
    try {
      ch.send({ sendMs: 99, sizeBytes: 10, lane: 'media' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JitterlabError);
    expect((err as JitterlabError).kind).toBe('internal');
    expect(() => ch.send({ sendMs: 100, sizeBytes: 10, lane: 'media' })).not.toThrow();
  });

  it('replay belongs to the replay source', () => {
    expect(() => channel({ replay: { format: 'csv', file: 'x.csv' } })).toThrow(
      expect.objectContaining({ kind: 'scenario', message: expect.stringContaining('channel.replay is handled by the replay source') }),
    );
  });

  it('each direction has its own draws', () => {
    const c = { loss: { model: 'bernoulli', rate: 0.3 } };
    const a = sendStream(channel(c, { direction: 'aToB' }), 500).map((d) => d.delivered);
    const b = sendStream(channel(c, { direction: 'bToA' }), 500).map((d) => d.delivered);
    expect(a).not.toEqual(b);
  });
});

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}
