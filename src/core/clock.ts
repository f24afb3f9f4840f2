/**
 * One clock abstraction (design-notes "Time"): milliseconds as floating-point numbers everywhere.
 * Offline the `VirtualClock` advances simulated time event by event; live the `RealClock` fires
 * the same callbacks on real timers. Stages never read a clock: the orchestrator passes `now` in.
 */
import { TimerQueue } from './timer-queue.ts';

export interface Clock {
  now(): number;
  /** Run `fn(at)` at time `atMs` (or as soon as possible if that is in the past). */
  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
}

/** A scheduled callback; it is its own cancel handle (one object per event on the hot path). */
class Event implements TimerHandle {
  cancelled = false;

  constructor(
    readonly at: number,
    readonly order: number,
    readonly fn: (atMs: number) => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/** Discrete-event scheduler: events run in (time, insertion order). */
export class VirtualClock implements Clock {
  private readonly queue = new TimerQueue<Event>();
  private order = 0;
  private t: number;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle {
    const ev = new Event(Math.max(atMs, this.t), this.order++, fn);
    this.queue.push(ev);
    return ev;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Run events in time order until none is left or the next one is after `untilMs`. */
  run(untilMs = Infinity): void {
    for (let top = this.queue.peek(); top !== undefined; top = this.queue.peek()) {
      if (top.at > untilMs) break;
      this.queue.pop();
      if (top.cancelled) continue;
      this.t = top.at;
      top.fn(top.at);
    }
    if (untilMs !== Infinity && untilMs > this.t) this.t = untilMs;
  }
}

/** Milliseconds on the process-wide monotonic clock (process.hrtime): the same instant reads the same in every thread. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Real time for the live server: `now()` is milliseconds since the clock's zero (monotonic, from
 * performance.now), timers are setTimeout. Only live code constructs one. Each thread's
 * performance.now() counts from that thread's own start, so threads that must agree on time (the
 * live server and its leg workers) share a zero given on the process-wide monotonic clock
 * (`originMonotonicMs`); without one the zero is the clock's creation.
 */
export class RealClock implements Clock {
  /** performance.now() at this clock's zero. */
  private readonly zero: number;

  constructor(originMonotonicMs?: number) {
    const perf = performance.now();
    this.zero = originMonotonicMs === undefined ? perf : perf - (monotonicMs() - originMonotonicMs);
  }

  now(): number {
    return performance.now() - this.zero;
  }

  /** This clock's zero on the process-wide monotonic clock: give it to another thread's RealClock. */
  get originMonotonicMs(): number {
    return monotonicMs() - this.now();
  }

  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle {
    const delay = Math.max(0, atMs - this.now());
    const h = setTimeout(() => fn(atMs), delay);
    return { cancel: () => clearTimeout(h) };
  }
}
