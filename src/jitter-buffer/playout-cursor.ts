import { SeenWindow } from '../core/seen-window.ts';
import type { FrameStore } from './frame-store.ts';
import type { Decision, JbFrame, JitterBufferHost, PlayoutContext } from './types.ts';

/** An Opus DTX frame is a TOC byte with no (or one) data byte (RFC 6716 section 3.2.1). */
export function isDtxFrame(f: JbFrame): boolean {
  return f.payload.length <= 2;
}

/**
 * The mechanics shared by frame-synchronous buffers: which timestamp is due, what has been played,
 * and how to fill a missing frame (in-band FEC from the next frame, DTX comfort noise, or expand).
 * The policy (when playout starts, what delay to aim for, when to stretch) stays in each buffer.
 */
export class PlayoutCursor {
  /** Extended timestamp of the frame due next; null before playout starts. */
  playTs: number | null = null;
  lastPlayed: JbFrame | null = null;
  /** Timestamps played recently: a late second copy of one is a duplicate, not a late packet. */
  private readonly played = new SeenWindow(1024);

  constructor(
    private readonly store: FrameStore,
    private readonly host: JitterBufferHost,
  ) {}

  get frameTs(): number {
    return this.lastPlayed?.durationTs ?? Math.round((this.host.frameMs * this.host.clockRate) / 1000);
  }

  start(ts: number): void {
    this.playTs = ts;
  }

  /** Classify an arriving frame against the cursor: 'ok', 'duplicate' or 'late'. */
  classify(f: JbFrame): 'ok' | 'duplicate' | 'late' {
    if (this.played.has(f.timestamp) || this.store.has(f.timestamp)) return 'duplicate';
    if (this.playTs !== null && f.timestamp < this.playTs) return 'late';
    return 'ok';
  }

  /** Take the due frame for playout (normal, accelerate or preemptive expand). */
  take(f: JbFrame): void {
    this.store.remove(f.timestamp);
    this.played.add(f.timestamp);
    this.lastPlayed = f;
    this.playTs = f.timestamp + f.durationTs;
  }

  /**
   * The due frame is missing: decide between FEC, comfort noise and expand, and advance the cursor
   * past the missing frame. Frames already held with older timestamps are dropped by the caller.
   */
  fillMissing(nowMs: number, ctx: PlayoutContext): Decision {
    const ts = this.playTs!;
    const step = this.frameTs;
    const nextHeld = this.store.firstAfter(ts - 1);
    this.playTs = ts + step;
    // DTX: the sender stops sending after a DTX frame; a timestamp gap without a sequence gap is silence, not loss.
    const dtxGap =
      this.lastPlayed !== null &&
      ((nextHeld !== undefined && nextHeld.seq === this.lastPlayed.seq + 1) ||
        (nextHeld === undefined && (isDtxFrame(this.lastPlayed) || ctx.lastOp === 'comfortNoise')));
    if (dtxGap) return { op: 'comfortNoise' };
    if (this.host.useInbandFec && nextHeld && nextHeld.timestamp === ts + step && nextHeld.hasFec) {
      return { op: 'fec', frame: nextHeld };
    }
    void nowMs;
    return { op: 'expand' };
  }
}
