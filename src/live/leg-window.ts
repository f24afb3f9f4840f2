/**
 * What a live leg did over the last seconds, for the page's charts and the E-model: network
 * delay of each packet sent, channel losses, late discards, per-frame playout outcome and the
 * jitter buffer's level and target at each tick. Entries older than the horizon are dropped, so
 * memory is bounded by the horizon, not by the call's length.
 */
import type { CodecConfig } from '../codec/config.ts';
import { liveMos, type LiveMos } from './emodel-live.ts';

/** A time-ordered deque of (t, value) trimmed from the front. */
class TimedSeries {
  private t: number[] = [];
  private v: number[] = [];
  private head = 0;

  push(t: number, v: number): void {
    this.t.push(t);
    this.v.push(v);
  }

  trim(beforeMs: number): void {
    while (this.head < this.t.length && this.t[this.head] < beforeMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.t.length) {
      this.t = this.t.slice(this.head);
      this.v = this.v.slice(this.head);
      this.head = 0;
    }
  }

  values(sinceMs = -Infinity): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.t.length; i++) if (this.t[i] >= sinceMs) out.push(this.v[i]);
    return out;
  }

  last(): number | null {
    return this.t.length > this.head ? this.v[this.v.length - 1] : null;
  }
}

export interface LegSnapshot {
  /** Mean one-way network delay of packets sent in the last second (ms), null if none arrived. */
  netDelayMs: number | null;
  jbTargetMs: number | null;
  jbLevelMs: number | null;
  /** Channel loss over the horizon, percent of packets sent. */
  lossPct: number;
  /** Jitter-buffer late discards in the last second. */
  lateLastS: number;
  /** Frames concealed in the last second. */
  concealedLastS: number;
  /** Percent of played frames concealed over the horizon (effective loss after the buffer). */
  effectiveLossPct: number;
  mos: LiveMos | null;
}

const SHORT_MS = 1000;

export class LegWindow {
  private readonly delay = new TimedSeries(); // value: delay ms, NaN when lost
  private readonly late = new TimedSeries();
  private readonly frames = new TimedSeries(); // value: 1 concealed, 0 played
  private readonly target = new TimedSeries();
  private readonly level = new TimedSeries();

  constructor(readonly horizonMs = 5000) {}

  packet(tMs: number, delayMs: number | null): void {
    this.delay.push(tMs, delayMs ?? Number.NaN);
  }

  lateDiscard(tMs: number): void {
    this.late.push(tMs, 1);
  }

  frame(tMs: number, concealed: boolean): void {
    this.frames.push(tMs, concealed ? 1 : 0);
  }

  tick(tMs: number, targetMs: number, levelMs: number): void {
    this.target.push(tMs, targetMs);
    this.level.push(tMs, levelMs);
  }

  snapshot(nowMs: number, codec: CodecConfig, deviceBufferMs: number): LegSnapshot {
    const from = nowMs - this.horizonMs;
    for (const s of [this.delay, this.late, this.frames, this.target, this.level]) s.trim(from);
    const recent = this.delay.values(nowMs - SHORT_MS).filter((d) => !Number.isNaN(d));
    const all = this.delay.values();
    const lost = all.filter((d) => Number.isNaN(d)).length;
    const arrived = all.filter((d) => !Number.isNaN(d));
    const frameSeq = this.frames.values();
    const concealed = frameSeq.filter((f) => f === 1).length;
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const netDelayMs = mean(recent) ?? mean(arrived);
    const jbTargetMs = this.target.last();
    return {
      netDelayMs,
      jbTargetMs,
      jbLevelMs: this.level.last(),
      lossPct: all.length ? (100 * lost) / all.length : 0,
      lateLastS: this.late.values(nowMs - SHORT_MS).length,
      concealedLastS: this.frames.values(nowMs - SHORT_MS).filter((f) => f === 1).length,
      effectiveLossPct: frameSeq.length ? (100 * concealed) / frameSeq.length : 0,
      mos: liveMos({
        lost: frameSeq.map((f) => f === 1),
        codec,
        networkDelayMs: mean(arrived) ?? 0,
        jitterBufferMs: jbTargetMs ?? 0,
        deviceBufferMs,
      }),
    };
  }
}
