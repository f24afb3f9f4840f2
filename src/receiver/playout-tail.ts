/**
 * The frame slots a receiver has played since its last decoded frame: concealment (expand) or
 * comfort noise, one entry per slot with its RTP timestamp. When a stream's sender has stopped,
 * these slots are the call's tail: audio that was never sent. Offline the call ends when playout
 * passes its last frame, so the tail never exists; a live stream learns where its last frame was
 * only afterwards, and takes the tail back out of its counters (Receiver.countersEndingAt).
 *
 * Bounded: a tail longer than `capacity` slots keeps its first `capacity` entries (a live stream
 * is closed long before; see src/live/rtp-stream.ts).
 */
import { tsDiff } from '../rtp/wrap.ts';

export const TAIL_CONCEALED = 1;
export const TAIL_SILENT = 2;
/** The slot started a concealment event (W3C concealmentEvents). */
export const TAIL_OPENED_EVENT = 4;
export const TAIL_COMFORT_NOISE = 8;

export interface TailRetraction {
  slots: number;
  concealed: number;
  silentConcealed: number;
  comfortNoise: number;
  events: number;
}

export class PlayoutTail {
  private flags: Uint8Array;
  private firstTs = 0;
  private n = 0;

  constructor(
    private readonly frameTs: number,
    private readonly capacity = 1 << 16,
  ) {
    this.flags = new Uint8Array(64);
  }

  get length(): number {
    return this.n;
  }

  /** A decoded frame was played: the tail is gone. */
  clear(): void {
    this.n = 0;
  }

  /** A slot played without a decoded frame; `extTs` is its extended RTP timestamp. */
  push(extTs: number, flags: number): void {
    if (this.n === 0) this.firstTs = extTs;
    if (this.n >= this.capacity) return;
    if (this.n === this.flags.length) {
      const grown = new Uint8Array(Math.min(this.capacity, this.flags.length * 2));
      grown.set(this.flags);
      this.flags = grown;
    }
    this.flags[this.n++] = flags;
  }

  /** What to take back when the stream ended with the frame at 32-bit timestamp `lastTs`: the tail slots after it. */
  after(lastTs: number): TailRetraction {
    const r: TailRetraction = { slots: 0, concealed: 0, silentConcealed: 0, comfortNoise: 0, events: 0 };
    if (this.n === 0) return r;
    // Slot i has timestamp firstTs + i * frameTs; the ones after lastTs start at index `from`.
    const d = tsDiff(this.firstTs, lastTs);
    const from = d > 0 ? 0 : Math.floor(-d / this.frameTs) + 1;
    for (let i = from; i < this.n; i++) {
      const f = this.flags[i];
      r.slots++;
      if (f & TAIL_CONCEALED) {
        r.concealed++;
        if (f & TAIL_SILENT) r.silentConcealed++;
        if (f & TAIL_OPENED_EVENT) r.events++;
      }
      if (f & TAIL_COMFORT_NOISE) r.comfortNoise++;
    }
    return r;
  }
}
