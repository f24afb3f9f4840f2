import type { z } from 'zod';
import type { PjsipJbSchema } from './config.ts';
import { FrameStore } from './frame-store.ts';
import { isDtxFrame, PlayoutCursor } from './playout-cursor.ts';
import { startsTalkspurt } from './talkspurt.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState, PlayoutContext } from './types.ts';

export type PjsipJbOptions = z.output<typeof PjsipJbSchema>;

/** Op switches spent initialising the burst estimate before it is used (pjsip INIT_CYCLE). */
export const INIT_CYCLES = 10;
/** Lower burst levels needed before the effective level falls (STABLE_HISTORY_LIMIT). */
export const STABLE_HISTORY_LIMIT = 20;
/** Minimum spacing of discards, ms (PJMEDIA_JBUF_DISC_MIN_GAP). */
export const DISCARD_MIN_GAP_MS = 200;
/** Progressive discard: time to drain the overflow, from T1 at burst <= 1 to T2 at burst >= 100. */
export const PRO_DISC_T1_MS = 2000;
export const PRO_DISC_T2_MS = 10000;
export const PRO_DISC_MIN_BURST = 1;
export const PRO_DISC_MAX_BURST = 100;
/** A sequence jump larger than this restarts the buffer (pjsip MAX_DROPOUT). */
export const MAX_DROPOUT = 3000;

/**
 * PJSIP jbuf-style buffer (research notes section 2), mapped onto frame-level playout calls:
 * - The buffer is a run of sequence-number slots from the head (next to GET) to the newest PUT;
 *   `size` counts the slots (MISSING ones included), as jbuf's frame list does. Each `insert` is
 *   a PUT, each `next` a GET. A held head slot is `normal`; a MISSING one is `fec` (if the next
 *   frame carries it) or `expand` and the head moves on; DISCARDED slots are skipped silently.
 * - Empty (no slots): the head stays (the frame due next is not late yet) and, with a non-zero
 *   prefetch, the buffer re-prefetches: `expand` (or `comfortNoise` in a DTX silence) until
 *   `prefetch` frames are held. Before the first frame is played these calls are `idle`.
 * - Burst level = consecutive PUTs, evaluated at PUT->GET switches once INIT_CYCLES switches have
 *   passed; the effective level rises at once to the recent maximum (<= 4/5 of capacity) and falls,
 *   after more than 20 lower evaluations, by max(1, (eff - maxHist)/3). The prefetch follows it
 *   within [min, max] when min < max.
 * - Sequence indexing means DTX silences leave no slots: a silence empties the buffer and the
 *   next talkspurt is prefetched again.
 */
export class PjsipJitterBuffer implements JitterBuffer {
  readonly kind = 'pjsip';
  private readonly store = new FrameStore();
  private readonly cursor: PlayoutCursor;
  readonly capacity: number;
  private readonly maxBurst: number;
  private readonly minPrefetch: number;
  private readonly maxPrefetch: number;
  private readonly adaptive: boolean;
  private readonly minShrinkGap: number;
  private prefetchFrames: number;
  private prefetching: boolean;
  private initializing = true;
  private initCycles = 0;
  private lastOp: 'put' | 'get' | null = null;
  private level = 0;
  private effLevel = 0;
  private maxHistLevel = 0;
  private stableHist = 0;
  private headSeq: number | null = null;
  private lastSeq = 0;
  /** DISCARDED slots ahead of the head; the value tells whether a held frame was thrown away. */
  private readonly discarded = new Map<number, boolean>();
  private discardDist = 0;
  private discardRef = 0;
  private lastStaticDiscardSeq: number | null = null;
  private syncMs = 0;

  constructor(
    private readonly opts: PjsipJbOptions,
    private readonly host: JitterBufferHost,
  ) {
    this.cursor = new PlayoutCursor(this.store, host);
    this.capacity = Math.max(1, Math.floor(opts.maxDelayMs / host.frameMs));
    this.maxBurst = Math.max(Math.floor(1000 / host.frameMs), Math.floor((this.capacity * 3) / 4));
    this.maxPrefetch = opts.maxPrefetchFrames ?? Math.floor((this.capacity * 4) / 5);
    this.minPrefetch = Math.min(opts.minPrefetchFrames, this.maxPrefetch);
    this.adaptive = this.minPrefetch < this.maxPrefetch;
    this.minShrinkGap = Math.max(1, Math.floor(DISCARD_MIN_GAP_MS / host.frameMs));
    this.prefetchFrames = Math.min(opts.initPrefetchFrames, Math.floor((this.capacity * 4) / 5));
    this.prefetching = this.prefetchFrames > 0;
  }

  /** Frames the buffer waits for after running empty. */
  get prefetch(): number {
    return this.prefetchFrames;
  }

  /** Effective burst level (frames). */
  get burstLevel(): number {
    return this.effLevel;
  }

  /** Slots from the head to the newest PUT, MISSING ones included. */
  get size(): number {
    return this.headSeq === null ? 0 : Math.max(0, this.lastSeq - this.headSeq + 1);
  }

  private effSize(): number {
    let n = this.size;
    for (const s of this.discarded.keys()) if (this.headSeq !== null && s >= this.headSeq && s <= this.lastSeq) n--;
    return n;
  }

  insert(frame: JbFrame, nowMs: number): InsertResult {
    if (this.cursor.classify(frame) === 'duplicate') return { status: 'duplicate' };
    const started = this.cursor.lastPlayed !== null;
    if (this.headSeq !== null && frame.seq < this.headSeq) {
      if (started) return { status: 'late' };
      this.headSeq = frame.seq; // reordered before playout: move the origin back
    }
    const slot = this.discarded.get(frame.seq);
    if (slot !== undefined) return slot ? { status: 'duplicate' } : { status: 'discarded', reason: 'progressive' };
    if (this.headSeq !== null && frame.seq - this.lastSeq > MAX_DROPOUT) this.restart(nowMs);
    this.update('put', nowMs);
    if (this.headSeq === null) {
      this.headSeq = frame.seq;
      this.lastSeq = frame.seq;
    }
    while (frame.seq - this.headSeq! + 1 > this.capacity) this.dropHead('overflow', nowMs);
    this.store.insert(frame);
    this.lastSeq = Math.max(this.lastSeq, frame.seq);
    this.level++;
    if (this.prefetching && this.effSize() >= this.prefetchFrames) this.prefetching = false;
    return { status: 'buffered' };
  }

  private restart(nowMs: number): void {
    for (const f of this.store.removeBefore(Infinity)) this.host.onDiscard(f, 'reset', nowMs);
    this.discarded.clear();
    this.headSeq = null;
    this.prefetching = this.prefetchFrames > 0;
  }

  /** Remove the head slot (discarding its frame if held) and advance the head. */
  private dropHead(reason: string, nowMs: number): void {
    const h = this.headSeq!;
    const f = this.heldAt(h);
    if (f) {
      this.store.remove(f.timestamp);
      this.host.onDiscard(f, reason, nowMs);
    }
    this.discarded.delete(h);
    this.headSeq = h + 1;
  }

  private heldAt(seq: number): JbFrame | undefined {
    for (const f of this.store.all()) if (f.seq === seq) return f;
    return undefined;
  }

  /** jbuf_update: burst evaluation at PUT->GET switches, then the discard algorithm. */
  private update(op: 'put' | 'get', nowMs: number): void {
    if (this.lastOp !== op) {
      this.lastOp = op;
      let evaluate = true;
      if (this.initializing) {
        this.initCycles++;
        if (this.initCycles >= INIT_CYCLES && op === 'get') {
          this.initializing = false;
          this.level = Math.min(this.level, this.maxBurst);
        } else {
          this.level = 0;
          evaluate = false;
        }
      }
      if (evaluate) {
        // Only PUT bursts are measured: GET bursts are distorted by silence suppression.
        if (op === 'get' && this.level <= this.maxBurst) this.evaluateBurst();
        this.level = 0;
      }
    }
    if (this.initializing) return;
    if (this.opts.discard === 'progressive') this.discardProgressive(nowMs);
    else if (this.opts.discard === 'static') this.discardStatic(nowMs);
  }

  private setPrefetchFromLevel(): void {
    if (!this.adaptive) return;
    this.prefetchFrames = Math.min(this.maxPrefetch, Math.max(this.minPrefetch, this.effLevel));
  }

  private evaluateBurst(): void {
    this.maxHistLevel = Math.max(this.maxHistLevel, this.level);
    if (this.level < this.effLevel) {
      this.stableHist++;
      if (this.stableHist > STABLE_HISTORY_LIMIT) {
        this.effLevel -= Math.max(1, Math.floor((this.effLevel - this.maxHistLevel) / 3));
        this.setPrefetchFromLevel();
        this.maxHistLevel = 0;
        this.stableHist = 0;
      }
    } else if (this.level > this.effLevel) {
      this.effLevel = Math.min(this.maxHistLevel, Math.floor((this.capacity * 4) / 5));
      this.setPrefetchFromLevel();
      this.stableHist = 0;
    } else {
      this.stableHist = 0;
    }
  }

  private markDiscarded(seq: number, reason: string, nowMs: number): void {
    const f = this.heldAt(seq);
    if (f) {
      this.store.remove(f.timestamp);
      this.host.onDiscard(f, reason, nowMs);
    }
    this.discarded.set(seq, f !== undefined);
  }

  /**
   * PROGRESSIVE (on PUT): drain the overflow = effSize - max(burst, minPrefetch) over T, i.e. one
   * discard every T / ptime / overflow frames (at least the 200 ms minimum gap).
   */
  private discardProgressive(nowMs: number): void {
    if (this.lastOp !== 'put' || this.headSeq === null) return;
    const burst = Math.max(this.effLevel, this.level);
    const keep = Math.max(burst, this.opts.minPrefetchFrames);
    const cur = this.effSize();
    if (cur <= keep) {
      this.discardDist = 0;
      return;
    }
    const b = Math.min(PRO_DISC_MAX_BURST, Math.max(PRO_DISC_MIN_BURST, burst));
    const T = PRO_DISC_T1_MS + ((PRO_DISC_T2_MS - PRO_DISC_T1_MS) * (b - PRO_DISC_MIN_BURST)) / (PRO_DISC_MAX_BURST - PRO_DISC_MIN_BURST);
    const dist = Math.floor(T / (cur - keep) / this.host.frameMs);
    if (this.discardDist === 0 || this.lastSeq < this.discardRef) this.discardRef = this.lastSeq;
    this.discardDist = Math.max(this.minShrinkGap, dist);
    if (this.lastSeq >= this.discardRef + this.discardDist) {
      const seq = Math.max(this.headSeq, this.discardRef + this.discardDist);
      this.markDiscarded(seq, 'progressive', nowMs);
      this.discardRef = seq;
    }
  }

  /** STATIC (on GET): size - 2 x burst >= 1 drops the head frame, at most once per 200 ms of frames. */
  private discardStatic(nowMs: number): void {
    if (this.lastOp !== 'get' || this.headSeq === null || this.size === 0) return;
    if (this.effSize() - 2 * this.effLevel < 1) return;
    if (this.lastStaticDiscardSeq !== null && this.headSeq - this.lastStaticDiscardSeq < this.minShrinkGap) return;
    this.dropHead('static', nowMs);
    this.lastStaticDiscardSeq = this.headSeq;
  }

  next(nowMs: number, ctx: PlayoutContext): Decision {
    this.syncMs = ctx.syncBufferMs;
    this.update('get', nowMs);
    const started = this.cursor.lastPlayed !== null;
    const last = this.cursor.lastPlayed;
    const firstHeld = this.store.first();
    const silence = last !== null && (isDtxFrame(last) || (firstHeld !== undefined && startsTalkspurt(firstHeld, last)));
    const wait = (): Decision => (!started ? { op: 'idle' } : silence ? { op: 'comfortNoise' } : { op: 'expand' });
    if (this.headSeq === null) return wait();
    // Discarded slots at the head are skipped without playing anything.
    while (this.size > 0 && this.discarded.has(this.headSeq)) this.discarded.delete(this.headSeq++);
    if (this.size === 0) {
      this.prefetching = this.prefetchFrames > 0;
      return wait();
    }
    if (this.prefetching) return wait();
    const f = this.heldAt(this.headSeq);
    if (f) {
      this.cursor.take(f);
      this.headSeq++;
      return { op: 'normal', frame: f };
    }
    // MISSING slot: lost (or not yet arrived) frame; the head moves on.
    const nextSlot = this.heldAt(this.headSeq + 1);
    this.headSeq++;
    if (!started) return { op: 'idle' };
    if (this.host.useInbandFec && nextSlot?.hasFec) return { op: 'fec', frame: nextSlot };
    return { op: 'expand' };
  }

  state(nowMs: number): JitterBufferState {
    void nowMs;
    return { targetDelayMs: this.prefetchFrames * this.host.frameMs, levelMs: this.size * this.host.frameMs + this.syncMs };
  }
}

export function createPjsip(opts: PjsipJbOptions, host: JitterBufferHost): JitterBuffer {
  return new PjsipJitterBuffer(opts, host);
}
