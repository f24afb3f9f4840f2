/**
 * G.1050 (11/2007) route flap, as in its core model: every intervalS seconds the path delay
 * steps by +deltaMs, and steps back at the next flap. Deterministic in time from t = 0:
 * [0, I) normal, [I, 2I) +delta, [2I, 3I) normal, ...
 */
import type { ChannelConfig } from './config.ts';

export type RouteFlapConfig = NonNullable<ChannelConfig['routeFlap']>;

/** The delay offset (ms) of the flap at time t. */
export function routeFlapOffsetMs(flap: RouteFlapConfig | null, tMs: number): number {
  if (flap === null) return 0;
  const n = Math.floor(tMs / (flap.intervalS * 1000));
  return n % 2 !== 0 ? flap.deltaMs : 0;
}
