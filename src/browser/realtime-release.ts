/**
 * Releases packets at scheduled instants of wall time, and logs when each actually left. A run in
 * real time is only evidence about the browser if packets left when the simulation said; the log
 * of lateness (actual - scheduled) is what tells (see release-lateness.ts).
 *
 * Waiting is a timer until shortly before the instant, then a short spin on the high-resolution
 * clock: Node's timers fire up to a millisecond or more late, and the spin (at most `spinMs`
 * per packet) takes that away without holding a core.
 */
export interface ReleasePlan {
  /** Scheduled instants (ms after t0), non-decreasing. */
  atMs: Float64Array;
}

export interface ReleaseHooks {
  /** Send item i (its instant has come). */
  send(i: number): void;
  /**
   * Called between releases when the next one is at least `idleMs` away, to start housekeeping
   * (polling the browser). It must not wait for it: whatever it awaits would delay packets.
   */
  idle?(nowMs: number, nextAtMs: number): void;
  /** Stop early (e.g. the browser went away): checked between releases. */
  aborted?(): string | null;
}

export interface ReleaseLog {
  scheduledMs: Float64Array;
  actualMs: Float64Array;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function releaseInRealTime(plan: ReleasePlan, t0: number, hooks: ReleaseHooks, now: () => number, opts: { spinMs?: number; idleMs?: number } = {}): Promise<ReleaseLog> {
  const spinMs = opts.spinMs ?? 1.5;
  const idleMs = opts.idleMs ?? 8;
  const n = plan.atMs.length;
  const actual = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const due = t0 + plan.atMs[i];
    let t = now();
    if (due - t >= idleMs && hooks.idle) {
      hooks.idle(t - t0, plan.atMs[i]);
      t = now();
    }
    const why = hooks.aborted?.();
    if (why) throw new Error(why);
    if (due - t > spinMs) await sleep(due - t - spinMs);
    while ((t = now()) < due) {
      // spin: the last stretch before the instant
    }
    hooks.send(i);
    actual[i] = t - t0;
  }
  return { scheduledMs: plan.atMs, actualMs: actual };
}
