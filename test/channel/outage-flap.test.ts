import { describe, expect, it } from 'vitest';
import { routeFlapOffsetMs } from '../../src/channel/route-flap.ts';
import { periodicDown } from '../../src/channel/outage.ts';
import { channel, phase, sendStream } from './helpers.ts';

describe('outages', () => {
  it('periodic: up onS, down offMs, repeating from 0', () => {
    expect(periodicDown(1000, 200, 999)).toBe(false);
    expect(periodicDown(1000, 200, 1000)).toBe(true);
    expect(periodicDown(1000, 200, 1199)).toBe(true);
    expect(periodicDown(1000, 200, 1200)).toBe(false);
    expect(periodicDown(1000, 0, 1100)).toBe(false);
  });

  it('drop loses the packets sent while down; hold delivers them when the link returns', () => {
    const o = { mode: 'periodic', onS: 1, offMs: 200 };
    const drop = sendStream(channel({ delay: { baseMs: 30 }, outage: { ...o, action: 'drop' } }), 300);
    const hold = sendStream(channel({ delay: { baseMs: 30 }, outage: { ...o, action: 'hold' } }), 300);
    for (let i = 0; i < 300; i++) {
      const t = i * 20;
      const down = t % 1200 >= 1000;
      expect(drop[i].delivered).toBe(!down);
      if (down) expect(drop[i].cause).toBe('outage');
      expect(hold[i].delivered).toBe(true);
      const expected = down ? (Math.floor(t / 1200) + 1) * 1200 + 30 : t + 30;
      expect(hold[i].deliveries[0].arrivalMs).toBeCloseTo(expected, 9);
    }
    const st = channel({ outage: { ...o, action: 'drop' } });
    sendStream(st, 300);
    expect(st.stats().outageDrops).toBe(50); // 10 of every 60 packets
  });

  it("'always' inside a phase: a handover that holds packets until the phase ends", () => {
    const ch = channel({ delay: { baseMs: 40 } }, { phases: [phase({ atMs: 1000, forMs: 300, set: { outage: { mode: 'always', action: 'hold' } } })] });
    const ds = sendStream(ch, 100);
    for (let i = 0; i < 100; i++) {
      const t = i * 20;
      const inPhase = t >= 1000 && t < 1300;
      expect(ds[i].deliveries[0].arrivalMs).toBe(inPhase ? 1340 : t + 40);
    }
    // Without hold in the base and no end: always-down drops everything.
    const all = sendStream(channel({ outage: { mode: 'always', action: 'hold' } }), 10);
    expect(all.every((d) => d.cause === 'outage')).toBe(true);
  });

  it('poisson: exponential up-times with mean onS; the down fraction is off/(on+off)', () => {
    const ch = channel({ outage: { mode: 'poisson', onS: 2, offMs: 500, action: 'drop' } }, { seed: 4 });
    const ds = sendStream(ch, 150_000); // 3000 s: ~1200 outages
    const downFrac = ds.filter((d) => !d.delivered).length / ds.length;
    // Renewal-reward: 0.5/(2+0.5) = 0.2. ~1200 cycles with cv(up) = 1: standard error ~ 0.5 %.
    expect(Math.abs(downFrac - 0.2)).toBeLessThan(0.025);
    // Outages are contiguous runs of 25 packets (500 ms), except where two gaps merge or at the end.
    let run = 0;
    const runs: number[] = [];
    for (const d of ds) {
      if (!d.delivered) run++;
      else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    const mostly = runs.filter((r) => r === 25).length / runs.length;
    expect(mostly).toBeGreaterThan(0.95);
    // The schedule is exogenous: another seed moves the outages.
    const other = sendStream(channel({ outage: { mode: 'poisson', onS: 2, offMs: 500, action: 'drop' } }, { seed: 5 }), 5000);
    expect(other.some((d, i) => d.delivered !== ds[i].delivered)).toBe(true);
  });
});

describe('route flap (G.1050)', () => {
  it('steps +delta every interval and back at the next flap', () => {
    const f = { intervalS: 1, deltaMs: 16 };
    expect(routeFlapOffsetMs(f, 999)).toBe(0);
    expect(routeFlapOffsetMs(f, 1000)).toBe(16);
    expect(routeFlapOffsetMs(f, 1999)).toBe(16);
    expect(routeFlapOffsetMs(f, 2000)).toBe(0);
    expect(routeFlapOffsetMs(null, 1500)).toBe(0);
    const ds = sendStream(channel({ delay: { baseMs: 50 }, routeFlap: f }), 200);
    for (let i = 0; i < 200; i++) {
      const t = i * 20;
      expect(ds[i].pathDelayMs).toBe(Math.floor(t / 1000) % 2 === 1 ? 66 : 50);
    }
  });

  it('a negative delta never makes the delay negative, and order is preserved across the step back', () => {
    const ds = sendStream(channel({ delay: { baseMs: 10 }, routeFlap: { intervalS: 0.5, deltaMs: -30 } }), 200);
    let prev = -Infinity;
    for (let i = 0; i < ds.length; i++) {
      expect(ds[i].pathDelayMs).toBeGreaterThanOrEqual(0);
      const a = ds[i].deliveries[0].arrivalMs;
      expect(a).toBeGreaterThanOrEqual(i * 20);
      expect(a).toBeGreaterThanOrEqual(prev);
      prev = a;
    }
  });
});
