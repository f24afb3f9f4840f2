import type { z } from 'zod';
import type { FixedJbSchema } from './config.ts';
import { FrameStore } from './frame-store.ts';
import { PlayoutCursor } from './playout-cursor.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState, PlayoutContext } from './types.ts';

export type FixedJbOptions = z.output<typeof FixedJbSchema>;

/**
 * Fixed-delay buffer: the first frame plays `delayMs` after it arrives, and every later frame
 * at its RTP-timestamp offset from it (the classic fixed playout point, cf. Wireshark's RTP player).
 * A frame that arrives after its playout tick is late and discarded.
 */
export class FixedJitterBuffer implements JitterBuffer {
  readonly kind = 'fixed';
  private readonly store = new FrameStore();
  private readonly cursor: PlayoutCursor;
  private startMs: number | null = null;
  private firstTs = 0;

  constructor(
    private readonly opts: FixedJbOptions,
    private readonly host: JitterBufferHost,
  ) {
    this.cursor = new PlayoutCursor(this.store, host);
  }

  insert(frame: JbFrame, nowMs: number): InsertResult {
    const c = this.cursor.classify(frame);
    if (c !== 'ok') return { status: c };
    if (this.startMs === null) {
      this.startMs = nowMs + this.opts.delayMs;
      this.firstTs = frame.timestamp;
    } else if (this.cursor.playTs === null && frame.timestamp < this.firstTs) {
      // Reordered before playout started: it would be due before the first playout tick.
      return { status: 'late' };
    }
    if (this.store.size >= this.opts.capacityFrames) {
      const dropped = this.store.shift()!;
      this.host.onDiscard(dropped, 'overflow', nowMs);
    }
    this.store.insert(frame);
    return { status: 'buffered' };
  }

  next(nowMs: number, ctx: PlayoutContext): Decision {
    if (this.cursor.playTs === null) {
      if (this.startMs === null || nowMs < this.startMs) return { op: 'idle' };
      this.cursor.start(this.firstTs);
    }
    const ts = this.cursor.playTs!;
    for (const stale of this.store.removeBefore(ts)) this.host.onDiscard(stale, 'late', nowMs);
    const due = this.store.find(ts);
    if (due) {
      this.cursor.take(due);
      return { op: 'normal', frame: due };
    }
    return this.cursor.fillMissing(nowMs, ctx);
  }

  state(nowMs: number): JitterBufferState {
    void nowMs;
    const held = this.store.spanTs();
    return { targetDelayMs: this.opts.delayMs, levelMs: (held * 1000) / this.host.clockRate };
  }
}

export function createFixed(opts: FixedJbOptions, host: JitterBufferHost): JitterBuffer {
  return new FixedJitterBuffer(opts, host);
}
