/**
 * Worker-thread entry of a run's scoring (score-pool.ts): each task is one variant, scored by
 * scoreVariant from its part of results.json and the WAVs in the report's staging directory.
 */
import { serveTasks } from '../core/worker-pool.ts';
import type { VariantResultsJson } from './results.ts';
import { scoreVariant, type VariantScores } from './scores-for-run.ts';

export interface ScoreTask {
  variant: VariantResultsJson;
  dir: string;
  visqol: boolean;
}

serveTasks<null, ScoreTask, VariantScores>({ run: (t) => scoreVariant(t.variant, t.dir, { visqol: t.visqol }) });
