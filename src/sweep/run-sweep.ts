/**
 * Running a sweep plan to its report directory:
 *   plan.json    what grid this is (hash, axes, seeds, shard)
 *   points.jsonl every finished point, appended as it finishes (survives Ctrl-C and crashes)
 *   sweep.json   points ordered by index + summary over seeds (rewritten atomically as it goes)
 *   sweep.csv, sweep.html  table and heatmaps (at the end, and on interruption)
 * Every point is validated before anything runs; encodings are made once per distinct sender
 * setting in this thread and shared with the workers (shared-encodings.ts).
 */
import { needsOptIn } from '../check/measures.ts';
import type { GridPoint, Shard } from './grid.ts';
import { runPoint, type PointOutcome, type PointTask } from './point-run.ts';
import type { SweepPlan } from './plan.ts';
import { PoolClosedError, WorkerPool } from '../core/worker-pool.ts';
import type { WorkerBase, WorkerInit } from './worker.ts';
import { sweepWorkerBundle } from './worker-bundle.ts';
import { encodeShared, unpackShared, type SharedAudio } from './shared-encodings.ts';
import { opusAddonPath } from '../codec/opus-native.ts';
import { SweepSession, validatePoints } from './sweep-session.ts';
import type { SweepReport } from './sweep-report.ts';

export { writeSweepOutputs } from './sweep-session.ts';

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

/** Whether any `module:` setting (or a vary value of one) names a TypeScript file. */
export function namesTypeScriptModule(values: unknown[]): boolean {
  const seen = (v: unknown, key: string): boolean => {
    if (typeof v === 'string') return /(^|\.)module$/.test(key) && /\.[cm]?ts$/i.test(v);
    if (Array.isArray(v)) return v.some((x) => seen(x, key));
    if (v !== null && typeof v === 'object') return Object.entries(v).some(([k, x]) => seen(x, k));
    return false;
  };
  return values.some((v) => seen(v, ''));
}

export const WORKER_ENTRY = new URL('./worker.ts', import.meta.url);

/** The libopus addon's path for the workers (found once here, after encoding loaded @discordjs/opus), or null. */
export function knownOpusAddon(): string | null {
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
  const session = new SweepSession(plan, opts);
  const todo = session.todo;
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
  let shared: SharedAudio;
  try {
    const scenarios = validatePoints(plan, todo);
    shared = shareEncodings ? encodeShared(scenarios.values()) : { encodings: [], sources: [] };
    session.initOutputs();
  } catch (e) {
    await pool?.close();
    throw e;
  }

  const onOutcome = (o: PointOutcome): void => session.record(o);
  const tasks: PointTask[] = todo.map(pointTask);
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
  const report = session.finish(interrupted);
  return { report, ran: session.finished, resumed: session.resumed, interrupted, simulatedS: session.simulatedS };
}

export function pointTask(p: GridPoint): PointTask {
  return { index: p.index, params: p.params, seed: p.seed };
}
