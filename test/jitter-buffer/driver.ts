/**
 * A small deterministic receiver for jitter-buffer tests: frames are inserted at their arrival
 * times, and at every playout tick the driver calls next() while its sync buffer holds less than
 * a tick, executing each decision as the real receiver would (accelerate removes `stretchMs`,
 * preemptive expand adds it). Arrivals due at a tick's time are inserted before that tick. A
 * buffer with an output block (NetEq) is driven per block, as the receiver does.
 */
import type { Decision, InsertResult, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState } from '../../src/jitter-buffer/types.ts';

export const CLOCK = 48000;
export const FRAME_MS = 20;
export const FRAME_TS = 960;
export const TS0 = 960 * 1000; // not zero, so no code may assume a zero origin
export const SEQ0 = 5000;

export type SlotKind = 'speech' | 'dtx' | 'none';

export interface StreamSpec {
  slots: number;
  /** One-way delay of slot i (ms), or null if the packet is lost. */
  delay: (i: number) => number | null;
  /** What the sender emits in slot i (default: speech). 'none' consumes no sequence number. */
  kind?: (i: number) => SlotKind;
  hasFec?: boolean;
}

export function makeFrames(spec: StreamSpec): JbFrame[] {
  const out: JbFrame[] = [];
  let seq = SEQ0;
  let prev: SlotKind = 'none';
  for (let i = 0; i < spec.slots; i++) {
    const kind = spec.kind ? spec.kind(i) : 'speech';
    if (kind === 'none') {
      prev = kind;
      continue;
    }
    const d = spec.delay(i);
    const marker = kind === 'speech' && prev !== 'speech';
    prev = kind;
    const s = seq++;
    if (d === null) continue;
    out.push({
      seq: s,
      timestamp: TS0 + i * FRAME_TS,
      durationTs: FRAME_TS,
      marker,
      payload: kind === 'dtx' ? new Uint8Array([0x08]) : new Uint8Array(40).fill(1),
      arrivalMs: i * FRAME_MS + d,
      origin: 'primary',
      hasFec: spec.hasFec ?? false,
    });
  }
  return out;
}

/** The per-frame trace (lost frames included) the oracle needs. */
export function traceOf(spec: StreamSpec): Array<{ timestamp: number; arrivalMs: number | null }> {
  const t: Array<{ timestamp: number; arrivalMs: number | null }> = [];
  for (let i = 0; i < spec.slots; i++) {
    if (spec.kind && spec.kind(i) === 'none') continue;
    const d = spec.delay(i);
    t.push({ timestamp: TS0 + i * FRAME_TS, arrivalMs: d === null ? null : i * FRAME_MS + d });
  }
  return t;
}

export interface Discard {
  frame: JbFrame;
  reason: string;
  nowMs: number;
}

export interface HostOptions {
  rttMs?: number | null;
  trace?: JitterBufferHost['trace'];
  useInbandFec?: boolean;
}

export function makeHost(o: HostOptions = {}): { host: JitterBufferHost; discards: Discard[] } {
  const discards: Discard[] = [];
  const host: JitterBufferHost = {
    frameMs: FRAME_MS,
    clockRate: CLOCK,
    onDiscard: (frame, reason, nowMs) => discards.push({ frame, reason, nowMs }),
    useInbandFec: o.useInbandFec ?? false,
    rttMs: () => o.rttMs ?? null,
    trace: o.trace ?? null,
  };
  return { host, discards };
}

export interface DecisionRecord {
  nowMs: number;
  op: Decision['op'];
  frame: JbFrame | null;
  lastOp: Decision['op'] | null;
  syncBufferMs: number;
}

export interface InsertRecord {
  nowMs: number;
  frame: JbFrame;
  result: InsertResult;
}

export interface SimResult {
  decisions: DecisionRecord[];
  inserts: InsertRecord[];
  states: Array<{ nowMs: number } & JitterBufferState>;
  counts: Record<Decision['op'], number>;
}

export interface SimOptions {
  durationMs: number;
  tickMs?: number;
  phaseMs?: number;
  stretchMs?: number;
  /** Called after each decision (to read buffer internals at that moment). */
  onDecision?: (d: Decision, nowMs: number) => void;
}

/** Run `jb` over `frames` (in any order; sorted here by arrival, stably). */
export function simulate(jb: JitterBuffer, frames: readonly JbFrame[], o: SimOptions): SimResult {
  if (jb.outputBlockMs !== undefined) return simulateBlocks(jb, jb.outputBlockMs, frames, o);
  const tick = o.tickMs ?? FRAME_MS;
  const stretch = o.stretchMs ?? 5;
  const arrivals = frames.map((f, k) => ({ f, k })).sort((a, b) => a.f.arrivalMs - b.f.arrivalMs || a.k - b.k);
  const res: SimResult = {
    decisions: [],
    inserts: [],
    states: [],
    counts: { idle: 0, normal: 0, fec: 0, expand: 0, accelerate: 0, preemptiveExpand: 0, comfortNoise: 0, hold: 0 },
  };
  let ai = 0;
  let sync = 0;
  let lastOp: Decision['op'] | null = null;
  for (let now = o.phaseMs ?? 0; now <= o.durationMs; now += tick) {
    while (ai < arrivals.length && arrivals[ai].f.arrivalMs <= now) {
      const f = arrivals[ai++].f;
      res.inserts.push({ nowMs: f.arrivalMs, frame: f, result: jb.insert(f, f.arrivalMs) });
    }
    for (let guard = 0; sync < tick; guard++) {
      if (guard > 20) throw new Error(`next() loop did not fill the sync buffer at ${now}`);
      const d = jb.next(now, { syncBufferMs: sync, lastOp });
      res.decisions.push({ nowMs: now, op: d.op, frame: 'frame' in d ? d.frame : null, lastOp, syncBufferMs: sync });
      res.counts[d.op]++;
      o.onDecision?.(d, now);
      sync += d.op === 'accelerate' ? FRAME_MS - stretch : d.op === 'preemptiveExpand' ? FRAME_MS + stretch : FRAME_MS;
      lastOp = d.op;
    }
    res.states.push({ nowMs: now, ...jb.state(now) });
    sync -= tick;
  }
  return res;
}

/**
 * The receiver of a buffer with an output block (as src/receiver does it): one tick per block
 * (at `phaseMs`, default half a block, + k blocks), next() at least once per tick and again only
 * while the sync buffer lacks a block; 'hold' plays on from the sync buffer and is not an op the
 * receiver does (lastOp keeps the op before it); expand conceals what the block lacks; a decoded
 * frame adds its length, minus or plus `stretchMs` when stretched.
 */
function simulateBlocks(jb: JitterBuffer, block: number, frames: readonly JbFrame[], o: SimOptions): SimResult {
  const stretch = o.stretchMs ?? 5;
  const arrivals = frames.map((f, k) => ({ f, k })).sort((a, b) => a.f.arrivalMs - b.f.arrivalMs || a.k - b.k);
  const res: SimResult = {
    decisions: [],
    inserts: [],
    states: [],
    counts: { idle: 0, normal: 0, fec: 0, expand: 0, accelerate: 0, preemptiveExpand: 0, comfortNoise: 0, hold: 0 },
  };
  let ai = 0;
  let sync = 0;
  let started = false;
  let lastOp: Decision['op'] | null = null;
  let lastStretchMs = 0;
  for (let now = o.phaseMs ?? block / 2; now <= o.durationMs; now += block) {
    while (ai < arrivals.length && arrivals[ai].f.arrivalMs <= now) {
      const f = arrivals[ai++].f;
      res.inserts.push({ nowMs: f.arrivalMs, frame: f, result: jb.insert(f, f.arrivalMs) });
    }
    for (let calls = 0; calls === 0 || sync < block; calls++) {
      if (calls > 20) throw new Error(`next() loop did not fill the sync buffer at ${now}`);
      const d = jb.next(now, { syncBufferMs: sync, lastOp, lastStretchMs });
      res.decisions.push({ nowMs: now, op: d.op, frame: 'frame' in d ? d.frame : null, lastOp, syncBufferMs: sync });
      res.counts[d.op]++;
      o.onDecision?.(d, now);
      if (d.op === 'idle' || d.op === 'hold') break;
      started = true;
      lastStretchMs = d.op === 'accelerate' ? stretch : d.op === 'preemptiveExpand' ? -stretch : 0;
      sync += d.op === 'expand' ? Math.max(block - sync, 2.5) : FRAME_MS - lastStretchMs;
      lastOp = d.op;
    }
    res.states.push({ nowMs: now, ...jb.state(now) });
    if (started) sync = Math.max(0, sync - block);
  }
  return res;
}

/** Timestamps whose audio was produced from a frame, in playout order (FEC recovers the one before its carrier). */
export function playedTimestamps(r: SimResult): number[] {
  const out: number[] = [];
  for (const d of r.decisions) {
    if (!d.frame) continue;
    out.push(d.op === 'fec' ? d.frame.timestamp - d.frame.durationTs : d.frame.timestamp);
  }
  return out;
}

/** Contract checks every buffer must satisfy on any trace. */
export function contractViolations(r: SimResult, discards: readonly Discard[]): string[] {
  const bad: string[] = [];
  const played = playedTimestamps(r);
  const seen = new Set<number>();
  for (let i = 0; i < played.length; i++) {
    if (seen.has(played[i])) bad.push(`ts ${played[i]} played twice`);
    seen.add(played[i]);
    if (i > 0 && played[i] <= played[i - 1]) bad.push(`ts ${played[i]} played after ${played[i - 1]}`);
  }
  const buffered = new Set<JbFrame>();
  for (const ins of r.inserts) if (ins.result.status === 'buffered') buffered.add(ins.frame);
  const discarded = new Set(discards.map((d) => d.frame));
  for (const d of r.decisions) {
    if (!d.frame || d.op === 'fec') continue;
    if (!buffered.has(d.frame)) bad.push(`seq ${d.frame.seq} played but not buffered`);
    if (discarded.has(d.frame)) bad.push(`seq ${d.frame.seq} played after being discarded`);
  }
  // A frame accepted at time t must be newer than everything played before t.
  let di = 0;
  let maxPlayed = -Infinity;
  for (const ins of r.inserts) {
    while (di < r.decisions.length && r.decisions[di].nowMs < ins.nowMs) {
      const d = r.decisions[di++];
      if (d.frame) maxPlayed = Math.max(maxPlayed, d.op === 'fec' ? d.frame.timestamp - d.frame.durationTs : d.frame.timestamp);
    }
    if (ins.result.status === 'buffered' && ins.frame.timestamp <= maxPlayed) bad.push(`seq ${ins.frame.seq} accepted after newer audio played`);
  }
  return bad;
}

export function statusOf(r: SimResult, seq: number): InsertResult['status'][] {
  return r.inserts.filter((i) => i.frame.seq === seq).map((i) => i.result.status);
}
