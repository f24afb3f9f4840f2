/**
 * One clock abstraction (design-notes "Time"): milliseconds as floating-point numbers everywhere.
 * Offline the `VirtualClock` advances simulated time event by event; live the `RealClock` fires
 * the same callbacks on real timers. Stages never read a clock: the orchestrator passes `now` in.
 */
export interface Clock {
  now(): number;
  /** Run `fn(at)` at time `atMs` (or as soon as possible if that is in the past). */
  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

interface Event {
  at: number;
  order: number;
  fn: (atMs: number) => void;
  cancelled: boolean;
}

/** Discrete-event scheduler: a binary min-heap ordered by (time, insertion order). */
export class VirtualClock implements Clock {
  private heap: Event[] = [];
  private order = 0;
  private t: number;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle {
    const ev: Event = { at: Math.max(atMs, this.t), order: this.order++, fn, cancelled: false };
    this.push(ev);
    return {
      cancel: () => {
        ev.cancelled = true;
      },
    };
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Run events in time order until none is left or the next one is after `untilMs`. */
  run(untilMs = Infinity): void {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (top.at > untilMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.t = top.at;
      top.fn(top.at);
    }
    if (untilMs !== Infinity && untilMs > this.t) this.t = untilMs;
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Real time for the live server: `now()` is milliseconds since the clock was created
 * (monotonic, from performance.now), timers are setTimeout. Only live code constructs one.
 */
export class RealClock implements Clock {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle {
    const delay = Math.max(0, atMs - this.now());
    const h = setTimeout(() => fn(atMs), delay);
    return { cancel: () => clearTimeout(h) };
  }
}
