import { describe, expect, it } from 'vitest';
import { PjsipJbSchema } from '../../src/jitter-buffer/config.ts';
import { PjsipJitterBuffer } from '../../src/jitter-buffer/pjsip.ts';
import { FRAME_MS, makeFrames, makeHost, simulate, type StreamSpec } from './driver.ts';

function pjsip(opts: Record<string, unknown> = {}) {
  const { host, discards } = makeHost();
  return { jb: new PjsipJitterBuffer(PjsipJbSchema.parse({ type: 'pjsip', ...opts }), host), discards };
}

/** Regular 30 ms delay with a 400 ms stall at slot 100: slots 100..119 arrive together at 2430 ms. */
const spike: StreamSpec = { slots: 1500, delay: (i) => 30 + (i >= 100 && i < 120 ? 400 - (i - 100) * 20 : 0) };

describe('PJSIP-style buffer', () => {
  it('derives capacity, max burst and max prefetch from maxDelayMs', () => {
    const { jb } = pjsip();
    expect(jb.capacity).toBe(25);
    expect(jb.prefetch).toBe(0);
  });

  it('sets the prefetch to the PUT burst level and lowers it slowly after the bursts stop', () => {
    // Slots 0..999 arrive in bursts of 4 every 80 ms; from slot 1000 on, one every 20 ms.
    const spec: StreamSpec = { slots: 2000, delay: (i) => (i < 1000 ? 80 * Math.floor(i / 4) + 110 - 20 * i : 50) };
    const { jb } = pjsip();
    const levels: Array<{ t: number; burst: number; prefetch: number }> = [];
    const r = simulate(jb, makeFrames(spec), {
      durationMs: 2000 * FRAME_MS,
      onDecision: (_d, t) => levels.push({ t, burst: jb.burstLevel, prefetch: jb.prefetch }),
    });
    const at = (t: number) => levels.find((l) => l.t >= t)!;
    expect(at(10_000)).toMatchObject({ burst: 4, prefetch: 4 });
    expect(r.states.find((s) => s.nowMs >= 10_000)!.targetDelayMs).toBe(80);
    // Regular arrivals: more than 20 lower evaluations per step, steps of max(1, (eff - maxHist)/3).
    expect(at(20_000 + 300).prefetch).toBe(4);
    const drops = levels.filter((l, k) => k > 0 && l.prefetch < levels[k - 1].prefetch).map((l) => l.t);
    expect(drops).toHaveLength(3);
    for (let k = 1; k < drops.length; k++) expect(drops[k] - drops[k - 1]).toBeGreaterThan(20 * FRAME_MS);
    expect(at(30_000)).toMatchObject({ burst: 1, prefetch: 1 });
  });

  it('re-prefetches after running empty: conceals until the prefetch is buffered again', () => {
    const spec: StreamSpec = { slots: 1000, delay: (i) => (i < 500 ? 80 * Math.floor(i / 4) + 110 - 20 * i : i < 520 ? 30 + 400 - (i - 500) * 20 : 30) };
    const { jb } = pjsip();
    const r = simulate(jb, makeFrames(spec), { durationMs: 20_000 });
    // The 400 ms stall empties the buffer; playback resumes only when 4 frames are held.
    const resume = r.decisions.findIndex((d) => d.nowMs > 10_200 && d.op === 'normal');
    expect(r.decisions[resume].nowMs).toBe(10_440);
    const before = r.decisions.slice(0, resume).reverse();
    expect(before.slice(0, 5).every((d) => d.op === 'expand')).toBe(true);
    expect(r.inserts.filter((i) => i.result.status !== 'buffered')).toEqual([]);
  });

  it('progressive discard shrinks an overfull buffer, one frame every T/ptime/overflow frames', () => {
    const { jb, discards } = pjsip();
    const r = simulate(jb, makeFrames(spike), { durationMs: 1500 * FRAME_MS + 200 });
    const levelAt = (t: number) => r.states.find((s) => s.nowMs >= t)!.levelMs;
    expect(levelAt(2500)).toBeGreaterThanOrEqual(300);
    expect(discards[0].nowMs).toBeGreaterThan(2430);
    expect(discards.length).toBeGreaterThanOrEqual(12);
    expect(discards.every((d) => d.reason === 'progressive')).toBe(true);
    const seqs = discards.map((d) => d.frame.seq);
    const gaps = seqs.slice(1).map((s, k) => s - seqs[k]);
    // At most one discard per 200 ms (10 frames); fewer as the overflow shrinks (T / ptime / overflow).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(10);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0]);
    expect(levelAt(25_000)).toBeLessThanOrEqual(60);
    // Discarded frames are never played; everything else is.
    const played = r.decisions.filter((d) => d.op === 'normal').length;
    expect(played + discards.length).toBe(1500);
    expect(r.decisions.filter((d) => d.op === 'expand' && d.nowMs > 2500 && d.nowMs < 1500 * FRAME_MS)).toEqual([]);
  });

  it('static discard drops one head frame per 200 ms while size - 2 x burst >= 1', () => {
    const { jb, discards } = pjsip({ discard: 'static' });
    const r = simulate(jb, makeFrames(spike), { durationMs: 1500 * FRAME_MS });
    expect(discards.length).toBeGreaterThanOrEqual(12);
    expect(discards.every((d) => d.reason === 'static')).toBe(true);
    const times = discards.map((d) => d.nowMs);
    for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(200);
    expect(r.states[r.states.length - 1].levelMs).toBeLessThanOrEqual(60);
  });

  it('keeps an overfull buffer with discard none', () => {
    const { jb, discards } = pjsip({ discard: 'none' });
    const r = simulate(jb, makeFrames(spike), { durationMs: 1480 * FRAME_MS });
    expect(discards).toEqual([]);
    expect(r.states[r.states.length - 1].levelMs).toBeGreaterThanOrEqual(300);
  });

  it('drops the head when a frame would exceed the capacity', () => {
    // A 700 ms stall releases 36 frames at once into 25 slots: the 11 oldest are dropped.
    const spec: StreamSpec = { slots: 300, delay: (i) => 30 + (i >= 100 && i < 136 ? 700 - (i - 100) * 20 : 0) };
    const { jb, discards } = pjsip({ discard: 'none' });
    const r = simulate(jb, makeFrames(spec), { durationMs: 4000 });
    expect(discards.map((d) => d.frame.seq - 5000)).toEqual(Array.from({ length: 11 }, (_, k) => 100 + k));
    expect(discards.every((d) => d.reason === 'overflow')).toBe(true);
    const played = r.decisions.filter((d) => d.op === 'normal').map((d) => d.frame!.seq - 5000);
    expect(played.filter((s) => s >= 100 && s < 136)).toEqual(Array.from({ length: 25 }, (_, k) => 111 + k));
  });
});
