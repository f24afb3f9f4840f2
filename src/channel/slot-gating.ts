/**
 * netem `slot MIN [MAX] [packets N] [bytes B]` (tc-netem(8)): packets leave only when a slot
 * opens, slots opening every U[MIN, MAX] ms, each releasing at most N packets / B bytes, a
 * "crude approximation of bursty MACs (DOCSIS, WiFi, LTE)". As in netem a packet may start a
 * slot's budget even if it overdraws it (budget is checked before subtracting).
 *
 * The openings are an exogenous function of time (o_i = o_{i-1} + MIN + u_i (MAX - MIN), u_i
 * keyed by i on the slot stream, from t = 0); the budgets are endogenous (this path's packets).
 * Each packet takes the first opening at or after its arrival with budget left.
 */
import type { RngStream } from '../core/rng.ts';
import type { ChannelConfig } from './config.ts';
import { EventSequence } from './event-sequence.ts';

export type SlotConfig = NonNullable<ChannelConfig['link']['slot']>;

interface Gate {
  openings: EventSequence;
  used: Map<number, { packets: number; bytes: number }>;
}

export class SlotGate {
  private readonly gates = new Map<string, Gate>();

  constructor(private readonly stream: RngStream) {}

  private gate(c: SlotConfig): Gate {
    const min = c.minMs;
    const max = c.maxMs ?? c.minMs;
    const key = `${min}|${max}`;
    let g = this.gates.get(key);
    if (!g) {
      g = {
        openings: new EventSequence((i, prev) => (i === 0 ? 0 : prev) + min + this.stream.at(i) * (max - min)),
        used: new Map(),
      };
      this.gates.set(key, g);
    }
    return g;
  }

  /** The release time of a packet of `bytes` arriving at t. */
  release(t: number, bytes: number, c: SlotConfig): number {
    const g = this.gate(c);
    for (let i = g.openings.firstAtOrAfter(t); ; i++) {
      const u = g.used.get(i) ?? { packets: 0, bytes: 0 };
      const fits = (c.maxPackets === undefined || u.packets < c.maxPackets) && (c.maxBytes === undefined || u.bytes < c.maxBytes);
      if (fits) {
        g.used.set(i, { packets: u.packets + 1, bytes: u.bytes + bytes });
        return g.openings.value(i);
      }
    }
  }

  /** Forget budgets and openings before t (no later packet arrives before its send time). */
  prune(t: number): void {
    for (const g of this.gates.values()) {
      const first = g.openings.firstAtOrAfter(t);
      for (const i of g.used.keys()) if (i < first) g.used.delete(i);
      g.openings.prune(t);
    }
  }
}
