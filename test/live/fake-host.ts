import type { HostTimers } from '../../src/live/timer-wheel.ts';

/** A fake clock and host timer: time moves only when the test says, timers fire `lateBy` ms late. */
export class FakeHost implements HostTimers {
  t = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private id = 0;
  armed = 0;
  constructor(private readonly lateBy = 0) {}
  now = () => this.t;
  set(fn: () => void, delayMs: number): unknown {
    this.armed++;
    const id = ++this.id;
    // Like Node's setTimeout: a delay below 1 ms is 1 ms.
    this.timers.push({ at: this.t + Math.max(1, delayMs) + this.lateBy, fn, id });
    return id;
  }
  clear(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(to: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = to;
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
}

