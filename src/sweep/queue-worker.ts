/**
 * `jitterlab worker --queue redis://...`: takes the points of queued sweeps (queued-sweep.ts) and
 * runs them on this machine's cores with the same worker pool and point runner as a local sweep.
 *
 * Sweeps are taken oldest first, one at a time; a worker leaves a sweep when none of its points
 * is left to run (or its planner stopped it) and looks for the next. For a sweep, the worker
 * fetches the encodings and source audio its planner made once (shared-audio-wire.ts), hands them
 * to its pool threads as a local sweep does, then takes jobs (chunks of points, queue-spec.ts):
 * one per pool thread and one more. A chunk with a point that fails in the scenario fails as
 * unrecoverable (once; each point's outcome, with its error, is already pushed); a crashed pool fails its jobs as retryable, and the
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
import { audioKey, localPath, problemsKey, queueName, resultsChannel, resultsKey, specKey, SWEEPS_CHANNEL, SWEEPS_KEY, type PointChunk, type QueuedOutcome, type QueuedSweepSpec } from './queue-spec.ts';
import { Wakeup } from './queue-wake.ts';
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

/**
 * How often a busy worker checks that its sweep is still on, and an idle one looks for a sweep
 * (a few cheap commands; the planner's announcement on SWEEPS_CHANNEL wakes it sooner).
 */
const LOOK_MS = 200;
/** RPUSH ARGV[1] onto KEYS[2] if KEYS[1] exists, and tell the planner on channel ARGV[2] (queue-wake.ts), in one step. */
const PUSH_IF_ON =
  "if redis.call('exists', KEYS[1]) == 1 then local n = redis.call('rpush', KEYS[2], ARGV[1]); redis.call('publish', ARGV[2], ''); return n end return 0";
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
  const supply = new PoolSupply(opts.jobs);
  supply.prepare();
  const queued = await Wakeup.listen(redis, SWEEPS_CHANNEL);
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
      if (spec) await workOn(redis, spec, { ...opts, name }, skipped, outage, supply);
      else await queued.wait(LOOK_MS, opts.signal);
    }
  } finally {
    queued.close();
    await supply.close();
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

/** Jobs of the sweep not finished: waiting, or held by a worker (alive, or dead until the stalled check returns them). */
async function unfinishedJobs(redis: Redis, id: string): Promise<number> {
  const q = sweepQueue(redis, id);
  try {
    return await unfinishedIn(q);
  } finally {
    await q.close();
  }
}

function sweepQueue(redis: Redis, id: string): Queue {
  const q = new Queue(queueName(id), { connection: redis });
  q.on('error', () => {});
  return q;
}

async function unfinishedIn(q: Queue): Promise<number> {
  const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused');
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** The oldest sweep on the queue with points to run (a finished one waits only for its planner to collect them). */
async function nextSweep(redis: Redis, skipped: Set<string>): Promise<QueuedSweepSpec | null> {
  for (const id of await redis.zrange(SWEEPS_KEY, 0, -1)) {
    if (skipped.has(id) || (await unfinishedJobs(redis, id)) === 0) continue;
    const text = await redis.get(specKey(id));
    if (text !== null) return JSON.parse(text) as QueuedSweepSpec;
  }
  return null;
}

type SweepPool = WorkerPool<PointTask, PointOutcome>;

/**
 * Pool threads loaded before a sweep arrives, so a sweep's first points wait for no thread
 * start-up (about 0.3–0.8 s of CPU per thread); the sweep itself comes with start()'s init.
 */
class PoolSupply {
  private warm: Promise<SweepPool> | null = null;
  constructor(private readonly jobs: number) {}

  private make(bundle: URL | null): SweepPool {
    return new WorkerPool<PointTask, PointOutcome>({ entry: WORKER_ENTRY, bundle, size: this.jobs, workerData: null, depth: 2, label: 'sweep' });
  }

  /** Starts loading the next pool (the bundled worker) in the background. */
  prepare(): void {
    this.warm ??= sweepWorkerBundle().then((bundle) => this.make(bundle));
  }

  /** The warm pool, or (a TypeScript jitter-buffer module needs tsx's loader, which the bundle lacks) a new one through tsx. */
  async take(needsTsx: boolean): Promise<SweepPool> {
    if (needsTsx) return this.make(null);
    this.prepare();
    const pool = this.warm!;
    this.warm = null;
    return await pool;
  }

  async close(): Promise<void> {
    await (await this.warm)?.close();
    this.warm = null;
  }
}

/**
 * The sweep's pool, started with the audio the planner shared; null when that is gone (Redis
 * restarted: the planner puts it back). Throws what makes the sweep impossible here.
 */
async function startPool(redis: Redis, spec: QueuedSweepSpec, supply: PoolSupply): Promise<SweepPool | null> {
  const bytes = await redis.getBuffer(audioKey(spec.id));
  if (bytes === null) return null;
  const shared = rebaseSharedAudio(sharedAudioFromBytes(bytes), spec.root, PROJECT_ROOT);
  const values = gridPoints(spec.axes, [0]).map((p) => p.params);
  const base: WorkerBase = { file: localPath(spec.file), raw: spec.raw, shareEncodings: true, signal: spec.signal };
  const pool = await supply.take(namesTypeScriptModule([spec.raw, ...values]));
  pool.start({ shared, opusAddon: knownOpusAddon(), base });
  return pool;
}

/** Takes the sweep's points until it is finished (its spec is gone), the pool breaks, or `signal`. */
async function workOn(redis: Redis, spec: QueuedSweepSpec, opts: QueueWorkerOptions & { name: string }, skipped: Set<string>, outage: OutageLog, supply: PoolSupply): Promise<void> {
  let pool: SweepPool | null;
  try {
    pool = await startPool(redis, spec, supply);
    if (pool === null) return;
  } catch (e) {
    if (!(e instanceof JitterlabError || e instanceof SyntaxError)) {
      outage.failed(e); // Redis went away: try again when it is back
      return;
    }
    // This machine cannot run it (e.g. the sweep's audio unreadable): leave its points to other workers, and tell the planner.
    const why = e.message;
    skipped.add(spec.id);
    opts.log(`jitterlab worker: cannot run sweep ${spec.id}: ${why}`);
    await redis.hset(problemsKey(spec.id), opts.name, why).catch(() => {});
    return;
  }
  let broken = false;
  let ran = 0;
  opts.log(`jitterlab worker: taking points of sweep ${spec.id} (${spec.file})`);
  const run = async (job: Job<PointChunk>): Promise<void> => {
    let outcomes: PointOutcome[];
    try {
      outcomes = await Promise.all(job.data.points.map((t) => pool!.submit(t)));
    } catch (e) {
      if (!(e instanceof PoolClosedError)) broken = true;
      throw e; // retryable: another attempt, on a fresh pool or another worker
    }
    const out: QueuedOutcome[] = outcomes.map((o) => ({ ...o, started: job.attemptsStarted }));
    // One entry per chunk, pushed before the job completes (or fails): a worker that dies in between
    // leaves it to the stalled check. Only while the sweep exists: a late duplicate of a finished
    // sweep would leave a key behind.
    await redis.eval(PUSH_IF_ON, 2, specKey(spec.id), resultsKey(spec.id), JSON.stringify(out), resultsChannel(spec.id));
    ran += out.length;
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok) throw new UnrecoverableError(failed.error);
  };
  const worker = new Worker<PointChunk, void>(queueName(spec.id), run, {
    // BullMQ's own connections (it closes them), reconnecting as connectRedis's do.
    connection: { url: opts.url, maxRetriesPerRequest: null, retryStrategy: () => 250 },
    name: opts.name,
    // One chunk per thread and one more in hand: no thread waits for a round trip between chunks.
    concurrency: opts.jobs + 1,
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
  // One handle for the checks below (every LOOK_MS for the whole sweep), not one per check.
  const queue = sweepQueue(redis, spec.id);
  try {
    while (!opts.signal.aborted && !broken && (await stillOn(redis, spec.id, queue, outage))) await sleep(LOOK_MS, opts.signal);
  } finally {
    await queue.close();
    await worker.close();
    await pool!.close();
    supply.prepare();
    opts.log(`jitterlab worker: left sweep ${spec.id} after ${ran} point(s)${broken ? ' (a worker thread failed; taking it again with new threads)' : ''}`);
  }
}

/**
 * Whether to stay on the sweep: it is still on the queue (not finished, not stopped by its
 * planner) and has points left. True while Redis is unreachable: its points may come back.
 */
async function stillOn(redis: Redis, id: string, queue: Queue, outage: OutageLog): Promise<boolean> {
  try {
    const on = (await redis.zscore(SWEEPS_KEY, id)) !== null && (await unfinishedIn(queue)) > 0;
    outage.ok();
    return on;
  } catch (e) {
    outage.failed(e);
    return true;
  }
}
