import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { RamjeeJbSchema } from '../../src/jitter-buffer/config.ts';
import { RamjeeEstimator, RamjeeJitterBuffer, SPIKE_ENTER_MS, SPIKE_EXIT_VAR_MS } from '../../src/jitter-buffer/ramjee.ts';
import { FRAME_MS, makeFrames, makeHost, simulate, type StreamSpec } from './driver.ts';

const ALPHA = 0.998002;

describe('Ramjee et al. algorithm 1', () => {
  it('follows the closed form of the EWMA after a delay step', () => {
    // n = a for 100 packets, then b: d_m = b + (a - b) a^m and v_m = m (1 - a) |a - b| a^m.
    const e = new RamjeeEstimator(1, ALPHA);
    const a = 40;
    const b = 100;
    for (let i = 0; i < 100; i++) e.update(a);
    expect(e.d).toBe(a);
    expect(e.v).toBe(0);
    for (let m = 1; m <= 600; m++) {
      e.update(b);
      if (m % 100 === 0) {
        expect(e.d).toBeCloseTo(b + (a - b) * ALPHA ** m, 9);
        expect(e.v).toBeCloseTo(m * (1 - ALPHA) * Math.abs(a - b) * ALPHA ** m, 9);
      }
    }
    expect(e.inSpike).toBe(false);
  });

  it('tracks the mean delay of a jittery trace through the buffer', () => {
    const rng = new RngStream(5, 'ramjee-mean');
    const delay = (i: number) => 60 + 50 * rng.at(i);
    const spec: StreamSpec = { slots: 6000, delay };
    const { host } = makeHost();
    const jb = new RamjeeJitterBuffer(RamjeeJbSchema.parse({ type: 'ramjee', algorithm: 1 }), host);
    simulate(jb, makeFrames(spec), { durationMs: 6000 * FRAME_MS + 200 });
    // n_i = arrival - ts in ms = delay + the timestamp origin (a constant that cancels).
    const origin = makeFrames({ slots: 1, delay: () => 0 })[0];
    const offset = -(origin.timestamp * 1000) / 48000;
    let mean = 0;
    for (let i = 0; i < 6000; i++) mean += delay(i) / 6000;
    expect(jb.estimator.d - offset).toBeGreaterThan(mean - 2);
    expect(jb.estimator.d - offset).toBeLessThan(mean + 2);
    // v estimates the mean absolute deviation: 12.5 ms for U[0, 50].
    expect(jb.estimator.v).toBeGreaterThan(10);
    expect(jb.estimator.v).toBeLessThan(15);
  });
});

describe('Ramjee et al. algorithm 4 (spike detection)', () => {
  it('converts the paper constants from 8 kHz units', () => {
    expect(SPIKE_ENTER_MS).toBe(100);
    expect(SPIKE_EXIT_VAR_MS).toBe(7.875);
  });

  it('enters spike mode only when the jump exceeds 2|v| + 100 ms', () => {
    for (const [jump, spike] of [
      [90, false],
      [99.9, false],
      [100.1, true],
      [150, true],
    ] as const) {
      const e = new RamjeeEstimator(4, ALPHA);
      for (let i = 0; i < 50; i++) e.update(40); // constant delay: v = 0
      e.update(40 + jump);
      expect(e.inSpike).toBe(spike);
    }
  });

  it('enters on a +300 ms spike decaying over 1 s, follows it, and leaves it', () => {
    // Base 50 ms with a +-1 ms ripple; at packet 200 the delay jumps by 300 ms and decays linearly to 0 over 1 s.
    const delay = (i: number) => 50 + (i % 2) + (i >= 200 && i < 250 ? 300 * (1 - (i - 200) / 50) : 0);
    const frames = makeFrames({ slots: 400, delay });
    const { host } = makeHost();
    const jb = new RamjeeJitterBuffer(RamjeeJbSchema.parse({ type: 'ramjee' }), host);
    const spikeAt: boolean[] = [];
    const dAt: number[] = [];
    for (const f of frames) {
      jb.insert(f, f.arrivalMs);
      spikeAt.push(jb.inSpike);
      dAt.push(jb.estimator.d);
    }
    expect(spikeAt.slice(0, 200).some(Boolean)).toBe(false);
    expect(spikeAt[200]).toBe(true);
    // In spike mode the estimate follows the delay: d_i - d_{i-1} = n_i - n_{i-1}.
    expect(dAt[200] - dAt[199]).toBeCloseTo(delay(200) - delay(199), 9);
    expect(dAt[201] - dAt[200]).toBeCloseTo(delay(201) - delay(200), 9);
    const exit = spikeAt.indexOf(false, 200);
    expect(exit).toBeGreaterThan(201);
    expect(exit).toBeLessThan(250);
    expect(spikeAt.slice(exit).some(Boolean)).toBe(false);
    // Algorithm 1 never enters spike mode.
    const alg1 = new RamjeeJitterBuffer(RamjeeJbSchema.parse({ type: 'ramjee', algorithm: 1 }), makeHost().host);
    for (const f of frames) {
      alg1.insert(f, f.arrivalMs);
      expect(alg1.inSpike).toBe(false);
    }
  });

  it('applies p = d + 4v at the talkspurt start', () => {
    // Speech 0-199 with alternating 40/60 ms delays, silence 200-249, speech 250-299.
    const spec: StreamSpec = { slots: 300, delay: (i) => (i % 2 ? 60 : 40), kind: (i) => (i >= 200 && i < 250 ? 'none' : 'speech') };
    const frames = makeFrames(spec);
    const { host } = makeHost();
    const jb = new RamjeeJitterBuffer(RamjeeJbSchema.parse({ type: 'ramjee' }), host);
    let offsetAtStart: number | null = null;
    let expected: number | null = null;
    const r = simulate(jb, frames, {
      durationMs: 7000,
      onDecision: (d, now) => {
        if (d.op === 'normal' && d.frame.seq === frames[200].seq) {
          offsetAtStart = jb.playoutOffsetMs;
          void now;
        }
      },
    });
    // The estimate when talkspurt 2's first frame arrived (its later frames do not move the offset).
    const probe = new RamjeeJitterBuffer(RamjeeJbSchema.parse({ type: 'ramjee' }), makeHost().host);
    for (const f of frames.slice(0, 201)) probe.insert(f, f.arrivalMs);
    expected = probe.estimator.d + 4 * probe.estimator.v;
    expect(offsetAtStart).toBeCloseTo(expected, 9);
    const played = r.decisions.find((d) => d.op === 'normal' && d.frame!.seq === frames[200].seq)!;
    const sched = (frames[200].timestamp * 1000) / 48000 + expected;
    expect(played.nowMs).toBeGreaterThanOrEqual(sched);
    expect(played.nowMs).toBeLessThan(sched + FRAME_MS);
  });
});
