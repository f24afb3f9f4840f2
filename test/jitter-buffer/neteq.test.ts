import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { NetEqJbSchema } from '../../src/jitter-buffer/config.ts';
import { MIN_TIMESCALE_INTERVAL_TICKS } from '../../src/jitter-buffer/decision-logic.ts';
import { MUTED_EXPAND_MS, NETEQ_TICK_MS, NetEqJitterBuffer, type NetEqDecisionInfo } from '../../src/jitter-buffer/neteq.ts';
import { isDtxFrame } from '../../src/jitter-buffer/playout-cursor.ts';
import type { Decision } from '../../src/jitter-buffer/types.ts';
import { FRAME_MS, FRAME_TS, makeFrames, makeHost, simulate, TS0, type DecisionRecord, type StreamSpec } from './driver.ts';

function neteq(opts: Record<string, unknown> = {}, useInbandFec = false) {
  const { host, discards } = makeHost({ useInbandFec });
  return { jb: new NetEqJitterBuffer(NetEqJbSchema.parse({ type: 'neteq', ...opts }), host), discards };
}

const calm = (slots: number, delayMs = 40): StreamSpec => ({ slots, delay: () => delayMs });

function targetAt(states: Array<{ nowMs: number; targetDelayMs: number }>, t: number): number {
  return states.find((s) => s.nowMs >= t)!.targetDelayMs;
}

/** The decision records of one frame slot (by its index), and those after it. */
function from(r: { decisions: DecisionRecord[] }, seq: number): DecisionRecord[] {
  const i = r.decisions.findIndex((d) => d.frame?.seq === seq);
  return r.decisions.slice(i + 1);
}

/** Ops that did something (not 'hold'), from a list of decisions. */
const acting = (ds: DecisionRecord[]) => ds.filter((d) => d.op !== 'hold');

describe('NetEq-style buffer: one decision per 10 ms tick', () => {
  it('decodes the first frame at the first tick after it arrives, starts at 80 ms and follows the statistics from there', () => {
    const { jb } = neteq();
    const r = simulate(jb, makeFrames(calm(300)), { durationMs: 6000 });
    // Frame 0 arrives at 40 ms; ticks at 5, 15, 25, 35, 45 ms: decoded at the fifth.
    const first = r.decisions.find((d) => d.op !== 'idle')!;
    expect(first.nowMs).toBe(45);
    expect(first.op).toBe('normal');
    expect(r.decisions.filter((d) => d.nowMs < 45).every((d) => d.op === 'idle')).toBe(true);
    // The start target holds until the first histogram sample (more than 500 ms after the
    // statistics restarted at the first decode), then every relative delay is 0: (1 + 0) x 20.
    expect(targetAt(r.states, 500)).toBe(80);
    expect(targetAt(r.states, 1000)).toBe(20);
    // It reached the 80 ms start target by preemptive expansion, not by waiting.
    expect(r.decisions.some((d) => d.op === 'preemptiveExpand' && d.nowMs < 600)).toBe(true);
  });

  it('plays on from the sync buffer every other tick (20 ms frames, 10 ms ticks)', () => {
    const { jb } = neteq({ timeStretch: false });
    const r = simulate(jb, makeFrames(calm(300)), { durationMs: 6000 });
    const steady = r.decisions.filter((d) => d.nowMs > 1000 && d.nowMs < 5000);
    expect(steady.filter((d) => d.op === 'normal')).toHaveLength(steady.length / 2);
    expect(steady.filter((d) => d.op === 'hold')).toHaveLength(steady.length / 2);
    for (const d of steady) expect(d.op === 'hold').toBe(d.syncBufferMs >= NETEQ_TICK_MS);
  });

  it('stamps each arrival with its tick count, so relative delays move in 10 ms steps', () => {
    // Ticks at 5 + 10 k: an arrival at t is seen at the tick count of t, x 10 ms.
    const { jb } = neteq();
    for (let k = 1; k <= 12; k++) jb.next(10 * k - 5, { syncBufferMs: 0, lastOp: null });
    const [f] = makeFrames({ slots: 1, delay: () => 0 });
    jb.insert({ ...f, arrivalMs: 118.7 }, 118.7);
    expect(jb.tickCount).toBe(12);
    // The history holds one packet: its transit is the stamp (120 ms) minus its media time.
    expect(jb.delayManager.history.minTransitMs()).toBe(120 - (TS0 * 1000) / 48000);
  });

  it('moves the target one 20 ms bucket up when the arrival spread crosses a tick, not only at 20 ms', () => {
    // Transit alternates 40 and 40 + d ms. Ticks at 5 + 10 k round arrivals to the nearest 10 ms:
    // d = 9 is seen as 10 ms (bucket 0, target 20), d = 16 as 20 ms (bucket 1, target 40).
    for (const [d, want] of [
      [0, 20],
      [9, 20],
      [16, 40],
      [29, 40],
      [36, 60],
    ]) {
      const { jb } = neteq();
      const r = simulate(jb, makeFrames({ slots: 500, delay: (i) => 40 + (i % 2) * d }), { durationMs: 10_000 });
      expect(targetAt(r.states, 9000), `spread ${d} ms`).toBe(want);
    }
  });

  it('counts the in-band FEC copy of a lost frame as a packet arriving 20 ms late (FEC delay adaptation)', () => {
    // One loss every 400 ms, so every 500 ms interval has one: its FEC copy (in the next packet)
    // arrives one frame late, relative delay 20 ms: bucket 1 in every interval, target 40 ms.
    const spec: StreamSpec = { slots: 500, delay: (i) => (i % 20 === 10 ? null : 40), hasFec: true };
    const withFec = neteq({}, true);
    const r1 = simulate(withFec.jb, makeFrames(spec), { durationMs: 10_000 });
    expect(targetAt(r1.states, 9000)).toBe(40);
    expect(r1.counts.fec).toBeGreaterThan(20);
    // Without FEC in use the losses are just gaps: target 20 ms.
    const plain = neteq({}, false);
    const r2 = simulate(plain.jb, makeFrames(spec), { durationMs: 10_000 });
    expect(targetAt(r2.states, 9000)).toBe(20);
    expect(r2.counts.fec).toBe(0);
    // A received frame's own FEC copy is refused by the arrival history: no effect at all.
    const none = neteq({}, true);
    const r3 = simulate(none.jb, makeFrames({ slots: 500, delay: () => 40, hasFec: true }), { durationMs: 10_000 });
    expect(targetAt(r3.states, 9000)).toBe(20);
  });

  it('conceals a lone loss for 20 ms (two ticks) and then jumps to the next frame (merge)', () => {
    const spec: StreamSpec = { slots: 300, delay: (i) => (i === 100 ? null : 40) };
    const frames = makeFrames(spec);
    const { jb } = neteq({ timeStretch: false });
    const r = simulate(jb, frames, { durationMs: 6500 });
    const after = acting(from(r, frames[99].seq));
    expect(after.slice(0, 3).map((d) => [d.op, d.frame?.seq ?? null])).toEqual([
      ['expand', null],
      ['expand', null],
      ['normal', frames[100].seq], // slot 101
    ]);
  });

  it('decodes the LBRR copy of a lost frame when it is due, also after a gap (two losses in a row)', () => {
    const spec: StreamSpec = { slots: 300, delay: (i) => (i === 100 || i === 150 || i === 151 ? null : 40), hasFec: true };
    const frames = makeFrames(spec);
    const { jb } = neteq({ timeStretch: false }, true);
    const r = simulate(jb, frames, { durationMs: 6500 });
    // Loss 100, the first of the call: the buffer runs at its 20 ms target, so the carrier (101)
    // comes after 100 is due: 100 is expanded until the copy arrives and then played from it
    // (the expected packet all along: expansion does not move the playout timestamp).
    const a = acting(from(r, frames[99].seq));
    const k = a.findIndex((d) => d.op !== 'expand');
    expect(k).toBeGreaterThan(0);
    expect([a[k].op, a[k].frame!.timestamp]).toEqual(['fec', TS0 + 101 * FRAME_TS]);
    expect(r.decisions.filter((d) => d.op === 'fec')).toHaveLength(2);
    // Losses 150 and 151: 150 has no copy (151 was lost too): 20 ms of expansion, then 151 from 152's copy.
    const b = acting(from(r, frames[148].seq)); // frames[148] is slot 149
    expect(b.slice(0, 4).map((d) => [d.op, d.frame?.timestamp ?? null])).toEqual([
      ['expand', null],
      ['expand', null],
      ['fec', TS0 + 152 * FRAME_TS],
      ['normal', TS0 + 152 * FRAME_TS],
    ]);
  });

  it('keeps a frame delayed past an underrun and plays it late; a long expansion postpones decoding to half the target', () => {
    // Path delay steps from 40 to 340 ms at frame 200 (nothing lost); target floor 100 ms.
    const spec: StreamSpec = { slots: 400, delay: (i) => (i < 200 ? 40 : 340) };
    const frames = makeFrames(spec);
    const { jb, discards } = neteq({ minDelayMs: 100 });
    const r = simulate(jb, frames, { durationMs: 9000 });
    expect(discards).toEqual([]);
    expect(r.inserts.every((i) => i.result.status === 'buffered')).toBe(true);
    // Frame 200 arrives at 4340, 201 at 4360, 202 at 4380. After 300 ms of expansion (muted)
    // decoding waits until span + waiting time >= 50 ms: (202 - 200) x 20 + 10 at the tick of 4385.
    const firstAfter = r.decisions.find((d) => d.frame?.seq === frames[200].seq)!;
    expect(firstAfter.nowMs).toBe(4385);
    expect(firstAfter.lastOp).toBe('expand');
    // A short underrun (less than MUTED_EXPAND_MS) is not postponed: decoded at the first tick.
    const short = neteq({ minDelayMs: 100 });
    const spec2: StreamSpec = { slots: 400, delay: (i) => (i < 200 ? 40 : 150) };
    const r2 = simulate(short.jb, makeFrames(spec2), { durationMs: 9000 });
    const at = r2.decisions.find((d) => d.frame?.seq === frames[200].seq)!;
    const expands = r2.decisions.filter((d) => d.op === 'expand' && d.nowMs < at.nowMs && d.nowMs > 4000);
    expect(expands.length).toBeGreaterThan(0);
    expect(expands.length * NETEQ_TICK_MS).toBeLessThan(MUTED_EXPAND_MS);
    expect(at.nowMs).toBe(200 * FRAME_MS + 150 + 5); // frame 200 arrives at 4150, next tick 4155
  });

  it('measures waiting time in whole ticks, from the tick count at insertion to the one at decoding', () => {
    const { jb } = neteq();
    const seen: number[] = [];
    simulate(jb, makeFrames({ slots: 300, delay: (i) => 40 + ((i * 7) % 13) }), {
      durationMs: 6500,
      onDecision: (d: Decision) => {
        if ('waitingMs' in d && d.waitingMs !== undefined) seen.push(d.waitingMs);
      },
    });
    expect(seen.length).toBeGreaterThan(250);
    for (const w of seen) expect(w % NETEQ_TICK_MS).toBe(0);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(NETEQ_TICK_MS);
  });
});

describe('NetEq-style buffer: time-stretching', () => {
  // 10 s calm (40 ms), 10 s of delay swinging over 0..100 ms (a 740 ms cosine, too slow to
  // reorder packets), then 100 s calm again.
  const JITTER_FROM = 500;
  const JITTER_TO = 1000;
  const stepSpec: StreamSpec = {
    slots: 6000,
    delay: (i) => 40 + (i >= JITTER_FROM && i < JITTER_TO ? 50 * (1 - Math.cos((2 * Math.PI * (i - JITTER_FROM)) / 37)) : 0),
  };
  const { jb } = neteq();
  const infos: Array<NetEqDecisionInfo & { lastOp: string | null }> = [];
  const r0: { lastOp: string | null } = { lastOp: null };
  const r = simulate(jb, makeFrames(stepSpec), {
    durationMs: 6000 * FRAME_MS,
    onDecision: (d) => {
      if ((d.op === 'accelerate' || d.op === 'preemptiveExpand') && jb.lastDecision) infos.push({ ...jb.lastDecision, lastOp: r0.lastOp });
      if (d.op !== 'hold') r0.lastOp = d.op;
    },
  });

  it('raises the target within a few seconds of a jitter step, and lowers it after', () => {
    const rise = r.states.find((s) => s.nowMs >= JITTER_FROM * FRAME_MS && s.targetDelayMs >= 100);
    expect(rise).toBeDefined();
    expect(rise!.nowMs - JITTER_FROM * FRAME_MS).toBeLessThan(4000);
    const peak = Math.max(...r.states.filter((s) => s.nowMs < JITTER_TO * FRAME_MS + 500).map((s) => s.targetDelayMs));
    expect(peak).toBeGreaterThanOrEqual(100);
    expect(peak).toBeLessThanOrEqual(140);
    // 0.983^n of the jitter-period mass must fall below 5 %: about 175 samples of 500 ms.
    expect(targetAt(r.states, JITTER_TO * FRAME_MS + 30_000)).toBeGreaterThan(20);
    expect(targetAt(r.states, JITTER_TO * FRAME_MS + 95_000)).toBeLessThanOrEqual(40);
    expect(r.states[r.states.length - 1].targetDelayMs).toBe(20);
  });

  it('keeps one 20 ms bucket above the underrun target long after reordering (reorder optimizer, forget 0.9993 per packet)', () => {
    // U[0, 100] ms jitter for 10 s reorders many packets; 20 s later the reorder histogram still
    // holds enough of them that bucket i = base / 20 (free: cost max(0, 20 i - base) = 0) wins.
    const rng = new RngStream(21, 'neteq-test');
    const spec: StreamSpec = { slots: 2000, delay: (i) => 40 + (i >= JITTER_FROM && i < JITTER_TO ? 100 * rng.at(i) : 0) };
    const { jb: b } = neteq();
    const r5 = simulate(b, makeFrames(spec), { durationMs: 40_000 });
    expect(r5.inserts.some((x) => x.result.status === 'late')).toBe(true);
    const { underrun, reorder } = b.delayManager.optimizerDelaysMs;
    expect(reorder).toBeGreaterThan(underrun!);
    expect(b.delayManager.targetMs).toBe(reorder);
  });

  it('accelerates only at or above the high limit, preemptively expands only below target, never right after expansion', () => {
    const acc = infos.filter((i) => i.op === 'accelerate');
    const pre = infos.filter((i) => i.op === 'preemptiveExpand');
    expect(acc.length).toBeGreaterThan(5);
    expect(pre.length).toBeGreaterThan(5);
    for (const i of acc) expect(i.playoutDelayMs).toBeGreaterThanOrEqual(i.highMs);
    for (const i of pre) expect(i.playoutDelayMs).toBeLessThan(i.lowMs);
    for (const i of infos) expect(i.lastOp).not.toBe('expand');
    // After a stretch, none for MIN_TIMESCALE_INTERVAL_TICKS ticks after the next one (unless
    // the delay is 4 x high or more: that accelerates at once).
    for (let k = 1; k < infos.length; k++) {
      if (infos[k].playoutDelayMs >= 4 * infos[k].highMs) continue;
      expect(infos[k].tick - infos[k - 1].tick).toBeGreaterThanOrEqual(MIN_TIMESCALE_INTERVAL_TICKS + 1);
    }
    // Once the jitter is gone and the target has fallen, the buffer was brought down by accelerating.
    expect(acc.some((i) => i.nowMs > JITTER_TO * FRAME_MS)).toBe(true);
  });

  it('never time-stretches with timeStretch off', () => {
    const off = neteq({ timeStretch: false });
    const r2 = simulate(off.jb, makeFrames(stepSpec), { durationMs: 40_000 });
    expect(r2.counts.accelerate + r2.counts.preemptiveExpand).toBe(0);
    expect(r2.counts.normal).toBeGreaterThan(1800);
  });

  it('never stretches a DTX frame or a talkspurt start, and adapts the delay at talkspurt starts instead', () => {
    // Talkspurts of 1 s separated by 1 s silences with DTX frames every 400 ms; delay 40 ms,
    // except talkspurt 5 which comes 120 ms late: after it the target window is reached at the
    // next talkspurt start (comfort noise stretched or shortened), not inside speech.
    const spec: StreamSpec = {
      slots: 1000,
      delay: (i) => 40 + (Math.floor(i / 100) === 5 ? 120 : 0) + (i % 7) * 3,
      kind: (i) => (i % 100 < 50 ? 'speech' : i % 20 === 10 ? 'dtx' : 'none'),
    };
    const frames = makeFrames(spec);
    const { jb: b } = neteq();
    const r3 = simulate(b, frames, { durationMs: 21_000 });
    const stretched = r3.decisions.filter((d) => d.op === 'accelerate' || d.op === 'preemptiveExpand');
    for (const d of stretched) {
      expect(isDtxFrame(d.frame!)).toBe(false);
      expect(d.frame!.marker).toBe(false);
      expect(d.lastOp).not.toBe('expand');
    }
    expect(r3.counts.comfortNoise).toBeGreaterThan(300);
    // Every speech frame is played: the late talkspurt only made the silence before it longer.
    const played = new Set(r3.decisions.filter((d) => d.frame).map((d) => d.frame!.seq));
    expect(frames.every((f) => played.has(f.seq))).toBe(true);
  });

  it('waits for frames held up by a delay spike instead of dropping them, then catches up', () => {
    // A 300 ms delay spike that loses nothing: frames 200..215 are held up and released together.
    const spec: StreamSpec = { slots: 1500, delay: (i) => 40 + (i >= 200 ? Math.max(0, 300 - (i - 200) * 20) : 0) };
    const frames = makeFrames(spec);
    const { jb: b, discards } = neteq();
    const r4 = simulate(b, frames, { durationMs: 31_000 });
    expect(r4.inserts.every((i) => i.result.status === 'buffered')).toBe(true);
    expect(discards).toEqual([]);
    const played = r4.decisions.filter((d) => d.frame).map((d) => d.frame!.seq);
    expect(played).toEqual(frames.map((f) => f.seq));
    expect(r4.counts.expand).toBeGreaterThanOrEqual(20);
    // The added delay is removed by accelerating once the spike has left the 2 s history.
    expect(r4.counts.accelerate).toBeGreaterThan(10);
    const end = r4.states[r4.states.length - 1];
    expect(end.levelMs).toBeLessThan(end.targetDelayMs + 60);
  });
});
