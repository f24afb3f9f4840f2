/** Shared helpers for the channel tests. */
import { ChannelConfigSchema, ChannelOverrideSchema, type ChannelConfig, type Phase } from '../../src/channel/config.ts';
import { Channel } from '../../src/channel/channel.ts';
import type { ChannelDecision, Lane } from '../../src/channel/types.ts';

/** A full configuration from a partial scenario section (schema defaults filled in). */
export function cfg(input: unknown = {}): ChannelConfig {
  return ChannelConfigSchema.parse(input);
}

export function channel(input: unknown = {}, opts: { seed?: number; phases?: Phase[]; slotMs?: number; direction?: 'aToB' | 'bToA' } = {}): Channel {
  return new Channel(cfg(input), opts.phases ?? [], { seed: opts.seed ?? 1, direction: opts.direction ?? 'aToB', slotMs: opts.slotMs ?? 20 });
}

/** A resolved phase; `set` is scenario input, parsed by the override schema as the loader does. */
export function phase(p: Partial<Omit<Phase, 'set'>> & { atMs: number; forMs: number; set: unknown }): Phase {
  return { transition: 'step', rampMs: 0, direction: 'aToB', label: 'p', ...p, set: ChannelOverrideSchema.parse(p.set) };
}

/** Send one packet every `intervalMs` for n packets; returns the decisions. */
export function sendStream(ch: Channel, n: number, opts: { intervalMs?: number; sizeBytes?: number; lane?: Lane; startMs?: number } = {}): ChannelDecision[] {
  const out: ChannelDecision[] = [];
  const iv = opts.intervalMs ?? 20;
  for (let i = 0; i < n; i++) out.push(ch.send({ sendMs: (opts.startMs ?? 0) + i * iv, sizeBytes: opts.sizeBytes ?? 100, lane: opts.lane ?? 'media' }));
  return out;
}

/** Loss fraction and mean run length of consecutive losses of a boolean sequence. */
export function lossRuns(lost: readonly boolean[]): { loss: number; meanBurst: number } {
  let n = 0;
  let runs = 0;
  let prev = false;
  for (const l of lost) {
    if (l) {
      n++;
      if (!prev) runs++;
    }
    prev = l;
  }
  return { loss: n / lost.length, meanBurst: runs === 0 ? 0 : n / runs };
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

export function sd(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

export function lag1(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i] - m) ** 2;
    if (i > 0) num += (xs[i] - m) * (xs[i - 1] - m);
  }
  return num / den;
}
