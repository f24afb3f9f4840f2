/**
 * Running a sweep plan to its report directory:
 *   plan.json    what grid this is (hash, axes, seeds, shard)
 *   points.jsonl every finished point, appended as it finishes (survives Ctrl-C and crashes)
 *   sweep.json   points ordered by index + summary over seeds (rewritten atomically as it goes)
 *   sweep.csv, sweep.html  table and heatmaps (at the end, and on interruption)
 * Every point is validated before anything runs; encodings are made once per distinct sender
 * setting in this thread and shared with the workers (shared-encodings.ts).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { needsOptIn } from '../check/measures.ts';
import { JitterlabError, UsageError } from '../core/errors.ts';
import type { Scenario } from '../scenario/load.ts';
import { inShard, type GridPoint, type Shard } from './grid.ts';
import { PointLog, type PointRecord } from './point-log.ts';
import { runPoint, type PointOutcome, type PointTask } from './point-run.ts';
import { pointScenario, type SweepPlan } from './plan.ts';
import { PoolClosedError, WorkerPool } from '../core/worker-pool.ts';
import type { WorkerBase, WorkerInit } from './worker.ts';
import { sweepWorkerBundle } from './worker-bundle.ts';
import { encodeShared, unpackShared, type SharedAudio } from './shared-encodings.ts';
import { opusAddonPath } from '../codec/opus-native.ts';
import { sweepCsv } from './sweep-table.ts';
import { sweepHtml } from './sweep-html.ts';
import { buildSweepReport, planMeta, readPlanJson, writePlanJson, writeSweepJson, type SweepReport } from './sweep-report.ts';
import { makeOutputDir } from '../core/make-dirs.ts';

export interface SweepRunOptions {
  outDir: string;
  /** Worker threads; 0 runs the points in this thread (no workers). */
  jobs: number;
  shard?: Shard | null;
  resume?: boolean;
  /** false: every point encodes its own audio (for the benchmark's comparison). Default true. */
  shareEncodings?: boolean;
  /** Stop cleanly when aborted (Ctrl-C): finished points are kept. */
  signal?: AbortSignal;
  /** Called once with the number of points to run, then after each. */
  onProgress?: (done: number, todo: number) => void;
}

export interface SweepOutcome {
  report: SweepReport;
  /** Points run by this invocation (not counting resumed ones). */
  ran: number;
  resumed: number;
  interrupted: boolean;
  simulatedS: number;
}

export function writeSweepOutputs(dir: string, report: SweepReport): void {
  writeSweepJson(dir, report);
  writeFileAtomic(join(dir, 'sweep.csv'), sweepCsv(report));
  writeFileAtomic(join(dir, 'sweep.html'), sweepHtml(report));
}

/** Whether any `module:` setting (or a vary value of one) names a TypeScript file. */
function namesTypeScriptModule(values: unknown[]): boolean {
  const seen = (v: unknown, key: string): boolean => {
    if (typeof v === 'string') return /(^|\.)module$/.test(key) && /\.[cm]?ts$/i.test(v);
    if (Array.isArray(v)) return v.some((x) => seen(x, key));
    if (v !== null && typeof v === 'object') return Object.entries(v).some(([k, x]) => seen(x, k));
    return false;
  };
  return values.some((v) => seen(v, ''));
}

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url);
const SNAPSHOT_MIN_MS = 3000;

/** The libopus addon's path for the workers (found once here, after encoding loaded @discordjs/opus), or null. */
function knownOpusAddon(): string | null {
  try {
    return opusAddonPath();
  } catch {
    return null;
  }
}

/** The points on the worker pool; true when stopped by `signal` before all finished. The pool is closed on return. */
async function runOnPool(pool: WorkerPool<PointTask, PointOutcome>, init: WorkerInit, tasks: PointTask[], onOutcome: (o: PointOutcome) => void, signal?: AbortSignal): Promise<boolean> {
  let stopped = false;
  let left = tasks.length;
  const onAbort = (): void => {
    if (left === 0) return;
    stopped = true;
    void pool.close();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    pool.start(init);
    const outcome = (o: PointOutcome): void => {
      left--;
      onOutcome(o);
    };
    // Points cut short by a stop are simply not done; any other failure ends the sweep.
    const ignoreStop = (e: unknown): void => {
      if (!(stopped && e instanceof PoolClosedError)) throw e;
    };
    await Promise.all(tasks.map((t) => pool.submit(t).then(outcome, ignoreStop)));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
  return stopped;
}

export async function runSweep(plan: SweepPlan, opts: SweepRunOptions): Promise<SweepOutcome> {
  const dir = opts.outDir;
  const shard = opts.shard ?? null;
  const meta = planMeta(plan);
  const log = new PointLog(join(dir, 'points.jsonl'));
  const mine = plan.points.filter((p) => inShard(p.index, shard));
  const done = new Map<number, PointRecord>();
  if (opts.resume) {
    const prev = readPlanJson(dir);
    if (prev === null) throw new UsageError(`--resume: ${dir} has no plan.json (no sweep to continue)`);
    if (prev.hash !== meta.hash) throw new UsageError(`--resume: ${dir} holds a different sweep (plan ${prev.hash}, this one ${meta.hash}); use another --out`);
    if (JSON.stringify(prev.shard) !== JSON.stringify(shard)) throw new UsageError(`--resume: ${dir} was shard ${prev.shard ? `${prev.shard.k}/${prev.shard.n}` : 'none'}; pass the same --shard`);
    for (const [i, rec] of log.read()) if (rec.error === null && inShard(i, shard)) done.set(i, rec);
  }

  const todo = mine.filter((p) => !done.has(p.index));
  const shareEncodings = opts.shareEncodings ?? true;
  // Workers start loading now, in parallel with the validation and encoding below.
  const useWorkers = opts.jobs > 0 && todo.length > 0;
  // A TypeScript jitter-buffer module needs tsx's loader, which the plain-JS bundle lacks.
  const bundle = useWorkers && !namesTypeScriptModule([plan.raw, ...todo.map((p) => p.params)]) ? await sweepWorkerBundle() : null;
  const signal = needsOptIn([plan.measure]);
  const base: WorkerBase = { file: plan.scenarioFile, raw: plan.raw, shareEncodings, signal };
  // Two points per worker: a point takes tens of milliseconds, and a worker should never wait
  // for this thread to handle its last outcome before it can start the next.
  const pool = useWorkers ? new WorkerPool<PointTask, PointOutcome>({ entry: WORKER_ENTRY, bundle, size: Math.min(opts.jobs, todo.length), workerData: base, depth: 2, label: 'sweep' }) : null;
  // Validate every combination before running any point: a bad value fails now, naming its key.
  // Points of one combination differ only in their seed, which cannot make a scenario invalid.
  const scenarios = new Map<number, Scenario>();
  let shared: SharedAudio;
  try {
    for (const p of todo) if (!scenarios.has(p.combo)) scenarios.set(p.combo, pointScenario(plan.scenarioFile, plan.raw, p.params));
    shared = shareEncodings ? encodeShared(scenarios.values()) : { encodings: [], sources: [] };
    // Only now touch --out: a rejected point must not wipe an earlier sweep's points.jsonl / plan.json.
    makeOutputDir(dir);
    if (!opts.resume) log.reset();
    writePlanJson(dir, meta, shard);
  } catch (e) {
    await pool?.close();
    throw e;
  }
  scenarios.clear();

  const records = new Map(done);
  const byIndex = new Map<number, GridPoint>(todo.map((p) => [p.index, p]));
  // sweep.json as it goes: after every 5% of the points, but not more often than every few
  // seconds (each snapshot summarises every point so far, work this thread takes from the workers).
  const flushEvery = Math.max(1, Math.floor(todo.length / 20));
  let flushedAt = { points: 0, ms: performance.now() };
  let finished = 0;
  let simulatedS = 0;
  const snapshot = (interrupted: boolean): SweepReport => buildSweepReport(meta, records.values(), { shards: shard ? [shard] : null, expected: mine.length, interrupted });
  const onOutcome = (o: PointOutcome): void => {
    const p = byIndex.get(o.index);
    if (!p) throw new JitterlabError('internal', `sweep: outcome for unknown point ${o.index}`);
    const rec: PointRecord = { index: p.index, combo: p.combo, seed: p.seed, params: p.params, variants: o.ok ? o.variants : null, error: o.ok ? null : o.error };
    if (o.ok) simulatedS += o.simulatedS;
    log.append(rec);
    records.set(p.index, rec);
    finished++;
    opts.onProgress?.(finished, todo.length);
    if (finished - flushedAt.points >= flushEvery && finished < todo.length && performance.now() - flushedAt.ms >= SNAPSHOT_MIN_MS) {
      writeSweepJson(dir, snapshot(false));
      flushedAt = { points: finished, ms: performance.now() };
    }
  };
  opts.onProgress?.(0, todo.length);

  const tasks: PointTask[] = todo.map((p) => ({ index: p.index, params: p.params, seed: p.seed }));
  let interrupted = false;
  if (opts.jobs <= 0) {
    const { encodings, sources } = unpackShared(shared);
    const ctx = { file: plan.scenarioFile, raw: plan.raw, encodings: shareEncodings ? encodings : null, sources, signal };
    for (const t of tasks) {
      if (opts.signal?.aborted) {
        interrupted = true;
        break;
      }
      onOutcome(await runPoint(ctx, t));
    }
  } else if (pool) {
    interrupted = await runOnPool(pool, { shared, opusAddon: knownOpusAddon() }, tasks, onOutcome, opts.signal);
  }
  const report = snapshot(interrupted);
  writeSweepOutputs(dir, report);
  return { report, ran: finished, resumed: done.size, interrupted, simulatedS };
}
