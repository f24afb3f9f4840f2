/**
 * The measure catalogue shared by `jitterlab sweep` (heatmaps) and `jitterlab check` (gates):
 * one number per variant run, each with the direction in which it gets better. The default
 * measures are derived from the run's aggregates (src/sim/aggregate.ts); the opt-in ones
 * (ViSQOL, signal-measures.ts) need the call's audio and cost a ViSQOL run per variant, so they
 * are computed only where asked for (a sweep's --measure, a check's expect:). Each is computed
 * by the report's own function, so a measure means the same thing in results.json, in a sweep
 * and in a baseline.
 */
import type { VariantResult } from '../sim/run-scenario.ts';
import { emodelForVariant } from './emodel-of-run.ts';

export type Better = 'higher' | 'lower';

export interface MeasureDef {
  name: string;
  better: Better;
  unit: string;
  description: string;
  /** Computed only when asked for (it needs the call's audio): see signal-measures.ts. */
  optIn?: true;
}

/** Every measure, in the order tables show them. */
export const MEASURES: readonly MeasureDef[] = Object.freeze([
  { name: 'mosEmodel', better: 'higher', unit: 'MOS', description: 'E-model conversational MOS (MOS-CQ), as in the run report: G.107.1 wideband scale at >= 16 kHz, G.107 below; Ppl = effective loss, Ta = mouth-to-ear, BurstR of the played sequence.' },
  { name: 'rFactor', better: 'higher', unit: 'R', description: 'E-model R on the 0..100 scale (RFC 3611 section 4.7.5 convention).' },
  { name: 'effectiveLoss', better: 'lower', unit: 'ratio', description: 'Media frames concealed at playout (lost or late) over frames sent, 0..1.' },
  { name: 'networkLoss', better: 'lower', unit: 'ratio', description: 'Media packets lost in the network (loss model, queue drops, outages) over packets sent, 0..1.' },
  { name: 'lossAfterFec', better: 'lower', unit: 'ratio', description: 'Frames whose packet was lost and not rebuilt by FEC/RED/parity/RTX, 0..1.' },
  { name: 'concealmentRatio', better: 'lower', unit: 'ratio', description: 'Concealed samples over samples played (W3C concealedSamples / totalSamplesReceived).' },
  { name: 'lateDiscarded', better: 'lower', unit: 'packets', description: 'Media packets that arrived too late for their playout time.' },
  { name: 'meanPlayoutDelayMs', better: 'lower', unit: 'ms', description: 'Mean send-to-playout delay of frames played from their own packet.' },
  { name: 'p95PlayoutDelayMs', better: 'lower', unit: 'ms', description: '95th percentile of the send-to-playout delay.' },
  { name: 'meanJitterBufferDelayMs', better: 'lower', unit: 'ms', description: 'Mean arrival-to-playout wait in the jitter buffer.' },
  { name: 'mouthToEarMs', better: 'lower', unit: 'ms', description: 'Mean mouth-to-ear delay: packetization + codec lookahead + network + jitter buffer + device buffer (G.114).' },
  { name: 'p95NetworkDelayMs', better: 'lower', unit: 'ms', description: '95th percentile of the one-way network delay of delivered media packets.' },
  { name: 'rfc3550JitterMs', better: 'lower', unit: 'ms', description: 'RFC 3550 section 6.4.1 interarrival jitter at the end of the call.' },
  { name: 'visqol', better: 'higher', unit: 'MOS', optIn: true, description: 'ViSQOL v3 speech-mode MOS of the played audio against the loss-free decode of the same encoding, as scores.visqol.mos in results.json (calls over 90 s in one-minute segments). Opt-in: a ViSQOL run per variant.' },
  { name: 'vnsim', better: 'higher', unit: 'NSIM', optIn: true, description: "ViSQOL's mean NSIM (neurogram similarity, 0..1) behind that MOS, as scores.visqol.vnsim. Opt-in, computed with visqol." },
]);

export type MeasureName = (typeof MEASURES)[number]['name'];
export type MeasureValues = Record<string, number | null>;

const BY_NAME = new Map(MEASURES.map((m) => [m.name, m]));

export function measureDef(name: string): MeasureDef | undefined {
  return BY_NAME.get(name);
}

export function measureNames(): string[] {
  return MEASURES.map((m) => m.name);
}

/** Whether any of `names` is an opt-in measure (the run must then write and score its audio). */
export function needsOptIn(names: Iterable<string>): boolean {
  for (const n of names) if (BY_NAME.get(n)?.optIn) return true;
  return false;
}

/** The measures a run computes when `chosen` are asked for: the default ones, and the opt-in ones if any is chosen. */
export function measuresComputed(chosen: Iterable<string>): MeasureDef[] {
  const all = needsOptIn(chosen);
  return MEASURES.filter((m) => all || !m.optIn);
}

const fin = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** Every default measure of one variant run (null where undefined, e.g. no frame played). */
export function measuresOf(v: VariantResult): MeasureValues {
  const a = v.aggregates;
  const e = emodelForVariant(v);
  return {
    mosEmodel: fin(e?.mosCq),
    rFactor: e ? e.rfc3611.rFactor : null,
    effectiveLoss: fin(a.playout.effectiveLoss),
    networkLoss: fin(a.network.lossRate),
    lossAfterFec: fin(a.playout.loss.afterFec),
    concealmentRatio: fin(a.playout.concealmentRatio),
    lateDiscarded: fin(a.playout.lateDiscarded),
    meanPlayoutDelayMs: fin(a.playout.playoutDelayMs.mean),
    p95PlayoutDelayMs: fin(a.playout.playoutDelayMs.p95),
    meanJitterBufferDelayMs: fin(a.playout.jitterBufferDelayMs.mean),
    mouthToEarMs: fin(a.latency.mouthToEarMs),
    p95NetworkDelayMs: fin(a.network.delayMs.p95),
    rfc3550JitterMs: fin(a.network.rfc3550JitterMs),
  };
}
