import type { z } from 'zod';
import { BufferLevelFilter } from './buffer-level-filter.ts';
import { bufferLevelMs } from './buffer-level.ts';
import type { NetEqJbSchema } from './config.ts';
import { DecisionLogic, GAP_SKIP_MARGIN_MS, POSTPONE_DECODING_LEVEL, stretchLimits, type StretchLimits } from './decision-logic.ts';
import { DelayManager } from './delay-manager.ts';
import { FrameStore } from './frame-store.ts';
import { isDtxFrame, PlayoutCursor } from './playout-cursor.ts';
import { startsTalkspurt } from './talkspurt.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState, PlayoutContext } from './types.ts';

export type NetEqJbOptions = z.output<typeof NetEqJbSchema>;

/** What the last expected-frame decision saw (for reports and tests). */
export interface NetEqDecisionInfo extends StretchLimits {
  nowMs: number;
  op: Decision['op'];
  playoutDelayMs: number;
  targetMs: number;
}

const SPEECH_OPS: ReadonlySet<string> = new Set(['normal', 'accelerate', 'preemptiveExpand', 'fec']);

/**
 * NetEq-style adaptive buffer (research notes section 1). Playout is not timed: the cursor
 * advances only when a frame (or its FEC) is decoded, so a frame delayed past an underrun is
 * still played (the delay grows) rather than counted late; the delay is then brought back to the
 * DelayManager's target by time-stretching inside talkspurts and by moving the talkspurt start
 * after comfort noise. Frames count as late only once the cursor has passed them (a gap was
 * skipped, or the frame was rebuilt from FEC).
 */
export class NetEqJitterBuffer implements JitterBuffer {
  readonly kind = 'neteq';
  readonly delayManager: DelayManager;
  readonly levelFilter = new BufferLevelFilter();
  private readonly logic: DecisionLogic;
  private readonly store = new FrameStore();
  private readonly cursor: PlayoutCursor;
  private readonly startWaitMs: number;
  private firstArrivalMs: number | null = null;
  /** Media time (RTP units) concealed or filled with comfort noise since the last decoded frame. */
  private noiseTs = 0;
  private syncMs = 0;
  private prevCall: { nowMs: number; syncMs: number; op: Decision['op']; frameMs: number } | null = null;
  private info: NetEqDecisionInfo | null = null;

  constructor(
    private readonly opts: NetEqJbOptions,
    private readonly host: JitterBufferHost,
  ) {
    this.delayManager = new DelayManager(opts, host.clockRate, host.frameMs);
    this.logic = new DecisionLogic(opts.enableFastAccelerate);
    this.cursor = new PlayoutCursor(this.store, host);
    this.startWaitMs = Math.max(opts.startDelayMs, opts.minDelayMs);
  }

  /** The last expected-frame decision's inputs, or null. */
  get lastDecision(): NetEqDecisionInfo | null {
    return this.info;
  }

  get filteredLevelMs(): number {
    return this.levelFilter.filteredLevelMs;
  }

  insert(frame: JbFrame, nowMs: number): InsertResult {
    const c = this.cursor.classify(frame);
    if (c === 'duplicate') return { status: c };
    // A late frame's delay is exactly what the estimate must learn from.
    this.delayManager.update(frame.timestamp, nowMs);
    if (c === 'late') return { status: c };
    if (this.firstArrivalMs === null) this.firstArrivalMs = nowMs;
    if (this.store.size >= this.opts.maxPacketsInBuffer) {
      // NetEq PacketBuffer flushes everything when full.
      for (const f of this.store.removeBefore(Infinity)) this.host.onDiscard(f, 'flush', nowMs);
    }
    this.store.insert(frame);
    return { status: 'buffered' };
  }

  /**
   * Media removed (> 0) or added (< 0) by the previous accelerate / preemptive expand, inferred
   * from the sync buffer: the receiver consumed (now - then) ms in between and decoded one frame.
   */
  private stretchedMs(nowMs: number, ctx: PlayoutContext): number {
    const p = this.prevCall;
    if (!p || (p.op !== 'accelerate' && p.op !== 'preemptiveExpand')) return 0;
    const produced = ctx.syncBufferMs + (nowMs - p.nowMs) - p.syncMs;
    const removed = p.frameMs - produced;
    return p.op === 'accelerate' ? Math.max(0, removed) : Math.min(0, removed);
  }

  next(nowMs: number, ctx: PlayoutContext): Decision {
    const d = this.decide(nowMs, ctx);
    const f = 'frame' in d ? d.frame : null;
    this.prevCall = { nowMs, syncMs: ctx.syncBufferMs, op: d.op, frameMs: f ? (f.durationTs * 1000) / this.host.clockRate : this.host.frameMs };
    return d;
  }

  private decide(nowMs: number, ctx: PlayoutContext): Decision {
    this.logic.tick();
    const stretched = this.stretchedMs(nowMs, ctx);
    this.syncMs = ctx.syncBufferMs;
    const target = this.delayManager.targetMs;
    this.levelFilter.setTargetLevelMs(target);
    const clock = this.host.clockRate;
    if (this.cursor.playTs === null) {
      const first = this.store.first();
      if (!first || this.firstArrivalMs === null || nowMs - this.firstArrivalMs < this.startWaitMs) return { op: 'idle' };
      this.cursor.start(first.timestamp);
    }
    const playTs = this.cursor.playTs!;
    for (const stale of this.store.removeBefore(playTs)) this.host.onDiscard(stale, 'late', nowMs);
    const playoutDelay = bufferLevelMs(this.store, playTs, clock, ctx.syncBufferMs);
    this.levelFilter.update(playoutDelay, stretched);
    const limits = stretchLimits(target, this.delayManager.history.maxDelayMs());
    const step = this.cursor.frameTs;
    const targetTs = (target * clock) / 1000;
    const due = this.store.find(playTs);
    const last = this.cursor.lastPlayed;
    const nextHeld = due ?? this.store.firstAfter(playTs);

    const silent =
      due === undefined &&
      last !== null &&
      (isDtxFrame(last) || (nextHeld !== undefined && startsTalkspurt(nextHeld, last)) || (nextHeld === undefined && ctx.lastOp === 'comfortNoise'));
    if (silent) {
      if (!nextHeld) {
        this.noiseTs += step;
        return { op: 'comfortNoise' };
      }
      // NetEq's CNG rule: keep the delay it had before the silence, but move it into the
      // [low, high] window at the talkspurt start (the only place a jump is inaudible).
      const leap = nextHeld.timestamp - playTs;
      const delayIfPlayed = bufferLevelMs(this.store, nextHeld.timestamp, clock, ctx.syncBufferMs);
      const enough = this.noiseTs >= leap;
      const waitedTooLong = this.noiseTs - leap >= targetTs;
      if ((enough && (delayIfPlayed >= limits.lowMs || isDtxFrame(nextHeld) || waitedTooLong)) || delayIfPlayed > limits.highMs) {
        this.cursor.start(nextHeld.timestamp);
        return this.play(nextHeld, 'normal', nowMs, playoutDelay, limits, target);
      }
      this.noiseTs += step;
      return { op: 'comfortNoise' };
    }

    const heldSpanMs = bufferLevelMs(this.store, playTs, clock, 0);
    const postpone = ctx.lastOp === 'expand' && heldSpanMs < POSTPONE_DECODING_LEVEL * target && !this.store.all().some(isDtxFrame);
    if (due) {
      if (postpone) {
        this.noiseTs += step;
        return { op: 'expand' };
      }
      const inTalkspurt =
        this.opts.timeStretch &&
        last !== null &&
        !isDtxFrame(last) &&
        !isDtxFrame(due) &&
        !startsTalkspurt(due, last) &&
        ctx.lastOp !== null &&
        SPEECH_OPS.has(ctx.lastOp);
      const s = this.logic.expectedFrame(playoutDelay, limits, inTalkspurt);
      const op = s === 'fastAccelerate' ? 'accelerate' : s;
      return this.play(due, op, nowMs, playoutDelay, limits, target);
    }

    if (!nextHeld) {
      // Underrun: conceal and keep waiting for the due frame (it may only be delayed).
      this.noiseTs += step;
      return { op: 'expand' };
    }
    if (this.host.useInbandFec && nextHeld.timestamp === playTs + step && nextHeld.hasFec) {
      this.cursor.playTs = playTs + step;
      this.noiseTs = 0;
      return { op: 'fec', frame: nextHeld };
    }
    // A gap before the next held frame: conceal until the concealment covers the gap (or the
    // buffer is well above target), then continue with that frame; the receiver merges.
    const leap = nextHeld.timestamp - playTs;
    const skip = ctx.lastOp === 'expand' && !postpone && (this.noiseTs >= leap || playoutDelay > target + GAP_SKIP_MARGIN_MS);
    if (skip) {
      this.cursor.start(nextHeld.timestamp);
      return this.play(nextHeld, 'normal', nowMs, playoutDelay, limits, target);
    }
    this.noiseTs += step;
    return { op: 'expand' };
  }

  private play(
    f: JbFrame,
    op: 'normal' | 'accelerate' | 'preemptiveExpand',
    nowMs: number,
    playoutDelayMs: number,
    limits: StretchLimits,
    targetMs: number,
  ): Decision {
    this.cursor.take(f);
    this.noiseTs = 0;
    this.info = { nowMs, op, playoutDelayMs, targetMs, ...limits };
    return { op, frame: f };
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
