/**
 * Link outages (channel-models.md sections 3 and 5: G.1050 link failures, mm-onoff /
 * mm-intermittent, handovers). The state is a function of time, never of the packets:
 *
 * - always: down while the setting is in force (meant for a phase);
 * - periodic: up onS seconds, then down offMs, repeating from t = 0 (G.1050's periodic link
 *   failure; deterministic, so place it with phases if its phase matters);
 * - poisson: exponential up-times with mean onS (unit exponentials keyed by interval index from
 *   the outage stream), each followed by offMs down (mm-onoff).
 *
 * `drop` loses packets that meet the link down; `hold` delivers them when it comes back
 * (`upAt`). A setting that can change over time is read from `configAt`, and the link may only
 * come back at the end of a down interval or at a phase boundary.
 */
import type { RngStream } from '../core/rng.ts';
import type { ChannelConfig } from './config.ts';
import { EventSequence } from './event-sequence.ts';

export type OutageConfig = NonNullable<ChannelConfig['outage']>;

/** Down for `always`; for `periodic`, in the last offMs of each (onS s + offMs) period. */
export function periodicDown(onMs: number, offMs: number, t: number): boolean {
  if (offMs <= 0) return false;
  if (onMs <= 0) return true;
  const period = onMs + offMs;
  const phase = t - Math.floor(t / period) * period;
  return phase >= onMs;
}

export class OutageProcess {
  /** Down-interval starts of the poisson schedule, per (onS, offMs). */
  private readonly schedules = new Map<string, EventSequence>();

  constructor(
    private readonly stream: RngStream,
    private readonly configAt: (tMs: number) => ChannelConfig,
    /** Sorted times at which the setting may change (phase starts and ends). */
    private readonly boundariesMs: readonly number[],
  ) {}

  private schedule(o: OutageConfig): EventSequence {
    const key = `${o.onS}|${o.offMs}`;
    let s = this.schedules.get(key);
    if (!s) {
      const onMs = o.onS * 1000;
      const offMs = o.offMs;
      // d_0 = E_0 on; d_i = d_{i-1} + off + E_i on, with E_i = -ln(1 - u_i) unit exponentials.
      s = new EventSequence((i, prev) => (i === 0 ? 0 : prev + offMs) - Math.log(1 - this.stream.at(i)) * onMs);
      this.schedules.set(key, s);
    }
    return s;
  }

  /** The down interval containing t under setting o, as its end time, or null when up. */
  private downUntil(o: OutageConfig | null, t: number): number | null {
    if (o === null) return null;
    const onMs = o.onS * 1000;
    switch (o.mode) {
      case 'always':
        return Infinity;
      case 'periodic': {
        if (!periodicDown(onMs, o.offMs, t)) return null;
        if (onMs <= 0) return Infinity;
        const period = onMs + o.offMs;
        return (Math.floor(t / period) + 1) * period;
      }
      case 'poisson': {
        if (o.offMs <= 0) return null;
        if (onMs <= 0) return Infinity;
        const s = this.schedule(o);
        const i = s.lastAtOrBefore(t);
        if (i < 0) return null;
        const end = s.value(i) + o.offMs;
        return t < end ? end : null;
      }
    }
  }

  isDown(t: number): boolean {
    return this.downUntil(this.configAt(t).outage, t) !== null;
  }

  /** The earliest time >= t at which the link is up (Infinity if it never comes back). */
  upAt(t: number): number {
    let now = t;
    for (let guard = 0; guard < 100_000; guard++) {
      const end = this.downUntil(this.configAt(now).outage, now);
      if (end === null) return now;
      const nb = this.nextBoundary(now);
      const next = Math.min(end, nb);
      if (next === Infinity) return Infinity;
      now = next;
    }
    return Infinity;
  }

  private nextBoundary(t: number): number {
    const b = this.boundariesMs;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo < b.length ? b[lo] : Infinity;
  }

  /** Forget schedule entries no query at or after t can need. */
  prune(t: number): void {
    for (const s of this.schedules.values()) s.prune(t);
  }
}
