import type { z } from 'zod';
import { BufferLevelFilter } from './buffer-level-filter.ts';
import { bufferLevelMs, tsToMs } from './buffer-level.ts';
import type { NetEqJbSchema } from './config.ts';
import { DecisionLogic, GAP_SKIP_MARGIN_MS, POSTPONE_DECODING_LEVEL, stretchLimits, type StretchLimits } from './decision-logic.ts';
import { DelayManager } from './delay-manager.ts';
import { FrameStore } from './frame-store.ts';
import { isDtxFrame, PlayoutCursor } from './playout-cursor.ts';
import { startsTalkspurt } from './talkspurt.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState, PlayoutContext } from './types.ts';

export type NetEqJbOptions = z.output<typeof NetEqJbSchema>;

/** NetEq's output block and decision period: GetAudio is called every 10 ms (kOutputSizeMs). */
export const NETEQ_TICK_MS = 10;
/**
 * Expansion this long counts as muted for PostponeDecode. Upstream asks whether Expand's mute
 * factor fell below 0.5, which depends on the signal: within ~15 ms for unvoiced sound or
 * noise, after ~80 ms for steady voiced speech (expand.cc mute slopes); we take a middle value.
 */
export const MUTED_EXPAND_MS = 40;

/** What the last expected-frame decision saw (for reports and tests). */
export interface NetEqDecisionInfo extends StretchLimits {
  nowMs: number;
  tick: number;
  op: Decision['op'];
  playoutDelayMs: number;
  targetMs: number;
}

type Played = Extract<Decision, { frame: JbFrame }>;

/**
 * NetEq-style adaptive buffer (research notes section 1; upstream neteq_impl.cc GetDecision and
 * decision_logic.cc), deciding once per 10 ms tick as NetEq's GetAudio does:
 * - time is counted in ticks: an arrival is stamped with the tick count when it is inserted, so
 *   relative delays, the 500 ms resample interval and waiting times move in 10 ms steps;
 * - the first packet is decoded at once and the delay statistics restart then (SoftReset); the
 *   start target (80 ms) is reached by preemptive expansion;
 * - with 10 ms or more still in the sync buffer the tick just plays on ('hold') unless the
 *   decision is a time-stretch or a merge;
 * - the expected frame is time-stretched whenever the last op was not an expansion, by the
 *   playout delay of the sample now due (from the arrival history), not the buffer level;
 * - a missing frame with a later one held is concealed while the gap is longer than the noise
 *   generated so far (unless the buffer is 50 ms over target), then playout jumps to it (merge);
 * - after long expansion or comfort noise, decoding waits until half the target is buffered;
 * - Opus in-band FEC: the previous frame's LBRR copy, registered as a packet of its own when the
 *   carrier arrives (so a lost frame's copy adds a delay sample 20 ms late), is played when due.
 * Playout is not timed: a frame delayed past an underrun is still played (the delay grows).
 */
export class NetEqJitterBuffer implements JitterBuffer {
  readonly kind = 'neteq';
  readonly outputBlockMs = NETEQ_TICK_MS;
  readonly delayManager: DelayManager;
  readonly levelFilter = new BufferLevelFilter();
  private readonly logic: DecisionLogic;
  private readonly store = new FrameStore();
  private readonly cursor: PlayoutCursor;
  /** GetAudio calls so far (NetEq's TickTimer). */
  private ticks = 0;
  private lastCallMs: number | null = null;
  /** Tick at which each held frame (by timestamp) was inserted: its waiting-time stopwatch. */
  private readonly insertedAt = new Map<number, number>();
  /** Tick at which the ongoing expansion or comfort noise began (generated-noise stopwatch). */
  private noiseFromTick: number | null = null;
  /** Media time (RTP units) concealed or filled with comfort noise since the last decoded frame. */
  private noiseTs = 0;
  /** Tick of the last time-stretch decision whose result is not yet known (read at the next call). */
  private stretchTick: number | null = null;
  private syncMs = 0;
  private info: NetEqDecisionInfo | null = null;

  constructor(
    private readonly opts: NetEqJbOptions,
    private readonly host: JitterBufferHost,
  ) {
    this.delayManager = new DelayManager(opts, host.clockRate, host.frameMs);
    this.logic = new DecisionLogic(opts.enableFastAccelerate);
    this.cursor = new PlayoutCursor(this.store, host);
  }

  /** The last expected-frame decision's inputs, or null. */
  get lastDecision(): NetEqDecisionInfo | null {
    return this.info;
  }

  get filteredLevelMs(): number {
    return this.levelFilter.filteredLevelMs;
  }

  /** GetAudio calls so far. */
  get tickCount(): number {
    return this.ticks;
  }

  /** Time as NetEq sees it: the tick count in ms. */
  private get tickMs(): number {
    return this.ticks * NETEQ_TICK_MS;
  }

  insert(frame: JbFrame, nowMs: number): InsertResult {
    void nowMs;
    const c = this.cursor.classify(frame);
    if (c === 'duplicate') return { status: c };
    // NetEq splits the LBRR copy of the previous frame out of the payload and registers it first,
    // arriving now; the arrival history refuses it when that frame itself has arrived.
    if (this.host.useInbandFec && frame.hasFec) this.delayManager.update(frame.timestamp - frame.durationTs, this.tickMs, frame.durationTs);
    // A late frame's delay is exactly what the estimate must learn from.
    this.delayManager.update(frame.timestamp, this.tickMs, frame.durationTs);
    if (c === 'late') return { status: c };
    if (this.store.size >= this.opts.maxPacketsInBuffer) {
      // NetEq PacketBuffer flushes everything when full.
      for (const f of this.store.removeBefore(Infinity)) this.discard(f, 'flush', nowMs);
    }
    this.store.insert(frame);
    this.insertedAt.set(frame.timestamp, this.ticks);
    return { status: 'buffered' };
  }

  private discard(f: JbFrame, reason: string, nowMs: number): void {
    this.insertedAt.delete(f.timestamp);
    this.host.onDiscard(f, reason, nowMs);
  }

  next(nowMs: number, ctx: PlayoutContext): Decision {
    if (nowMs !== this.lastCallMs) {
      this.ticks++;
      this.lastCallMs = nowMs;
    }
    const stretchedMs = this.stretchTick !== null ? (ctx.lastStretchMs ?? 0) : 0;
    // Upstream learns at the next GetAudio that the stretch succeeded and restarts the countdown
    // then; a second call in the same tick (the block was not full yet) is not a later tick.
    if (this.stretchTick !== null && stretchedMs !== 0) this.logic.stretched(this.stretchTick + 1);
    this.stretchTick = null;
    const d = this.decide(nowMs, ctx, stretchedMs);
    if (d.op === 'expand' || d.op === 'comfortNoise') this.noiseFromTick ??= this.ticks;
    else if (d.op !== 'hold' && d.op !== 'idle') this.noiseFromTick = null;
    if (d.op === 'accelerate' || d.op === 'preemptiveExpand') this.stretchTick = this.ticks;
    return d;
  }

  /** Media generated by the ongoing expansion or comfort noise, as NetEq counts it: ticks x 10 ms. */
  private generatedNoiseMs(): number {
    return this.noiseFromTick === null ? 0 : (this.ticks - this.noiseFromTick) * NETEQ_TICK_MS;
  }

  /**
   * The held span plus the time the newest frame has waited (PacketBuffer::GetSpanSamples with
   * waiting time): how much delay the buffer holds, counting what it has been waiting for.
   */
  private spanWithWaitMs(): number {
    const first = this.store.first();
    const last = this.store.last();
    if (!first || !last) return 0;
    const waited = (this.ticks - (this.insertedAt.get(last.timestamp) ?? this.ticks)) * NETEQ_TICK_MS;
    return tsToMs(last.timestamp - first.timestamp, this.host.clockRate) + waited;
  }

  private decide(nowMs: number, ctx: PlayoutContext, stretchedMs: number): Decision {
    this.syncMs = ctx.syncBufferMs;
    const target = this.delayManager.targetMs;
    if (this.cursor.playTs === null) {
      const first = this.store.first();
      if (!first) return { op: 'idle' };
      // NetEq decodes the first packet at once and restarts its statistics (SoftReset).
      this.delayManager.reset();
      this.cursor.start(first.timestamp);
      return this.play(first, 'normal');
    }
    const playTs = this.cursor.playTs;
    for (const stale of this.store.removeBefore(playTs)) this.discard(stale, 'late', nowMs);
    if (ctx.lastOp !== 'expand' && ctx.lastOp !== 'comfortNoise') this.filterLevel(target, stretchedMs);
    const canHold = ctx.syncBufferMs >= NETEQ_TICK_MS;
    const step = this.cursor.frameTs;
    const due = this.store.find(playTs);
    const last = this.cursor.lastPlayed;
    const nextHeld = due ?? this.store.firstAfter(playTs);
    const limits = stretchLimits(target, this.delayManager.history.maxDelayMs());

    const silent =
      due === undefined &&
      last !== null &&
      (isDtxFrame(last) || (nextHeld !== undefined && startsTalkspurt(nextHeld, last)) || (nextHeld === undefined && ctx.lastOp === 'comfortNoise'));
    if (silent) return canHold ? { op: 'hold' } : this.silence(nextHeld, playTs, limits, target, ctx);

    if (!nextHeld) return this.noPacket(canHold, ctx);
    if (this.postponeDecoding(target, ctx)) return this.noPacket(canHold, ctx);
    if (due) return this.expected(due, ctx, limits, target, canHold, nowMs);
    // NetEq holds the LBRR copy a frame carries of the one before it as a packet of its own (when
    // that one is missing), so it may be the next packet: due now, or the first after a gap.
    const fec = this.host.useInbandFec && nextHeld.hasFec && nextHeld.timestamp - step >= playTs;
    const nextTs = fec ? nextHeld.timestamp - step : nextHeld.timestamp;
    if (nextTs === playTs) return canHold ? { op: 'hold' } : this.playFec(nextHeld);
    if (!this.skipTo(nextTs, playTs, target, ctx)) return this.noPacket(canHold, ctx);
    if (fec) {
      this.cursor.start(nextTs);
      return this.playFec(nextHeld);
    }
    this.cursor.start(nextHeld.timestamp);
    return this.play(nextHeld, 'normal');
  }

  /** Decode the LBRR copy `carrier` holds of the frame before it (due now). */
  private playFec(carrier: JbFrame): Decision {
    this.cursor.playTs = carrier.timestamp;
    this.noiseTs = 0;
    return { op: 'fec', frame: carrier, waitingMs: this.waitedMs(carrier) };
  }

  /** BufferLevelFilter on the held span (informational: NetEq's filtered current delay). */
  private filterLevel(target: number, stretchedMs: number): void {
    this.levelFilter.setTargetLevelMs(target);
    const first = this.store.first();
    const last = this.store.last();
    const span = first && last ? tsToMs(last.timestamp + last.durationTs - first.timestamp, this.host.clockRate) : 0;
    this.levelFilter.update(span, stretchedMs);
  }

  private noPacket(canHold: boolean, ctx: PlayoutContext): Decision {
    if (canHold) return { op: 'hold' };
    if (ctx.lastOp === 'comfortNoise') return this.comfortNoise();
    this.noiseTs += (NETEQ_TICK_MS * this.host.clockRate) / 1000;
    return { op: 'expand' };
  }

  private comfortNoise(): Decision {
    this.noiseTs += this.cursor.frameTs;
    return { op: 'comfortNoise' };
  }

  /** PostponeDecode: after comfort noise or long (muted) expansion, wait for half the target. */
  private postponeDecoding(target: number, ctx: PlayoutContext): boolean {
    if (this.spanWithWaitMs() >= POSTPONE_DECODING_LEVEL * target) return false;
    if (this.store.all().some(isDtxFrame)) return false;
    if (ctx.lastOp === 'comfortNoise') return true;
    return ctx.lastOp === 'expand' && this.generatedNoiseMs() >= MUTED_EXPAND_MS;
  }

  private expected(due: JbFrame, ctx: PlayoutContext, limits: StretchLimits, target: number, canHold: boolean, nowMs: number): Decision {
    const allowed = this.opts.timeStretch && ctx.lastOp !== 'expand' && !isDtxFrame(due);
    const playoutTs = this.cursor.playTs! - (ctx.syncBufferMs * this.host.clockRate) / 1000;
    const playoutDelay = this.delayManager.history.delayMs(playoutTs, this.tickMs);
    const s = this.logic.expectedFrame(playoutDelay, limits, allowed, this.ticks);
    if (s === 'normal' && canHold) return { op: 'hold' };
    const op = s === 'fastAccelerate' ? 'accelerate' : s;
    this.info = { nowMs, tick: this.ticks, op, playoutDelayMs: playoutDelay, targetMs: target, ...limits };
    const d = this.play(due, op);
    if (s === 'fastAccelerate' && d.op === 'accelerate') d.fast = true;
    return d;
  }

  /**
   * FuturePacketAvailable: a later packet is held but not the due one. Conceal while the gap is
   * longer than the noise generated so far (the due frame may only be late), unless the buffer
   * is well above target; then jump to that packet, but only out of expansion or comfort noise
   * (a merge): right after speech, the first step is always to start concealing.
   */
  private skipTo(nextTs: number, playTs: number, target: number, ctx: PlayoutContext): boolean {
    const leapMs = tsToMs(nextTs - playTs, this.host.clockRate);
    const above = this.spanWithWaitMs() > target + GAP_SKIP_MARGIN_MS;
    const tooEarly = leapMs > this.generatedNoiseMs();
    return !(tooEarly && !above) && (ctx.lastOp === 'expand' || ctx.lastOp === 'comfortNoise');
  }

  /**
   * Sender DTX (our CNG rule): keep the delay the call had before the silence, but move it into
   * the [low, high] window at the talkspurt start, the only place a jump is inaudible.
   */
  private silence(nextHeld: JbFrame | undefined, playTs: number, limits: StretchLimits, target: number, ctx: PlayoutContext): Decision {
    if (!nextHeld) return this.comfortNoise();
    const clock = this.host.clockRate;
    const leap = nextHeld.timestamp - playTs;
    const delayIfPlayed = bufferLevelMs(this.store, nextHeld.timestamp, clock, ctx.syncBufferMs);
    const enough = this.noiseTs >= leap;
    const waitedTooLong = this.noiseTs - leap >= (target * clock) / 1000;
    if ((enough && (delayIfPlayed >= limits.lowMs || isDtxFrame(nextHeld) || waitedTooLong)) || delayIfPlayed > limits.highMs) {
      this.cursor.start(nextHeld.timestamp);
      return this.play(nextHeld, 'normal');
    }
    return this.comfortNoise();
  }

  private waitedMs(f: JbFrame): number {
    return (this.ticks - (this.insertedAt.get(f.timestamp) ?? this.ticks)) * NETEQ_TICK_MS;
  }

  private play(f: JbFrame, op: 'normal' | 'accelerate' | 'preemptiveExpand'): Played {
    const waitingMs = this.waitedMs(f);
    this.cursor.take(f);
    this.insertedAt.delete(f.timestamp);
    this.noiseTs = 0;
    return { op, frame: f, waitingMs };
  }

  state(nowMs: number): JitterBufferState {
    void nowMs;
    return {
      targetDelayMs: this.delayManager.targetMs,
      levelMs: bufferLevelMs(this.store, this.cursor.playTs, this.host.clockRate, this.syncMs),
      minimumDelayMs: this.delayManager.unlimitedTargetMs,
    };
  }
}

export function createNetEq(opts: NetEqJbOptions, host: JitterBufferHost): JitterBuffer {
  return new NetEqJitterBuffer(opts, host);
}
