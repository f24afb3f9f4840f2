import type { JbFrame } from './types.ts';

/** What removeBefore returns when nothing is older (every tick, nearly always). */
const NONE: readonly JbFrame[] = Object.freeze([]);

/**
 * Frames held by a buffer, ordered by extended timestamp. Buffers hold at most a few hundred
 * frames, so a sorted array with binary-search insertion is both simple and fast.
 */
export class FrameStore {
  private frames: JbFrame[] = [];

  get size(): number {
    return this.frames.length;
  }

  /** Insert in timestamp order; returns false if a frame with that timestamp is already held. */
  insert(f: JbFrame): boolean {
    const a = this.frames;
    const i = this.lowerBound(f.timestamp);
    if (i < a.length && a[i].timestamp === f.timestamp) return false;
    // Frames mostly arrive in order: appending is the common case.
    if (i === a.length) a.push(f);
    else a.splice(i, 0, f);
    return true;
  }

  /** Index of the first frame with timestamp >= ts. */
  private lowerBound(ts: number): number {
    const a = this.frames;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid].timestamp < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(timestamp: number): boolean {
    return this.find(timestamp) !== undefined;
  }

  find(timestamp: number): JbFrame | undefined {
    const i = this.lowerBound(timestamp);
    const f = this.frames[i];
    return f !== undefined && f.timestamp === timestamp ? f : undefined;
  }

  /** The earliest held frame, if any. */
  first(): JbFrame | undefined {
    return this.frames[0];
  }

  /** The latest held frame, if any. */
  last(): JbFrame | undefined {
    return this.frames[this.frames.length - 1];
  }

  /** The earliest held frame with timestamp > ts. */
  firstAfter(ts: number): JbFrame | undefined {
    const a = this.frames;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid].timestamp <= ts) lo = mid + 1;
      else hi = mid;
    }
    return a[lo];
  }

  remove(timestamp: number): JbFrame | undefined {
    const i = this.lowerBound(timestamp);
    const f = this.frames[i];
    if (f === undefined || f.timestamp !== timestamp) return undefined;
    if (i === 0) this.frames.shift();
    else this.frames.splice(i, 1);
    return f;
  }

  /** Remove and return the earliest frame. */
  shift(): JbFrame | undefined {
    return this.frames.shift();
  }

  /** Remove and return every frame with timestamp < ts (oldest first). */
  removeBefore(ts: number): readonly JbFrame[] {
    let n = 0;
    while (n < this.frames.length && this.frames[n].timestamp < ts) n++;
    return n === 0 ? NONE : this.frames.splice(0, n);
  }

  /** Media time held, from the earliest frame's start to the latest frame's end (RTP units). */
  spanTs(): number {
    const a = this.frames;
    if (a.length === 0) return 0;
    return a[a.length - 1].timestamp + a[a.length - 1].durationTs - a[0].timestamp;
  }

  all(): readonly JbFrame[] {
    return this.frames;
  }
}
