/**
 * One run of a sweep plan into its output directory, whatever runs the points (this thread, the
 * worker pool, or workers on a Redis queue): which points are left (`--resume` reads
 * points.jsonl back), the validation of every point before any runs, and the recording of each
 * outcome (points.jsonl, sweep.json snapshots as it goes, the report files at the end).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { JitterlabError, UsageError } from '../core/errors.ts';
import { makeOutputDir } from '../core/make-dirs.ts';
import type { Scenario } from '../scenario/load.ts';
import { inShard, type GridPoint, type Shard } from './grid.ts';
import { PointLog, type PointRecord } from './point-log.ts';
import type { PointOutcome } from './point-run.ts';
import { pointScenario, type SweepPlan } from './plan.ts';
import { sweepCsv } from './sweep-table.ts';
import { sweepHtml } from './sweep-html.ts';
import { buildSweepReport, planMeta, readPlanJson, writePlanJson, writeSweepJson, type PlanMeta, type SweepReport } from './sweep-report.ts';

const SNAPSHOT_MIN_MS = 3000;

export function writeSweepOutputs(dir: string, report: SweepReport): void {
  writeSweepJson(dir, report);
  writeFileAtomic(join(dir, 'sweep.csv'), sweepCsv(report));
  writeFileAtomic(join(dir, 'sweep.html'), sweepHtml(report));
}

/**
 * The scenario of every combination the points use, validated: a bad value fails here, naming
 * its key. Points of one combination differ only in their seed, which cannot make a scenario invalid.
 */
export function validatePoints(plan: SweepPlan, points: readonly GridPoint[]): Map<number, Scenario> {
  const scenarios = new Map<number, Scenario>();
  for (const p of points) if (!scenarios.has(p.combo)) scenarios.set(p.combo, pointScenario(plan.scenarioFile, plan.raw, p.params));
  return scenarios;
}

export interface SessionOptions {
  outDir: string;
  shard?: Shard | null;
  resume?: boolean;
  /** Called once with the number of points to run, then after each. */
  onProgress?: (done: number, todo: number) => void;
}

export class SweepSession {
  readonly meta: PlanMeta;
  readonly shard: Shard | null;
  /** Points of this run's shard. */
  readonly mine: GridPoint[];
  /** Points still to run (not finished successfully by an earlier run). */
  readonly todo: GridPoint[];
  /** Points an earlier run finished (--resume). */
  readonly resumed: number;
  finished = 0;
  simulatedS = 0;
  private readonly log: PointLog;
  private readonly records = new Map<number, PointRecord>();
  private readonly byIndex: Map<number, GridPoint>;
  private readonly flushEvery: number;
  private flushedAt = { points: 0, ms: performance.now() };

  /** Reads what an earlier run left (with `resume`); touches nothing on disk yet. */
  constructor(
    plan: SweepPlan,
    private readonly opts: SessionOptions,
  ) {
    this.meta = planMeta(plan);
    this.shard = opts.shard ?? null;
    this.log = new PointLog(join(opts.outDir, 'points.jsonl'));
    this.mine = plan.points.filter((p) => inShard(p.index, this.shard));
    if (opts.resume) this.readEarlierRun();
    this.resumed = this.records.size;
    this.todo = this.mine.filter((p) => !this.records.has(p.index));
    this.byIndex = new Map(this.todo.map((p) => [p.index, p]));
    // sweep.json as it goes: after every 5% of the points, but not more often than every few
    // seconds (each snapshot summarises every point so far, work this thread takes from the workers).
    this.flushEvery = Math.max(1, Math.floor(this.todo.length / 20));
  }

  private readEarlierRun(): void {
    const dir = this.opts.outDir;
    const prev = readPlanJson(dir);
    if (prev === null) throw new UsageError(`--resume: ${dir} has no plan.json (no sweep to continue)`);
    if (prev.hash !== this.meta.hash) throw new UsageError(`--resume: ${dir} holds a different sweep (plan ${prev.hash}, this one ${this.meta.hash}); use another --out`);
    const shard = this.shard;
    if (JSON.stringify(prev.shard) !== JSON.stringify(shard)) throw new UsageError(`--resume: ${dir} was shard ${prev.shard ? `${prev.shard.k}/${prev.shard.n}` : 'none'}; pass the same --shard`);
    for (const [i, rec] of this.log.read()) if (rec.error === null && inShard(i, shard)) this.records.set(i, rec);
  }

  /** Only after every point validated: a rejected point must not wipe an earlier sweep's points.jsonl / plan.json. */
  initOutputs(): void {
    makeOutputDir(this.opts.outDir);
    if (!this.opts.resume) this.log.reset();
    writePlanJson(this.opts.outDir, this.meta, this.shard);
    this.opts.onProgress?.(0, this.todo.length);
  }

  /** Whether the point still waits for its outcome (a queue may deliver one twice). */
  pending(index: number): boolean {
    return this.byIndex.has(index) && !this.records.has(index);
  }

  record(o: PointOutcome): void {
    const p = this.byIndex.get(o.index);
    if (!p) throw new JitterlabError('internal', `sweep: outcome for unknown point ${o.index}`);
    if (this.records.has(o.index)) return;
    const rec: PointRecord = { index: p.index, combo: p.combo, seed: p.seed, params: p.params, variants: o.ok ? o.variants : null, error: o.ok ? null : o.error };
    if (o.ok) this.simulatedS += o.simulatedS;
    this.log.append(rec);
    this.records.set(p.index, rec);
    this.finished++;
    this.opts.onProgress?.(this.finished, this.todo.length);
    if (this.finished - this.flushedAt.points >= this.flushEvery && this.finished < this.todo.length && performance.now() - this.flushedAt.ms >= SNAPSHOT_MIN_MS) {
      writeSweepJson(this.opts.outDir, this.snapshot(false));
      this.flushedAt = { points: this.finished, ms: performance.now() };
    }
  }

  snapshot(interrupted: boolean): SweepReport {
    return buildSweepReport(this.meta, this.records.values(), { shards: this.shard ? [this.shard] : null, expected: this.mine.length, interrupted });
  }

  /** The final report, written with its table and heatmaps. */
  finish(interrupted: boolean): SweepReport {
    const report = this.snapshot(interrupted);
    writeSweepOutputs(this.opts.outDir, report);
    return report;
  }
}
