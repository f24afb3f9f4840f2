/**
 * The opt-in measures (measures.ts) that need the call's audio: ViSQOL's MOS and NSIM. The
 * scenario runs with each variant's played audio and each encoding's loss-free decode written
 * to WAVs in a temporary directory, laid out as in a report, and every variant is scored there
 * by the report's own scoreVariant: the same numbers as scores.visqol in results.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { variantFiles, type VariantResultsJson } from '../report/results.ts';
import { scoreVariant } from '../report/scores-for-run.ts';
import { WavStreamWriter } from '../report/wav-stream.ts';
import type { Scenario } from '../scenario/load.ts';
import { runScenario, type RunOptions, type ScenarioRun } from '../sim/run-scenario.ts';
import { emodelView } from './emodel-of-run.ts';
import type { MeasureValues } from './measures.ts';

/** The run, and per variant (in order) its visqol and vnsim (null when no audio was played or ViSQOL refused it). */
export async function runWithSignalMeasures(sc: Scenario, opts: Omit<RunOptions, 'audio'>): Promise<{ run: ScenarioRun; signal: MeasureValues[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'jitterlab-signal-'));
  const writers: WavStreamWriter[] = [];
  const multi = sc.variants.length > 1;
  let refIndex = 0;
  try {
    const run = await runScenario(sc, {
      ...opts,
      audio: {
        degraded(variant, rate) {
          const w = new WavStreamWriter(join(dir, multi ? `variants/${variant}/degraded.wav` : 'degraded.wav'), rate);
          writers.push(w);
          return w;
        },
        reference(_variant, rate) {
          const w = new WavStreamWriter(join(dir, refIndex === 0 ? 'reference.wav' : `reference-${refIndex}.wav`), rate);
          refIndex++;
          writers.push(w);
          return w;
        },
      },
    });
    for (const w of writers.splice(0)) w.commit();
    const signal = run.variants.map((v, i): MeasureValues => {
      const view = { ...emodelView(v), files: variantFiles(v, i, multi) } as VariantResultsJson;
      const visqol = scoreVariant(view, dir, { visqol: true }).visqol;
      return { visqol: visqol?.mos ?? null, vnsim: visqol?.vnsim ?? null };
    });
    return { run, signal };
  } finally {
    for (const w of writers) w.abort();
    rmSync(dir, { recursive: true, force: true });
  }
}
