/**
 * The live server's one scheduler: every playout tick, channel delivery, RTCP report and
 * heartbeat of the process sits in one binary min-heap (the TimerQueue the simulator's
 * VirtualClock uses, so both run due callbacks in the same order) and a single host timer is armed for the
 * earliest entry (not one setInterval per stream). It implements the core `Clock`, so stages
 * get their times from it exactly as the simulator's VirtualClock hands them out: each callback
 * receives its *due* time, never the late wall-clock instant it happened to run at.
 *
 * Periodic tasks (`every`) are drift-free: the k-th run is due at first + k * period, computed
 * from the start, never by accumulating timer delays. Their lateness (run instant - due time) is
 * reported to an optional recorder: it is the figure the capacity benchmark is judged on.
 */
import type { Clock, TimerHandle } from '../core/clock.ts';
import { JitterlabError } from '../core/errors.ts';
import { TimerQueue } from '../core/timer-queue.ts';

/** The host's one-shot timer (setTimeout in production; a fake in tests). */
export interface HostTimers {
  set(fn: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

export const NODE_TIMERS: HostTimers = {
  set: (fn, delayMs) => setTimeout(fn, delayMs),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Entry {
  at: number;
  order: number;
  fn: (atMs: number) => void;
  cancelled: boolean;
}

/**
 * A wake-up that has run callbacks for this long (ms) stops and lets the event loop in (incoming
 * packets, requests, outgoing batches) before it goes on with what is still due. Without it a
 * thread whose due work outgrew real time never left the wake-up: it caught up forever and read
 * nothing, not even a request to close; and packets that had arrived before a playout tick's due
 * time waited behind the tick and were counted late.
 */
export const YIELD_AFTER_MS = 10;

export interface LatenessSink {
  record(lateMs: number): void;
}

export class TimerWheel implements Clock {
  private readonly queue = new TimerQueue<Entry>();
  private order = 0;
  private armedAt = Infinity;
  private handle: unknown = null;
  private firing = false;
  private stopped = false;
  /** Receives the lateness of every periodic run (ms, may be slightly negative: see earlyMs). */
  lateness: LatenessSink | null = null;
  /** A callback threw: reported here and the wheel goes on (one bad stream must not stop the others). */
  onError: ((e: unknown) => void) | null = null;

  /**
   * @param time    the time source (a RealClock live)
   * @param timers  the host timer
   * @param earlyMs entries due within this margin run in the current wake-up: host timers have
   *                1 ms granularity and fire up to ~1 ms late, so this halves the typical lateness.
   */
  constructor(
    private readonly time: Pick<Clock, 'now'>,
    private readonly timers: HostTimers = NODE_TIMERS,
    private readonly earlyMs = 1,
  ) {}

  now(): number {
    return this.time.now();
  }

  get pending(): number {
    return this.queue.size;
  }

  schedule(atMs: number, fn: (atMs: number) => void): TimerHandle {
    const e: Entry = { at: atMs, order: this.order++, fn, cancelled: false };
    this.queue.push(e);
    if (!this.firing && atMs < this.armedAt) this.arm();
    return {
      cancel: () => {
        e.cancelled = true;
      },
    };
  }

  /**
   * Run `fn(dueMs, k)` at first + k * period for k = 0, 1, ... until cancelled. After a stall,
   * missed runs are made up one after the other (playout ticks: every frame is played), unless
   * `catchUp` is false (heartbeats, reports: only the next future run is kept).
   */
  every(periodMs: number, firstAtMs: number, fn: (dueMs: number, k: number) => void, opts: { catchUp?: boolean } = {}): TimerHandle {
    if (!(periodMs > 0)) throw new JitterlabError('internal', `timer wheel: period must be positive, got ${periodMs}`);
    const catchUp = opts.catchUp ?? true;
    let cancelled = false;
    let current: TimerHandle | null = null;
    const run = (k: number) => (due: number) => {
      if (cancelled) return;
      const now = this.now();
      if (catchUp) this.lateness?.record(now - due);
      fn(due, k);
      if (cancelled) return;
      let next = k + 1;
      if (!catchUp) next = Math.max(next, Math.floor((now - firstAtMs) / periodMs) + 1);
      current = this.schedule(firstAtMs + next * periodMs, run(next));
    };
    current = this.schedule(firstAtMs, run(0));
    return {
      cancel: () => {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /** Drop every pending entry and the host timer. */
  stop(): void {
    this.stopped = true;
    for (let e = this.queue.pop(); e !== undefined; e = this.queue.pop()) e.cancelled = true;
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.queue.peek()?.cancelled) this.queue.pop();
    const top = this.queue.peek();
    if (top === undefined) {
      if (this.handle !== null) this.timers.clear(this.handle);
      this.handle = null;
      this.armedAt = Infinity;
      return;
    }
    const next = top.at;
    if (this.handle !== null && next === this.armedAt) return;
    if (this.handle !== null) this.timers.clear(this.handle);
    this.armedAt = next;
    this.handle = this.timers.set(() => this.fire(), Math.max(0, Math.floor(next - this.now())));
  }

  private fire(): void {
    this.handle = null;
    this.armedAt = Infinity;
    this.firing = true;
    try {
      const start = this.now();
      let limit = start + this.earlyMs;
      for (let e = this.queue.peek(); e !== undefined && e.at <= limit; e = this.queue.peek()) {
        this.queue.pop();
        if (e.cancelled) continue;
        try {
          e.fn(e.at);
        } catch (err) {
          if (!this.onError) throw err;
          this.onError(err);
        }
        // Entries that fell due meanwhile run too, up to the wake-up's time budget.
        const now = this.now();
        if (now - start >= YIELD_AFTER_MS) break;
        limit = now + this.earlyMs;
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  }
}
