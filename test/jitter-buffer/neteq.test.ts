import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { NetEqJbSchema } from '../../src/jitter-buffer/config.ts';
import { NetEqJitterBuffer, type NetEqDecisionInfo } from '../../src/jitter-buffer/neteq.ts';
import { isDtxFrame } from '../../src/jitter-buffer/playout-cursor.ts';
import { FRAME_MS, makeFrames, makeHost, simulate, type StreamSpec } from './driver.ts';

function neteq(opts: Record<string, unknown> = {}) {
  const { host, discards } = makeHost();
  return { jb: new NetEqJitterBuffer(NetEqJbSchema.parse({ type: 'neteq', ...opts }), host), discards };
}

const rng = new RngStream(21, 'neteq-test');
// 10 s calm (40 ms), 10 s of U[0, 100] ms jitter, then 100 s calm again.
const JITTER_FROM = 500;
const JITTER_TO = 1000;
const stepSpec: StreamSpec = {
  slots: 6000,
  delay: (i) => 40 + (i >= JITTER_FROM && i < JITTER_TO ? 100 * rng.at(i) : 0),
};

function targetAt(states: Array<{ nowMs: number; targetDelayMs: number }>, t: number): number {
  return states.find((s) => s.nowMs >= t)!.targetDelayMs;
}

describe('NetEq-style buffer', () => {
  const { jb } = neteq();
  const infos: Array<NetEqDecisionInfo & { lastOp: string | null }> = [];
  let lastOp: string | null = null;
  const r = simulate(jb, makeFrames(stepSpec), {
    durationMs: 6000 * FRAME_MS,
    phaseMs: 5,
    onDecision: (d) => {
      if ((d.op === 'accelerate' || d.op === 'preemptiveExpand') && jb.lastDecision) infos.push({ ...jb.lastDecision, lastOp });
      lastOp = d.op;
    },
  });

  it('starts at 80 ms, waits that long for the first frame, then follows the delay statistics', () => {
    expect(r.states[0].targetDelayMs).toBe(80);
    const firstPlay = r.decisions.find((d) => d.op !== 'idle')!;
    expect(firstPlay.nowMs).toBeGreaterThanOrEqual(40 + 80);
    expect(firstPlay.nowMs).toBeLessThan(40 + 80 + FRAME_MS);
    // Calm: every relative delay is 0, bucket 0: (1 + 0) x 20 ms.
    expect(targetAt(r.states, 9000)).toBe(20);
  });

  it('raises the target within a few seconds of a jitter step and lowers it after (forget factor)', () => {
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

  it('accelerates only above the high limit and preemptively expands only below target', () => {
    const acc = infos.filter((i) => i.op === 'accelerate');
    const pre = infos.filter((i) => i.op === 'preemptiveExpand');
    expect(acc.length).toBeGreaterThan(5);
    expect(pre.length).toBeGreaterThan(5);
    for (const i of acc) {
      expect(i.playoutDelayMs).toBeGreaterThanOrEqual(i.highMs);
      expect(i.playoutDelayMs).toBeGreaterThan(i.targetMs);
    }
    for (const i of pre) expect(i.playoutDelayMs).toBeLessThan(i.lowMs);
    // Once the jitter is gone and the target has fallen, the buffer was brought down by accelerating.
    expect(acc.some((i) => i.nowMs > JITTER_TO * FRAME_MS)).toBe(true);
    const end = r.states[r.states.length - 1];
    expect(end.levelMs).toBeLessThan(end.targetDelayMs + 40);
    for (const i of infos) expect(['normal', 'accelerate', 'preemptiveExpand', 'fec']).toContain(i.lastOp);
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
      expect(['normal', 'accelerate', 'preemptiveExpand', 'fec']).toContain(d.lastOp);
    }
    expect(r3.counts.comfortNoise).toBeGreaterThan(300);
    // Every speech frame is played: the late talkspurt only made the silence before it longer.
    const played = new Set(r3.decisions.filter((d) => d.frame).map((d) => d.frame!.seq));
    expect(frames.every((f) => played.has(f.seq))).toBe(true);
  });

  it('waits for a delayed frame after an underrun instead of dropping it, then catches up', () => {
    // A 300 ms delay spike that loses nothing: frames 200..215 are held up and released together.
    const spec: StreamSpec = { slots: 1500, delay: (i) => 40 + (i >= 200 ? Math.max(0, 300 - (i - 200) * 20) : 0) };
    const frames = makeFrames(spec);
    const { jb: b, discards } = neteq();
    const r4 = simulate(b, frames, { durationMs: 30_500 });
    expect(r4.inserts.every((i) => i.result.status === 'buffered')).toBe(true);
    expect(discards).toEqual([]);
    const played = r4.decisions.filter((d) => d.frame).map((d) => d.frame!.seq);
    expect(played).toEqual(frames.map((f) => f.seq));
    expect(r4.counts.expand).toBeGreaterThanOrEqual(10);
    // The added delay is removed by accelerating: the level ends near the target.
    expect(r4.counts.accelerate).toBeGreaterThan(10);
    const end = r4.states[r4.states.length - 1];
    expect(end.levelMs).toBeLessThan(end.targetDelayMs + 40);
  });

  it('skips a lost frame after concealing it, or uses the next frame’s in-band FEC', () => {
    const spec: StreamSpec = { slots: 300, delay: (i) => (i === 100 ? null : 40), hasFec: true };
    const frames = makeFrames(spec);
    const plain = neteq();
    const r5 = simulate(plain.jb, frames, { durationMs: 6500 });
    const at = r5.decisions.findIndex((d) => d.frame?.seq === frames[99].seq);
    expect(r5.decisions[at + 1].op).toBe('expand');
    expect(r5.decisions[at + 2].frame?.seq).toBe(frames[100].seq); // slot 101 (seq + 1 of the lost one)
    const { host } = makeHost({ useInbandFec: true });
    const fecJb = new NetEqJitterBuffer(NetEqJbSchema.parse({ type: 'neteq' }), host);
    const r6 = simulate(fecJb, frames, { durationMs: 6500 });
    // The buffer runs at its 20 ms target, so the FEC carrier may arrive one call after the loss is
    // due: then one expand, the FEC decode of the lost frame, then the carrier itself (possibly stretched).
    const at6 = r6.decisions.findIndex((d) => d.frame?.seq === frames[99].seq);
    const decoded = (op: string) => (op === 'accelerate' || op === 'preemptiveExpand' ? 'normal' : op);
    const after = r6.decisions.slice(at6 + 1, at6 + 4).map((d) => [decoded(d.op), d.frame ? d.frame.seq - frames[100].seq : null]);
    expect([
      [
        ['fec', 0],
        ['normal', 0],
      ],
      [
        ['expand', null],
        ['fec', 0],
        ['normal', 0],
      ],
    ]).toContainEqual(after[0][0] === 'fec' ? after.slice(0, 2) : after);
    expect(r6.decisions.filter((d) => d.op === 'fec')).toHaveLength(1);
  });
});
