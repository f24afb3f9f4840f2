import { describe, expect, it } from 'vitest';
import { applyOverride, effectiveChannelConfig, phaseWeight } from '../../src/channel/phases.ts';
import { cfg, channel, phase, sendStream } from './helpers.ts';

describe('phases', () => {
  const base = cfg({ delay: { baseMs: 20, jitterMs: 0 }, loss: { model: 'bernoulli', rate: 0.01 } });

  it('step: values hold on [at, at + for) and only there', () => {
    const p = [phase({ atMs: 1000, forMs: 500, set: { delay: { baseMs: 120 }, loss: { model: 'gilbert', rate: 0.2 } } })];
    expect(effectiveChannelConfig(base, p, 'aToB', 999).delay.baseMs).toBe(20);
    const inside = effectiveChannelConfig(base, p, 'aToB', 1000);
    expect(inside.delay.baseMs).toBe(120);
    expect(inside.loss.model).toBe('gilbert');
    expect(inside.loss.rate).toBe(0.2);
    expect(inside.delay.jitterMs).toBe(0); // untouched keys keep the base value
    expect(effectiveChannelConfig(base, p, 'aToB', 1500)).toBe(base);
    // Direction: an aToB phase does not touch bToA; 'both' touches both.
    expect(effectiveChannelConfig(base, p, 'bToA', 1200).delay.baseMs).toBe(20);
    expect(effectiveChannelConfig(base, [{ ...p[0], direction: 'both' }], 'bToA', 1200).delay.baseMs).toBe(120);
  });

  it('linear: numeric values ramp in over rampMs and out over the last rampMs; others switch at the start', () => {
    const p = phase({ atMs: 1000, forMs: 1000, transition: 'linear', rampMs: 200, set: { delay: { baseMs: 120, order: 'allow' }, reorder: { gap: 5 } } });
    const at = (t: number) => effectiveChannelConfig(base, [p], 'aToB', t);
    expect(at(1000).delay.baseMs).toBe(20);
    expect(at(1000).delay.order).toBe('allow');
    expect(at(1050).delay.baseMs).toBeCloseTo(45, 9);
    expect(at(1100).delay.baseMs).toBeCloseTo(70, 9);
    expect(at(1200).delay.baseMs).toBe(120);
    expect(at(1500).delay.baseMs).toBe(120);
    expect(at(1900).delay.baseMs).toBeCloseTo(70, 9);
    expect(at(1100).reorder.gap).toBe(3); // integer field: 2.5 rounded
    expect(at(2000).delay.baseMs).toBe(20);
    expect(phaseWeight({ ...p, forMs: 300 }, 1150)).toBeCloseTo(0.75, 9); // triangle when for < 2 ramp
  });

  it('nullable objects are replaced whole; later phases win', () => {
    const o = applyOverride(base, { outage: { mode: 'always', onS: 10, offMs: 300, action: 'hold' }, link: { queue: { limitPackets: 5 } } });
    expect(o.outage?.action).toBe('hold');
    expect(o.link.queue.limitPackets).toBe(5);
    expect(o.link.queue.limitBytes).toBeNull();
    const two = [phase({ atMs: 0, forMs: 100, set: { delay: { baseMs: 50 } } }), phase({ atMs: 50, forMs: 100, set: { delay: { baseMs: 70 } } })];
    expect(effectiveChannelConfig(base, two, 'aToB', 60).delay.baseMs).toBe(70);
    expect(effectiveChannelConfig(base, two, 'aToB', 40).delay.baseMs).toBe(50);
  });

  it('through the channel: delay steps and ramps at send time', () => {
    const ch = channel(
      { delay: { baseMs: 20 } },
      { phases: [phase({ atMs: 2000, forMs: 2000, transition: 'linear', rampMs: 1000, set: { delay: { baseMs: 220 } } })] },
    );
    const ds = sendStream(ch, 250);
    expect(ds[50].pathDelayMs).toBe(20); // t = 1000
    expect(ds[125].pathDelayMs).toBeCloseTo(120, 9); // t = 2500: half-way in
    expect(ds[150].pathDelayMs).toBe(220); // t = 3000: full
    expect(ds[175].pathDelayMs).toBeCloseTo(120, 9); // t = 3500: half-way out
    expect(ds[200].pathDelayMs).toBe(20);
    // Ramping down with order preserve: arrivals never go backwards.
    for (let i = 1; i < ds.length; i++) expect(ds[i].deliveries[0].arrivalMs).toBeGreaterThanOrEqual(ds[i - 1].deliveries[0].arrivalMs);
  });

  it('Markov state is kept across a parameter change (a burst in progress continues)', () => {
    // Base: long bursts. Phase changes only the rate at t = 10 s; state must carry over, so the
    // loss pattern before the phase is identical to a run without the phase, and the slot right
    // after the start is lost whenever the slot before it was (r stays 1/50).
    const loss = { model: 'gilbert', rate: 0.3, meanBurstPackets: 50 };
    const plain = sendStream(channel({ loss }, { seed: 3 }), 4000).map((d) => d.delivered);
    let carried = 0;
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const p = [phase({ atMs: 10_000, forMs: 10_000, set: { loss: { rate: 0.31 } } })];
      const ds = sendStream(channel({ loss }, { seed, phases: p }), 1000).map((d) => d.delivered);
      if (!ds[499]) {
        checked++;
        if (!ds[500]) carried++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(carried / checked).toBeGreaterThan(0.8); // P(stay Bad) = 1 - 1/50
    const withPhase = sendStream(channel({ loss }, { seed: 3, phases: [phase({ atMs: 40_000, forMs: 1000, set: { loss: { rate: 0.31 } } })] }), 4000).map((d) => d.delivered);
    expect(withPhase.slice(0, 2000)).toEqual(plain.slice(0, 2000));
  });

  it('validates each phase (replay, infeasible gilbert) at construction', () => {
    expect(() => channel({}, { phases: [phase({ atMs: 0, forMs: 1, set: { loss: { model: 'gilbert', rate: 0.6, meanBurstPackets: 1 } } })] })).toThrow(
      /phase "p".*meanBurstPackets/,
    );
    expect(() => channel({}, { phases: [phase({ atMs: 0, forMs: 1, set: { replay: { format: 'csv', file: 'x.csv', ssrc: null, udpPort: null } } })] })).toThrow(
      /replay is handled by the replay source/,
    );
    // A bToA phase is not validated by (nor applied to) the aToB channel.
    expect(() =>
      channel({}, { phases: [phase({ atMs: 0, forMs: 1, direction: 'bToA', set: { loss: { model: 'gilbert', rate: 0.6, meanBurstPackets: 1 } } })] }),
    ).not.toThrow();
  });
});
