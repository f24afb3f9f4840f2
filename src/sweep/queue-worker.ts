/**
 * `jitterlab worker --queue redis://...`: takes the points of queued sweeps (queued-sweep.ts) and
 * runs them on this machine's cores with the same worker pool and point runner as a local sweep.
 *
 * Sweeps are taken oldest first, one at a time; a worker leaves a sweep when none of its points
 * is left to run (or its planner stopped it) and looks for the next. For a sweep, the worker
 * fetches the encodings and source audio its planner made once (shared-audio-wire.ts), hands them
 * to its pool threads as a local sweep does, then takes jobs: two per pool thread,
 * like the local sweep's depth 2. A point that fails in the scenario fails its job as
 * unrecoverable (once, with its error); a crashed pool fails its jobs as retryable, and the
 * sweep is taken again with a fresh pool. BullMQ renews each job's lock while it runs; a worker
 * that dies stops renewing, and after `stallTimeoutMs` the other workers' stalled-job check
 * returns its points to the queue.
 */
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PoolClosedError, WorkerPool } from '../core/worker-pool.ts';
import { JitterlabError } from '../core/errors.ts';
import { gridPoints } from './grid.ts';
import type { PointOutcome, PointTask } from './point-run.ts';
import { connectRedis, redisReason, shownUrl } from './queue-connection.ts';
import { audioKey, localPath, problemsKey, queueName, resultsKey, specKey, SWEEPS_KEY, type QueuedOutcome, type QueuedSweepSpec } from './queue-spec.ts';
import { knownOpusAddon, namesTypeScriptModule, WORKER_ENTRY } from './run-sweep.ts';
import { rebaseSharedAudio, sharedAudioFromBytes } from './shared-audio-wire.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';
import type { WorkerBase } from './worker.ts';
import { sweepWorkerBundle } from './worker-bundle.ts';

export interface QueueWorkerOptions {
  url: string;
  /** Pool threads. */
  jobs: number;
  /** BullMQ lock duration and stalled-check interval: how soon a dead worker's points run elsewhere. */
  stallTimeoutMs: number;
  /** Stops the worker: it finishes the points it holds, then returns. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Name in BullMQ and in problem reports. Default host:pid. */
  name?: string;
}

/** How often an idle worker looks for a sweep, and a busy one checks that its sweep is still on. */
const LOOK_MS = 500;
const CONNECTION_ERROR = /ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|Connection is closed|connect/i;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((r) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Runs until `signal`; throws only when Redis cannot be reached at start. */
export async function serveQueue(opts: QueueWorkerOptions): Promise<void> {
  const redis = await connectRedis(opts.url);
  const name = opts.name ?? `${hostname()}:${process.pid}`;
  const outage = new OutageLog(opts);
  const skipped = new Set<string>();
  opts.log(`jitterlab worker ${name}: ${opts.jobs} thread(s), waiting for sweeps on ${shownUrl(opts.url)}`);
  try {
    while (!opts.signal.aborted) {
      let spec: QueuedSweepSpec | null = null;
      try {
        spec = await nextSweep(redis, skipped);
        outage.ok();
      } catch (e) {
        outage.failed(e);
      }
      if (spec) await workOn(redis, spec, { ...opts, name }, skipped, outage);
      else await sleep(LOOK_MS, opts.signal);
    }
  } finally {
    redis.disconnect();
  }
}

/** Logs a Redis outage once when it starts and once when it ends. */
class OutageLog {
  private down = false;
  constructor(private readonly opts: QueueWorkerOptions) {}
  failed(e: unknown): void {
    if (this.down) return;
    this.down = true;
    this.opts.log(`jitterlab worker: Redis at ${shownUrl(this.opts.url)} unreachable (${redisReason(e)}); retrying`);
  }
  ok(): void {
    if (!this.down) return;
    this.down = false;
    this.opts.log('jitterlab worker: Redis is back');
  }
}

/** Points of the sweep not finished: waiting, or held by a worker (alive, or dead until the stalled check returns them). */
async function unfinishedPoints(redis: Redis, id: string): Promise<number> {
  const q = new Queue(queueName(id), { connection: redis });
  q.on('error', () => {});
  try {
    const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused');
    return Object.values(c).reduce((a, b) => a + b, 0);
  } finally {
    await q.close();
  }
}

/** The oldest sweep on the queue with points to run (a finished one waits only for its planner to collect them). */
async function nextSweep(redis: Redis, skipped: Set<string>): Promise<QueuedSweepSpec | null> {
  for (const id of await redis.zrange(SWEEPS_KEY, 0, -1)) {
    if (skipped.has(id) || (await unfinishedPoints(redis, id)) === 0) continue;
    const text = await redis.get(specKey(id));
    if (text !== null) return JSON.parse(text) as QueuedSweepSpec;
  }
  return null;
}

/**
 * The sweep's pool, started with the audio the planner shared; null when that is gone (Redis
 * restarted: the planner puts it back). Throws what makes the sweep impossible here.
 */
async function startPool(redis: Redis, spec: QueuedSweepSpec, jobs: number): Promise<WorkerPool<PointTask, PointOutcome> | null> {
  const bytes = await redis.getBuffer(audioKey(spec.id));
  if (bytes === null) return null;
  const shared = rebaseSharedAudio(sharedAudioFromBytes(bytes), spec.root, PROJECT_ROOT);
  const values = gridPoints(spec.axes, [0]).map((p) => p.params);
  const bundle = namesTypeScriptModule([spec.raw, ...values]) ? null : await sweepWorkerBundle();
  const base: WorkerBase = { file: localPath(spec.file), raw: spec.raw, shareEncodings: true, signal: spec.signal };
  const pool = new WorkerPool<PointTask, PointOutcome>({ entry: WORKER_ENTRY, bundle, size: jobs, workerData: base, depth: 2, label: 'sweep' });
  pool.start({ shared, opusAddon: knownOpusAddon() });
  return pool;
}

/** Takes the sweep's points until it is finished (its spec is gone), the pool breaks, or `signal`. */
async function workOn(redis: Redis, spec: QueuedSweepSpec, opts: QueueWorkerOptions & { name: string }, skipped: Set<string>, outage: OutageLog): Promise<void> {
  let pool: WorkerPool<PointTask, PointOutcome> | null;
  try {
    pool = await startPool(redis, spec, opts.jobs);
    if (pool === null) return;
  } catch (e) {
    // This machine cannot run it (e.g. a source file missing here): leave its points to other workers, and tell the planner.
    const why = e instanceof JitterlabError ? e.message : String(e);
    skipped.add(spec.id);
    opts.log(`jitterlab worker: cannot run sweep ${spec.id}: ${why}`);
    await redis.hset(problemsKey(spec.id), opts.name, why).catch(() => {});
    return;
  }
  let broken = false;
  let ran = 0;
  opts.log(`jitterlab worker: taking points of sweep ${spec.id} (${spec.file})`);
  const run = async (job: Job<PointTask>): Promise<void> => {
    let o: PointOutcome;
    try {
      o = await pool!.submit(job.data);
    } catch (e) {
      if (!(e instanceof PoolClosedError)) broken = true;
      throw e; // retryable: another attempt, on a fresh pool or another worker
    }
    const out: QueuedOutcome = { ...o, started: job.attemptsStarted };
    await redis.rpush(resultsKey(spec.id), JSON.stringify(out));
    ran++;
    if (!o.ok) throw new UnrecoverableError(o.error);
  };
  const worker = new Worker<PointTask, void>(queueName(spec.id), run, {
    // BullMQ's own connections (it closes them), reconnecting as connectRedis's do.
    connection: { url: opts.url, maxRetriesPerRequest: null, retryStrategy: () => 250 },
    name: opts.name,
    concurrency: 2 * opts.jobs,
    lockDuration: opts.stallTimeoutMs,
    stalledInterval: opts.stallTimeoutMs,
    maxStalledCount: 2,
    // Long-poll at most 1 s on an empty queue, so a finished sweep lets go of the worker soon.
    drainDelay: 1,
  });
  worker.on('error', (e) => {
    // Connection errors repeat every reconnection attempt: one line per outage. Others (a job's lock lost) are worth a line each.
    if (CONNECTION_ERROR.test(redisReason(e))) outage.failed(e);
    else opts.log(`jitterlab worker: ${redisReason(e)}`);
  });
  try {
    while (!opts.signal.aborted && !broken && (await stillOn(redis, spec.id, outage))) await sleep(LOOK_MS, opts.signal);
  } finally {
    await worker.close();
    await pool!.close();
    opts.log(`jitterlab worker: left sweep ${spec.id} after ${ran} point(s)${broken ? ' (a worker thread failed; taking it again with new threads)' : ''}`);
  }
}

/**
 * Whether to stay on the sweep: it is still on the queue (not finished, not stopped by its
 * planner) and has points left. True while Redis is unreachable: its points may come back.
 */
async function stillOn(redis: Redis, id: string, outage: OutageLog): Promise<boolean> {
  try {
    const on = (await redis.zscore(SWEEPS_KEY, id)) !== null && (await unfinishedPoints(redis, id)) > 0;
    outage.ok();
    return on;
  } catch (e) {
    outage.failed(e);
    return true;
  }
}
