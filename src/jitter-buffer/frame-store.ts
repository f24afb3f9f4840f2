import type { JbFrame } from './types.ts';

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
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid].timestamp < f.timestamp) lo = mid + 1;
      else hi = mid;
    }
    if (lo < a.length && a[lo].timestamp === f.timestamp) return false;
    a.splice(lo, 0, f);
    return true;
  }

  has(timestamp: number): boolean {
    return this.find(timestamp) !== undefined;
  }

  find(timestamp: number): JbFrame | undefined {
    const a = this.frames;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const t = a[mid].timestamp;
      if (t === timestamp) return a[mid];
      if (t < timestamp) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
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
    for (const f of this.frames) if (f.timestamp > ts) return f;
    return undefined;
  }

  remove(timestamp: number): JbFrame | undefined {
    const f = this.find(timestamp);
    if (f) this.frames.splice(this.frames.indexOf(f), 1);
    return f;
  }

  /** Remove and return the earliest frame. */
  shift(): JbFrame | undefined {
    return this.frames.shift();
  }

  /** Remove and return every frame with timestamp < ts (oldest first). */
  removeBefore(ts: number): JbFrame[] {
    let n = 0;
    while (n < this.frames.length && this.frames[n].timestamp < ts) n++;
    return this.frames.splice(0, n);
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
