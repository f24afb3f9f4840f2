import { bufferLevelMs, tsToMs } from './buffer-level.ts';
import { FrameStore } from './frame-store.ts';
import { isDtxFrame, PlayoutCursor } from './playout-cursor.ts';
import { startsTalkspurt } from './talkspurt.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState, PlayoutContext } from './types.ts';

/**
 * Shared mechanics of the classic "playout point" buffers (adaptive, Ramjee et al., oracle):
 * a frame with timestamp ts is scheduled at ts/clockRate + offsetMs on the receiver clock, and
 * the offset changes only at talkspurt starts (marker bit or speech after DTX), as in Ramjee,
 * Kurose, Towsley, Schulzrinne 1994: silence periods are stretched or shortened, speech never is.
 *
 * Inside a talkspurt the cursor advances one frame per playout call (frame-synchronous): a frame
 * still missing when its turn comes is concealed and, if it arrives later, it is late. During
 * silence the cursor waits: a talkspurt starts at the first call at or after its first held
 * frame's scheduled time (if that frame arrives later still, it starts on arrival).
 */
export abstract class ScheduledPlayoutBuffer implements JitterBuffer {
  abstract readonly kind: string;
  protected readonly store = new FrameStore();
  protected readonly cursor: PlayoutCursor;
  /** Current playout offset (receiver ms minus media ms of the timestamp); null before the first frame. */
  protected offsetMs: number | null = null;
  private silent = false;
  private pending: { ts: number; offsetMs: number } | null = null;
  private syncMs = 0;

  constructor(
    protected readonly host: JitterBufferHost,
    private readonly capacityFrames: number,
  ) {
    this.cursor = new PlayoutCursor(this.store, host);
  }

  /** Every non-duplicate arrival (late ones included): update the delay estimate. */
  protected abstract observe(frame: JbFrame, nowMs: number): void;
  /** Offset of the first talkspurt, fixed when the first frame arrives. */
  protected abstract initialOffsetMs(first: JbFrame, nowMs: number): number;
  /** Offset of a new talkspurt whose first held frame is `f`. */
  protected abstract talkspurtOffsetMs(f: JbFrame, nowMs: number): number;
  /** Buffering delay the algorithm currently aims for (reported as the target). */
  abstract targetDelayMs(nowMs: number): number;

  /** Current playout offset in ms, or null before the first frame. */
  get playoutOffsetMs(): number | null {
    return this.offsetMs;
  }

  protected tsMs(ts: number): number {
    return tsToMs(ts, this.host.clockRate);
  }

  insert(frame: JbFrame, nowMs: number): InsertResult {
    const c = this.cursor.classify(frame);
    if (c === 'duplicate') return { status: c };
    this.observe(frame, nowMs);
    if (c === 'late') return { status: c };
    if (this.offsetMs === null) this.offsetMs = this.initialOffsetMs(frame, nowMs);
    if (this.store.size >= this.capacityFrames) {
      const dropped = this.store.shift()!;
      this.host.onDiscard(dropped, 'overflow', nowMs);
    }
    this.store.insert(frame);
    return { status: 'buffered' };
  }

  next(nowMs: number, ctx: PlayoutContext): Decision {
    this.syncMs = ctx.syncBufferMs;
    if (this.cursor.playTs === null) {
      const f = this.store.first();
      if (!f || this.offsetMs === null || nowMs < this.tsMs(f.timestamp) + this.offsetMs) return { op: 'idle' };
      this.cursor.start(f.timestamp);
    } else if (this.silent) {
      const started = this.tryStartTalkspurt(nowMs);
      if (!started) return { op: 'comfortNoise' };
    }
    const ts = this.cursor.playTs!;
    for (const stale of this.store.removeBefore(ts)) this.host.onDiscard(stale, 'late', nowMs);
    const due = this.store.find(ts);
    if (due) {
      this.cursor.take(due);
      return { op: 'normal', frame: due };
    }
    const last = this.cursor.lastPlayed;
    const nextHeld = this.store.first();
    if (last !== null && (isDtxFrame(last) || (nextHeld !== undefined && startsTalkspurt(nextHeld, last)))) {
      this.silent = true;
      if (this.tryStartTalkspurt(nowMs)) return this.next(nowMs, ctx);
      return { op: 'comfortNoise' };
    }
    return this.cursor.fillMissing(nowMs, ctx);
  }

  /** In silence: start the next held frame if its scheduled time has come. */
  private tryStartTalkspurt(nowMs: number): boolean {
    const f = this.store.first();
    if (!f) return false;
    let offset = this.offsetMs!;
    if (startsTalkspurt(f, this.cursor.lastPlayed)) {
      // Computed once, when the talkspurt's first frame is first seen (Ramjee et al.: p_i is set
      // from the estimates at the first packet of the talkspurt).
      if (this.pending === null || this.pending.ts !== f.timestamp) this.pending = { ts: f.timestamp, offsetMs: this.talkspurtOffsetMs(f, nowMs) };
      offset = this.pending.offsetMs;
    }
    if (nowMs < this.tsMs(f.timestamp) + offset) return false;
    this.offsetMs = offset;
    this.pending = null;
    this.silent = false;
    this.cursor.start(f.timestamp);
    return true;
  }

  state(nowMs: number): JitterBufferState {
    return {
      targetDelayMs: this.targetDelayMs(nowMs),
      levelMs: bufferLevelMs(this.store, this.cursor.playTs, this.host.clockRate, this.syncMs),
    };
  }
}
