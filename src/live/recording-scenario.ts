/**
 * The scenario a recording re-runs offline with (`jitterlab run <dir>/scenario.yaml`): the
 * recorded source audio, the first period's channel and receiver, and one phase per later
 * period (one per settings change), at the point of the source audio where the change happened,
 * plus the preset's own phases (a timeline such as a handover) where a period ran one, shifted
 * to where that period's channel started. Later phases win where they overlap
 * (channel/phases.ts), so a preset's phase applies over its period's phase.
 *
 * A phase starts half a frame after the boundary: the frame being captured when the settings
 * changed was sent under the new ones live, and offline frame i is sent at (i + 1) frames.
 * Receiver changes (another buffer) cannot be phases; the file says so when there were any.
 */
import { stringify } from 'yaml';
import type { ChannelConfig, Phase } from '../channel/config.ts';
import type { CodecConfig } from '../codec/config.ts';
import type { Period } from './recorded-leg.ts';

export interface ScenarioInput {
  session: string;
  /** Re-run command shown in the header. */
  path: string;
  sourceFile: string;
  sourceSamples: number;
  sampleRate: number;
  codec: CodecConfig;
  periods: readonly Period[];
}

const secs = (ms: number) => Math.round(ms) / 1000;

/** Top-level channel sections of `b` that differ from `a`. */
function channelDiff(a: ChannelConfig, b: ChannelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(b) as Array<keyof ChannelConfig>) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out[k] = b[k];
  return out;
}

interface PhaseOut {
  at: number;
  for: number;
  set: unknown;
  transition?: 'step' | 'linear';
  rampMs?: number;
  label: string;
}

/** A preset phase of a period, on the source timeline and cut to the period. */
function shiftedPresetPhase(ph: Phase, originSourceMs: number, fromMs: number, toMs: number, k: number): PhaseOut | null {
  const at = originSourceMs + ph.atMs;
  const start = Math.max(at, fromMs);
  const end = Math.min(at + ph.forMs, toMs);
  if (!(end > start)) return null;
  return { at: secs(start), for: secs(end - start), set: ph.set, transition: ph.transition, rampMs: ph.rampMs, label: `period ${k + 1}: ${ph.label}` };
}

function receiverKey(p: Period): string {
  const c = p.config;
  return JSON.stringify([c.jitterBufferConfig, c.plc, c.fec, c.deviceBufferMs]);
}

export function recordingScenarioYaml(s: ScenarioInput): string {
  const half = (s.codec.frameMs ?? 20) / 2;
  const totalMs = Math.floor((s.sourceSamples / s.sampleRate) * 100) * 10;
  const durationMs = Math.max(20, totalMs);
  const periods = s.periods.filter((p) => p.sourceEndMs !== null);
  const base = periods[0];
  const phases: PhaseOut[] = [];
  const notes: string[] = [];
  periods.forEach((p, k) => {
    const from = k === 0 ? 0 : Math.min(durationMs, p.sourceStartMs + half);
    const to = k === periods.length - 1 ? durationMs : Math.min(durationMs, periods[k + 1].sourceStartMs + half);
    if (k > 0 && to > from) {
      // One phase per settings change: it states the sections the sliders move, and whatever else differs from the first period.
      const ch = p.config.channel;
      const set = { delay: ch.delay, loss: ch.loss, ...channelDiff(base.config.channel, ch) };
      phases.push({ at: secs(from), for: secs(to - from), set, label: `live period ${k + 1} (${p.config.preset})` });
    }
    if (k > 0 && receiverKey(p) !== receiverKey(base)) notes.push(`period ${k + 1} (from ${secs(from)} s) ran buffer ${p.config.bufferLabel}; phases change only the channel, so this re-run keeps the first period's receiver.`);
    // Where this period's channel timeline started, on the source timeline.
    const originSourceMs = p.sourceStartMs - (p.startMs - p.channelOriginMs);
    for (const ph of p.config.phases) {
      const out = shiftedPresetPhase(ph, originSourceMs, from, to, k);
      if (out) phases.push(out);
    }
  });
  const c = base.config;
  const doc = {
    name: `live-${s.session}`,
    description: `Offline re-run of live session ${s.session} (preset ${c.preset}, buffer ${c.bufferLabel}${periods.length > 1 ? `, ${periods.length} settings periods` : ''})`,
    seed: c.seed,
    durationS: durationMs / 1000,
    source: { file: s.sourceFile, loop: false },
    sender: { codec: s.codec },
    channel: c.channel,
    ...(phases.length ? { phases } : {}),
    receiver: { jitterBuffer: c.jitterBufferConfig, plc: c.plc, fec: c.fec, deviceBufferMs: c.deviceBufferMs },
  };
  const header = [`# Written by jitterlab serve. Re-run: jitterlab run ${s.path}`, ...notes.map((n) => `# Note: ${n}`)];
  return `${header.join('\n')}\n${stringify(doc)}`;
}
