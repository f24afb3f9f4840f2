/**
 * One sweep point: its scenario built and run without an audio sink (no WAV, no HTML), reduced
 * to the measure catalogue per variant; with an opt-in measure (visqol), its audio is written to
 * a temporary directory and scored (check/signal-measures.ts). Runs in a worker thread or, with
 * jobs = 0, in-process.
 */
import { measuresOf, type MeasureValues } from '../check/measures.ts';
import { runWithSignalMeasures } from '../check/signal-measures.ts';
import { JitterlabError } from '../core/errors.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import { runScenario } from '../sim/run-scenario.ts';
import type { AudioSource } from '../source/audio-source.ts';
import type { AxisValue } from './grid.ts';
import { pointScenario } from './plan.ts';

export interface PointTask {
  index: number;
  params: Record<string, AxisValue>;
  seed: number;
}

export type PointOutcome =
  | { index: number; ok: true; variants: Record<string, MeasureValues>; simulatedS: number }
  | { index: number; ok: false; error: string };

export interface PointContext {
  file: string;
  raw: Record<string, unknown>;
  /** Shared across points; null = a fresh cache per point (every point encodes its own audio). */
  encodings: Map<string, EncodedStream> | null;
  sources: Map<string, AudioSource>;
  /** Compute the opt-in measures too (visqol, vnsim). */
  signal: boolean;
}

export async function runPoint(ctx: PointContext, task: PointTask): Promise<PointOutcome> {
  try {
    const sc = pointScenario(ctx.file, ctx.raw, task.params);
    const opts = { seed: task.seed, encodingCache: ctx.encodings ?? new Map<string, EncodedStream>(), sourceCache: ctx.sources };
    const { run, signal } = ctx.signal ? await runWithSignalMeasures(sc, opts) : { run: await runScenario(sc, opts), signal: null };
    const variants: Record<string, MeasureValues> = {};
    run.variants.forEach((v, i) => {
      variants[v.name] = signal ? { ...measuresOf(v), ...signal[i] } : measuresOf(v);
    });
    return { index: task.index, ok: true, variants, simulatedS: sc.config.durationS * run.variants.length };
  } catch (e) {
    const msg = e instanceof JitterlabError ? e.message : `internal error: ${(e as Error).stack ?? String(e)}`;
    return { index: task.index, ok: false, error: msg };
  }
}
