/**
 * Where and when a run's variants are scored (scores-for-run.ts computes the scores): with
 * several variants, on worker threads (core/worker-pool.ts), one variant per task. The workers
 * start loading with the run, and each variant is handed to them as soon as it has run and its
 * WAVs are complete, so scoring overlaps the simulation of the next variants and the writing of
 * packets.csv and call.pcap; the HTML report is rendered once every score is in.
 *
 * Scores are the same numbers, byte for byte, whatever the number of workers: each variant is
 * scored by the same function from the same WAV bytes and the same part of results.json, and the
 * results are placed by variant index, never in order of completion.
 *
 * In this thread, after the run (as before workers existed): with one variant (there is nothing
 * to spread, and the records of a one-hour call are freed before its scoring starts, which keeps
 * it under its memory bound) and with `jobs: 0`. A scenario with a real-browser receiver, which
 * runs in real time, is scored on the workers only after the whole run: no scoring competes with
 * the browser for the CPU while its call plays.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { esmBundle, WORKER_EXTERNALS } from '../core/esm-bundle.ts';
import { WorkerPool } from '../core/worker-pool.ts';
import { PROJECT_ROOT, type Scenario } from '../scenario/load.ts';
import { comparisonRow, rankComparison, type Results, type VariantResultsJson } from './results.ts';
import type { ScoreTask } from './score-worker.ts';
import { addScoresToResults, type VariantScores } from './scores-for-run.ts';

const WORKER_ENTRY = new URL('./score-worker.ts', import.meta.url);

/** URL of the bundled scoring worker, or null (the pool then loads the TypeScript entry through tsx). */
export function scoreWorkerBundle(): Promise<URL | null> {
  return esmBundle({ name: 'score-worker', entry: join(PROJECT_ROOT, 'src', 'report', 'score-worker.ts'), external: WORKER_EXTERNALS });
}

export interface RunScoringOptions {
  /** ViSQOL on (scenario report.visqol); E-model and sanity measures always. */
  visqol: boolean;
  /** Worker threads (default: every core; at most one per variant); 0 scores in this thread after the run. */
  jobs?: number;
}

export class RunScoring {
  /** Worker threads used (0: this thread). */
  readonly workers: number;
  /** Variants are handed over as they finish (variantDone), not after the run. */
  readonly early: boolean;
  private pool: Promise<WorkerPool<ScoreTask, VariantScores>> | null = null;
  private readonly scores = new Map<number, Promise<VariantScores>>();

  constructor(
    scenario: Scenario,
    private readonly dir: string,
    private readonly opts: RunScoringOptions,
  ) {
    const n = scenario.variants.length;
    this.workers = n < 2 ? 0 : Math.max(0, Math.min(opts.jobs ?? availableParallelism(), n));
    this.early = this.workers > 0 && !scenario.variants.some((v) => v.receiver.browser !== null);
  }

  /**
   * In early mode, starts the workers, once their bundle is there: building it (after a change of
   * the sources) takes esbuild's round trips through this thread's event loop, which a running
   * simulation would hold up to its end.
   */
  async prepare(): Promise<void> {
    if (this.early) await this.startPool();
  }

  /**
   * Variant `index` has run and its WAVs are complete: score it now (early mode; otherwise a
   * no-op). Resolves after one turn of the event loop, in which the workers' results are taken
   * and the next variants handed out: the simulation keeps this thread busy between variants.
   */
  variantDone(index: number, variant: VariantResultsJson): Promise<void> {
    if (!this.early) return Promise.resolve();
    this.submit(index, variant);
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Every variant's scores into `results`, and the comparison re-ranked, as addScoresToResults does. */
  async addTo(results: Results): Promise<void> {
    if (this.workers === 0) {
      addScoresToResults(results, this.dir, { visqol: this.opts.visqol });
      return;
    }
    results.variants.forEach((v, i) => {
      if (!this.scores.has(i)) this.submit(i, v);
    });
    // In variant order: a failure is the first variant's that fails, as in this thread, whichever worker failed first.
    const scores: VariantScores[] = [];
    for (let i = 0; i < results.variants.length; i++) scores.push(await this.scores.get(i)!);
    results.variants.forEach((v, i) => {
      v.scores = scores[i] as unknown as Record<string, unknown>;
    });
    if (results.comparison) results.comparison = rankComparison(results.variants.map(comparisonRow));
  }

  /** Ends the workers (after addTo, or on failure). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool.catch(() => null))?.close();
  }

  private startPool(): Promise<WorkerPool<ScoreTask, VariantScores>> {
    this.pool ??= scoreWorkerBundle().then((bundle) => {
      const pool = new WorkerPool<ScoreTask, VariantScores>({ entry: WORKER_ENTRY, bundle, size: this.workers, label: 'scoring' });
      pool.start();
      return pool;
    });
    return this.pool;
  }

  private submit(index: number, variant: VariantResultsJson): void {
    const task: ScoreTask = { variant, dir: this.dir, visqol: this.opts.visqol };
    const p = this.startPool().then((pool) => pool.submit(task));
    // Awaited in addTo; a run that fails before then must not report this rejection as unhandled.
    p.catch(() => undefined);
    this.scores.set(index, p);
  }
}
