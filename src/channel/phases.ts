/**
 * The channel configuration in force at a time: the base configuration with the phases that
 * cover that time applied in order (a later phase wins where two overlap).
 *
 * transition 'step': the override holds on [atMs, atMs + forMs). transition 'linear': numeric
 * fields ramp from the value underneath to the phase's value over the first rampMs, hold, and
 * ramp back over the last rampMs (a phase shorter than 2 rampMs is a triangle); non-numeric
 * fields (model names, null <-> value, the outage / routeFlap / slot / trace objects) switch at
 * the phase start. Integer fields are rounded. Markov loss state is not part of the
 * configuration and is kept across phases (loss-process.ts).
 */
import type { ChannelConfig, ChannelOverride, Phase } from './config.ts';

export type Direction = 'aToB' | 'bToA';

/** Objects replaced as a whole (nullable settings), not merged key by key. */
const LEAF_OBJECTS = new Set(['outage', 'routeFlap', 'replay', 'slot', 'trace']);
/** Integer-valued keys (schema .int()): ramps are rounded. */
const INTEGER_KEYS = new Set(['overheadBytes', 'gap', 'cellBytes', 'cellOverheadBytes', 'limitPackets', 'limitBytes']);

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeSection(base: Rec, set: Rec, w: number): Rec {
  const out: Rec = { ...base };
  for (const key of Object.keys(set)) {
    const v = set[key];
    if (v === undefined) continue;
    const b = base[key];
    if (isRecord(v) && isRecord(b) && !LEAF_OBJECTS.has(key)) out[key] = mergeSection(b, v, w);
    else if (typeof v === 'number' && typeof b === 'number') {
      const x = b + w * (v - b);
      out[key] = INTEGER_KEYS.has(key) ? Math.round(x) : x;
    } else out[key] = v;
  }
  return out;
}

/** Apply one override with numeric weight w in [0, 1] (1 = the override's values). */
export function applyOverride(base: ChannelConfig, set: ChannelOverride, w = 1): ChannelConfig {
  return mergeSection(base as unknown as Rec, set as unknown as Rec, w) as unknown as ChannelConfig;
}

/** The phases that apply to one direction, in their given order. */
export function phasesForDirection(phases: readonly Phase[], direction: Direction): Phase[] {
  return phases.filter((p) => p.direction === direction || p.direction === 'both');
}

/** The phase's weight at t: null outside [atMs, atMs + forMs), else 1 (step) or the ramp. */
export function phaseWeight(phase: Phase, tMs: number): number | null {
  if (!(tMs >= phase.atMs && tMs < phase.atMs + phase.forMs)) return null;
  if (phase.transition === 'step' || phase.rampMs <= 0) return 1;
  const rin = (tMs - phase.atMs) / phase.rampMs;
  const rout = (phase.atMs + phase.forMs - tMs) / phase.rampMs;
  return Math.max(0, Math.min(1, rin, rout));
}

/** The configuration in force at tMs for `direction`. Returns `base` itself when no phase applies. */
export function effectiveChannelConfig(base: ChannelConfig, phases: readonly Phase[], direction: Direction, tMs: number): ChannelConfig {
  let cfg = base;
  for (const p of phases) {
    if (p.direction !== direction && p.direction !== 'both') continue;
    const w = phaseWeight(p, tMs);
    if (w === null) continue;
    cfg = applyOverride(cfg, p.set, w);
  }
  return cfg;
}

/** Sorted, distinct phase start and end times: the only times a setting can switch. */
export function phaseBoundariesMs(phases: readonly Phase[]): number[] {
  const s = new Set<number>();
  for (const p of phases) {
    s.add(p.atMs);
    s.add(p.atMs + p.forMs);
  }
  return [...s].sort((a, b) => a - b);
}
