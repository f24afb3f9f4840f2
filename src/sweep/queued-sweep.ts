/**
 * `jitterlab sweep --queue redis://...`: the same plan, validation and outputs as a local sweep
 * (sweep-session.ts), but its points go on a BullMQ queue in Redis and `jitterlab worker`
 * processes (queue-worker.ts) run them. This side takes in the outcomes the workers push
 * (queue-spec.ts), writes each to points.jsonl before removing it from Redis (a planner killed in
 * between loses nothing: the next run reads it again, and a point recorded twice is ignored),
 * and writes sweep.json/csv/html when every point is in. Should a point ever be neither done nor
 * on the queue, it is queued again after 5 quiet seconds: a sweep never waits forever.
 *
 * Failures, and what happens:
 * - a point that fails in the scenario: the worker fails its job as unrecoverable, once; it is
 *   recorded with its error, as a local run records it;
 * - a worker that dies: BullMQ's stalled-job check returns its points to the queue after the
 *   workers' lock timeout; a point whose workers died three times, or that failed three times
 *   for a reason outside the scenario, is recorded as failed with BullMQ's reason;
 * - Redis restarted (without persistence) or flushed: the spec key is gone; every unfinished
 *   point is queued again (clean resume: results are deterministic, whoever runs them);
 * - Redis unreachable longer than `redisDownMs`: one-line error, finished points kept, --resume continues;
 * - Ctrl-C: the sweep leaves the list workers take sweeps from, and its queue is paused (workers
 *   finish the points they hold and take no more); --resume puts it back and collects what
 *   finished meanwhile. A planner killed outright leaves its sweep on: workers finish it, and
 *   --resume collects the results.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { needsOptIn } from '../check/measures.ts';
import { JitterlabError } from '../core/errors.ts';
import type { SweepPlan } from './plan.ts';
import type { PointOutcome } from './point-run.ts';
import { connectRedis, parseQueueUrl, redisReason, shownUrl } from './queue-connection.ts';
import { audioKey, chunkJobId, chunkLayout, portablePath, problemsKey, queueName, resultsChannel, resultsKey, specKey, sweepQueueId, SWEEPS_CHANNEL, SWEEPS_KEY, type PointChunk, type QueuedOutcome, type QueuedSweepSpec } from './queue-spec.ts';
import { Wakeup } from './queue-wake.ts';
import { pointTask, type SweepOutcome } from './run-sweep.ts';
import { SweepSession, validatePoints, type SessionOptions } from './sweep-session.ts';
import { encodeShared } from './shared-encodings.ts';
import { sharedAudioToBytes } from './shared-audio-wire.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';

export interface QueuedSweepOptions extends SessionOptions {
  /** redis://host:port[/db] */
  queue: string;
  signal?: AbortSignal;
  /** How long Redis may be unreachable before the sweep stops with an error. Default 30 s. */
  redisDownMs?: number;
  /** Longest wait between two looks at the queue; workers' news of pushed outcomes ends it at once. Default 500 ms. */
  pollMs?: number;
  /** Lines for the user (a restarted Redis, a worker that cannot run the sweep). */
  warn?: (line: string) => void;
}

export interface QueuedSweepOutcome extends SweepOutcome {
  /** Points that started more than once (their worker died, or Redis lost them). */
  requeued: number;
}

/** Outcome lists and failed jobs taken per look at the queue. */
const BATCH = 500;
/** Jobs added to the queue per call. */
const ADD_CHUNK = 1000;
/** Quiet time after which the planner checks that no point was lost between Redis and itself. */
const LOST_CHECK_MS = 5000;

/**
 * A chunk's job (queue-spec.ts): a retryable failure (a worker thread that crashed) is tried 3 times, 1 s
 * apart; its outcome travels through the results list, so a completed job is dropped at once;
 * a failed one stays until the planner took it in.
 */
const JOB_OPTS = { attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: true, removeOnFail: false };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class QueuedRun {
  requeued = 0;
  private readonly queue: Queue;
  private readonly shownProblems = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly spec: QueuedSweepSpec,
    private readonly session: SweepSession,
    private readonly warn: (line: string) => void,
    /** The shared encodings and source audio (shared-audio-wire.ts). */
    private readonly audio: Buffer,
  ) {
    this.queue = new Queue(queueName(spec.id), { connection: redis });
    this.queue.on('error', () => {}); // failed calls reach the loop below
  }

  /** The spec for the workers, then every point not finished yet (ids make a second add of one a no-op). */
  async publish(): Promise<void> {
    const jobs = this.chunks();
    // Sent together (one connection: Redis runs them in this order), awaited together: one round
    // trip instead of one per call, while the audio is still on its way. Workers take a sweep only
    // once it has a spec and jobs, and are told last.
    const sent: Array<Promise<unknown>> = [
      this.redis.set(audioKey(this.spec.id), this.audio),
      this.redis.set(specKey(this.spec.id), JSON.stringify(this.spec)),
      this.redis.zadd(SWEEPS_KEY, 'NX', Date.now(), this.spec.id),
      this.queue.resume(),
    ];
    for (let i = 0; i < jobs.length; i += ADD_CHUNK) sent.push(this.queue.addBulk(jobs.slice(i, i + ADD_CHUNK)));
    await Promise.all(sent);
    await this.redis.publish(SWEEPS_CHANNEL, this.spec.id);
  }

  /** The shard's points cut into fixed chunks, each job holding its points still pending (ids make a second add of one a no-op). */
  private chunks(): Array<{ name: string; data: PointChunk; opts: typeof JOB_OPTS & { jobId: string } }> {
    const mine = this.session.mine;
    const out: Array<{ name: string; data: PointChunk; opts: typeof JOB_OPTS & { jobId: string } }> = [];
    let start = 0;
    chunkLayout(mine.length).forEach((size, k) => {
      const points = mine.slice(start, start + size).filter((p) => this.session.pending(p.index)).map(pointTask);
      if (points.length > 0) out.push({ name: 'points', data: { points }, opts: { ...JOB_OPTS, jobId: chunkJobId(mine.length, k) } });
      start += size;
    });
    return out;
  }

  /**
   * One look at the queue: re-queue if Redis lost the sweep; take in the outcomes the workers
   * pushed (read, written to points.jsonl, only then trimmed from the list) and the jobs BullMQ
   * gave up on. Returns how many came in.
   */
  async collect(): Promise<number> {
    // The common look (the sweep is there, no job failed) in one round trip: the spec, the
    // problems, the failed jobs' count, then (in that order, see takeIn) the outcomes.
    const results = resultsKey(this.spec.id);
    const replies = await this.redis
      .pipeline()
      .exists(specKey(this.spec.id))
      .hgetall(problemsKey(this.spec.id))
      .zcard(this.queue.keys.failed)
      .lrange(results, 0, BATCH - 1)
      .exec();
    const [exists, problems, failed, texts] = (replies ?? []).map(([e, v]) => {
      if (e) throw e;
      return v;
    }) as [number, Record<string, string>, number, string[]];
    if (exists === 0) {
      const left = this.session.todo.length - this.session.finished;
      this.warn(`jitterlab: Redis lost this sweep's queue (restarted or flushed); queueing its ${left} unfinished point(s) again`);
      await this.publish();
    }
    this.showProblems(problems);
    if (failed > 0) return await this.takeIn();
    this.takeOutcomes(texts);
    if (texts.length > 0) await this.redis.ltrim(results, texts.length, -1);
    return texts.length;
  }

  /**
   * The outcomes and failed jobs waiting in Redis, into points.jsonl (also what workers finished
   * while no planner ran). `retryFailed` (a resume): jobs BullMQ gave up on are dropped, not
   * recorded, so their points are queued again, as a local --resume runs failed points again.
   */
  async takeIn(retryFailed = false): Promise<number> {
    // Failed jobs first, then the outcomes: a worker pushes a chunk's outcomes before failing its
    // job, so every outcome of a job seen failed is in the list read after (all of it, then).
    const failed = await this.queue.getFailed(0, BATCH - 1);
    const texts = await this.redis.lrange(resultsKey(this.spec.id), 0, failed.length > 0 ? -1 : BATCH - 1);
    this.takeOutcomes(texts);
    if (texts.length > 0) await this.redis.ltrim(resultsKey(this.spec.id), texts.length, -1);
    // What BullMQ gave up on (stalled too often, failed 3 times outside the scenario) without outcomes.
    if (!retryFailed) for (const j of failed) for (const p of (j.data as PointChunk).points) this.take({ index: p.index, ok: false, error: j.failedReason, started: j.attemptsStarted });
    await Promise.all(failed.map((j) => this.queue.remove(j.id!)));
    return texts.length + failed.length;
  }

  /** Queued again what is neither done nor on the queue (a safety net: a job lost without its outcome). */
  async requeueLost(): Promise<void> {
    const c = await this.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused');
    if (Object.values(c).some((n) => n > 0)) return;
    if ((await this.redis.llen(resultsKey(this.spec.id))) > 0) return;
    await this.publish();
  }

  /** The outcome lists read from the results list, into points.jsonl. */
  private takeOutcomes(texts: readonly string[]): void {
    for (const t of texts) for (const o of JSON.parse(t) as QueuedOutcome[]) this.take(o);
  }

  private take(o: QueuedOutcome): void {
    if (!this.session.pending(o.index)) return;
    if (o.started > 1) this.requeued++;
    const { started: _, ...outcome } = o;
    this.session.record(outcome as PointOutcome);
  }

  private showProblems(problems: Record<string, string>): void {
    for (const [worker, why] of Object.entries(problems)) {
      if (this.shownProblems.has(worker)) continue;
      this.shownProblems.add(worker);
      this.warn(`jitterlab: worker ${worker} cannot run this sweep: ${why}`);
    }
  }

  /** Off the list of sweeps the workers take, and paused: they finish the points they hold; a resume collects those. */
  async pause(): Promise<void> {
    await this.redis.zrem(SWEEPS_KEY, this.spec.id);
    await this.queue.pause();
  }

  /** Every point is in: the queue and the spec go. */
  async remove(): Promise<void> {
    await this.redis.zrem(SWEEPS_KEY, this.spec.id);
    await this.redis.del(specKey(this.spec.id), audioKey(this.spec.id), problemsKey(this.spec.id), resultsKey(this.spec.id));
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
  }
}

export async function runQueuedSweep(plan: SweepPlan, opts: QueuedSweepOptions): Promise<QueuedSweepOutcome> {
  const url = parseQueueUrl(opts.queue);
  const session = new SweepSession(plan, opts);
  const scenarios = validatePoints(plan, session.todo); // a bad value fails here, before anything is queued
  const redis = await connectRedis(url);
  let audio: Buffer;
  try {
    // Encoded once here, fetched by every worker (measured cheaper than each worker encoding).
    audio = sharedAudioToBytes(encodeShared(scenarios.values()));
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  scenarios.clear();
  const spec: QueuedSweepSpec = { id: sweepQueueId(plan, session.shard, opts.outDir), file: portablePath(plan.scenarioFile), raw: plan.raw, axes: plan.axes, root: PROJECT_ROOT, signal: needsOptIn([plan.measure]) };
  const warn = opts.warn ?? ((l: string) => process.stderr.write(`${l}\n`));
  const run = new QueuedRun(redis, spec, session, warn, audio);
  // Subscribed before anything is queued: no outcome's news can come before it listens.
  const wake = await Wakeup.listen(redis, resultsChannel(spec.id));
  try {
    session.initOutputs();
    await start(run, session, url, opts.resume === true);
    const interrupted = await collectAll(run, session, url, opts, wake);
    if (interrupted) await run.pause().catch(() => {});
    // Every point is in points.jsonl: a Redis gone now costs only the clean-up.
    else await run.remove().catch((e: unknown) => warn(`jitterlab: could not remove the finished sweep from Redis at ${shownUrl(url)} (${redisReason(e)})`));
    const report = session.finish(interrupted);
    return { report, ran: session.finished, resumed: session.resumed, interrupted, simulatedS: session.simulatedS, requeued: run.requeued };
  } finally {
    wake.close();
    await run.close();
    redis.disconnect();
  }
}

/** The points on the queue; a resumed sweep first takes in what the workers finished meanwhile, so it is not queued again. */
async function start(run: QueuedRun, session: SweepSession, url: string, resume: boolean): Promise<void> {
  try {
    if (resume) while ((await run.takeIn(true)) > 0);
    if (session.finished < session.todo.length) await run.publish();
  } catch (e) {
    if (e instanceof JitterlabError) throw e;
    throw new JitterlabError('io', `Redis at ${shownUrl(url)}: cannot queue the sweep (${redisReason(e)}); nothing is lost, run again with --resume`);
  }
}

/** Takes in points until all are in (false) or the signal stops it (true); throws when Redis stays away. */
async function collectAll(run: QueuedRun, session: SweepSession, url: string, opts: QueuedSweepOptions, wake: Wakeup): Promise<boolean> {
  const downMs = opts.redisDownMs ?? 30_000;
  let okAt = performance.now();
  let gotAt = okAt;
  while (session.finished < session.todo.length) {
    if (opts.signal?.aborted) return true;
    try {
      const got = await run.collect();
      okAt = performance.now();
      if (got > 0) gotAt = okAt;
      else if (okAt - gotAt > LOST_CHECK_MS) {
        await run.requeueLost();
        gotAt = okAt;
      } else await wake.wait(opts.pollMs ?? 500, opts.signal);
    } catch (e) {
      if (e instanceof JitterlabError) throw e; // ours (points.jsonl unwritable, ...), not Redis's
      if (performance.now() - okAt > downMs) {
        session.finish(true);
        throw new JitterlabError('io', `Redis at ${shownUrl(url)} unreachable for ${Math.round(downMs / 1000)} s (${redisReason(e)}); ${session.resumed + session.finished} finished point(s) kept in ${opts.outDir}; continue with --resume`);
      }
      await sleep(250);
    }
  }
  return false;
}
