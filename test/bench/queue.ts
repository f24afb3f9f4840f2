/**
 * `npm run bench:queue`: the overhead of running a sweep through the Redis queue (queued-sweep.ts,
 * queue-worker.ts) against a local sweep on the same cores (issue 18 goal: <= 5%). A 2000-point
 * grid runs as `--jobs 2` in this process, and through a throw-away redis-server
 * with two `jitterlab worker --jobs 1` processes (started before the timer: workers are
 * long-running, with their pool threads loaded before a sweep arrives: the local sweep starts its
 * threads inside the timer), in interleaved pairs (every other one queue first) with a pause before each run; each pair's figure
 * comes with the load average. Besides
 * wall time, the CPU seconds of every process involved (this one; for the queue also the workers
 * and redis-server, from /proc): on a machine shared with other work, wall time swings with what
 * else runs, CPU time much less.
 *
 * Then the figures behind how shared encodings reach the workers: what it would cost a worker to
 * read the source and encode one sender setting itself, against fetching the planner's packed
 * encoding and source audio from Redis (one GET, once per worker and sweep: what it does).
 *
 *   npm run bench:queue                # 2000 points of 2 s calls, then of 20 s calls, 3 pairs each
 *   npm run bench:queue -- --reps 5 --seconds 20
 *   npm run bench:queue -- --quick     # 200 points of 2 s calls, 1 pair
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TestRedis, redisAvailable } from '../redis/redis-server.ts';
import { WorkerProcess } from '../sweep/queue-helpers.ts';
import { benchCallYaml } from './bench-call.ts';
import { benchApp } from './in-bundle.ts';

const { planSweep, runSweep, loadQueuedSweep, sweepWorkerBundle, encodeShared, pointScenario } = await benchApp(import.meta.url, 'bench-queue');
const { runQueuedSweep } = await loadQueuedSweep();

if (!redisAvailable()) {
  process.stderr.write('bench:queue needs redis-server (apt-get install redis-server)\n');
  process.exit(1);
}
const quick = process.argv.includes('--quick');
const repsArg = process.argv.indexOf('--reps');
const reps = repsArg > 0 ? Math.max(1, Number(process.argv[repsArg + 1])) : quick ? 1 : 3;
/**
 * Call lengths of the grid's points: 2 s calls (a few milliseconds of work per point, so the
 * queue's fixed costs per sweep and per job weigh most) and 20 s calls (the call bench:sweep and
 * bench-call.ts describe); `--seconds S` runs one length.
 */
const secondsArg = process.argv.indexOf('--seconds');
const lengths = secondsArg > 0 ? [Number(process.argv[secondsArg + 1])] : quick ? [2] : [2, 20];

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-bench-queue-'));
const vary = ['channel.loss.rate=0:0.19:0.01', `channel.delay.jitterMs=${quick ? '0' : '0:45:5'}`];
function gridOf(durationS: number): ReturnType<typeof planSweep> {
  const file = join(dir, `bench-${durationS}.yaml`);
  writeFileSync(file, `${benchCallYaml('bench-queue', durationS)}receiver:\n  jitterBuffer: { type: fixed, delayMs: 60 }\n`);
  return planSweep(file, { vary, seeds: 10 });
}

const f = (x: number, d = 1) => x.toFixed(d);
const sign = (x: number) => `${x >= 0 ? '+' : ''}${f(x)}`;
function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)] : (s[mid - 1] + s[mid]) / 2;
  return `median ${sign(median)}%, range ${sign(s[0])}..${sign(s.at(-1)!)}%`;
}

/** CPU seconds (user + system, all threads) of another process, from /proc (Linux; 0 elsewhere). */
function cpuOfPid(pid: number | null | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return 0;
  }
}

/** CPU seconds so far of this process and the queue's processes (workers, redis-server). */
function cpuNow(): { self: number; workers: number; redis: number } {
  const u = process.cpuUsage();
  return { self: (u.user + u.system) / 1e6, workers: workers.reduce((a, w) => a + cpuOfPid(w.proc.pid), 0), redis: cpuOfPid(redis.pid) };
}

interface Timed {
  /** CPU of every process involved: this one, and for the queue the workers and redis-server. */
  cpuS: number;
  /** Of which this process (the local sweep; the queue's planner), the workers, redis-server. */
  split: { self: number; workers: number; redis: number };
  wallS: number;
  /** Until the first point came in: planning, encoding, (queue) publishing, a worker finding the sweep, thread start. */
  firstS: number;
  load: number;
}

type Progress = (done: number) => void;

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 3000));

async function timed(run: (out: string, onProgress: Progress) => Promise<{ report: { status: string } }>, out: string): Promise<Timed> {
  const load = loadavg()[0];
  const c0 = cpuNow();
  const t0 = performance.now();
  let first = 0;
  const r = await run(join(dir, out), (done) => {
    if (done === 1) first = performance.now();
  });
  if (r.report.status !== 'complete') throw new Error(`bench sweep ${out} did not complete: ${r.report.status}`);
  const wallS = (performance.now() - t0) / 1000;
  const c1 = cpuNow();
  const split = { self: c1.self - c0.self, workers: c1.workers - c0.workers, redis: c1.redis - c0.redis };
  return { cpuS: split.self + split.workers + split.redis, split, wallS, firstS: (first - t0) / 1000, load };
}

await sweepWorkerBundle();
const redis = await TestRedis.start();
const workers = [new WorkerProcess(redis.url, { jobs: 1, stallTimeoutS: 30 }), new WorkerProcess(redis.url, { jobs: 1, stallTimeoutS: 30 })];
try {
  await Promise.all(workers.map((w) => w.ready));
  for (const durationS of lengths) await pairs(gridOf(durationS), durationS);
  await encodingTransport(redis.url);
} finally {
  await Promise.all(workers.map((w) => w.stop('SIGTERM')));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Interleaved pairs (local --jobs 2, then the queue) over one grid, with the overheads' summary. */
async function pairs(plan: ReturnType<typeof planSweep>, durationS: number): Promise<void> {
  process.stdout.write(`queue bench: ${plan.points.length} points x ${durationS} s calls; local --jobs 2 vs Redis queue + 2 workers x 1 thread\n\n`);
  const overheads: number[] = [];
  const cpuOverheads: number[] = [];
  for (let r = 0; r < reps; r++) {
    // A pause before each run: after a sweep the workers load the threads of their next pool
    // (what a long-running worker does), which would otherwise run beside the next timed sweep.
    // Every other pair runs the queue first (ABBA), so a machine that speeds up or slows down
    // during the bench does not always favour the same side.
    const runLocal = () => timed((out, onProgress) => runSweep(plan, { outDir: out, jobs: 2, onProgress }), `local-${durationS}-${r}`);
    const runQueued = () => timed((out, onProgress) => runQueuedSweep(plan, { outDir: out, queue: redis.url, onProgress }), `queued-${durationS}-${r}`);
    let local: Timed;
    let queued: Timed;
    await settle();
    if (r % 2 === 0) {
      local = await runLocal();
      await settle();
      queued = await runQueued();
    } else {
      queued = await runQueued();
      await settle();
      local = await runLocal();
    }
    const over = (queued.wallS / local.wallS - 1) * 100;
    const overCpu = (queued.cpuS / local.cpuS - 1) * 100;
    overheads.push(over);
    cpuOverheads.push(overCpu);
    process.stdout.write(
      `pair ${r + 1}: local ${f(local.wallS, 2)} s wall, ${f(local.cpuS, 2)} s CPU (first point ${f(local.firstS, 2)} s, load ${f(local.load, 2)}); ` +
        `queue ${f(queued.wallS, 2)} s wall, ${f(queued.cpuS, 2)} s CPU = planner ${f(queued.split.self, 2)} + workers ${f(queued.split.workers, 2)} + redis ${f(queued.split.redis, 2)} (first point ${f(queued.firstS, 2)} s, load ${f(queued.load, 2)}): overhead wall ${sign(over)}%, CPU ${sign(overCpu)}%\n`,
    );
  }
  process.stdout.write(`queue overhead, ${durationS} s calls, wall (queue / local - 1): ${summary(overheads)} over ${reps} pair(s)  (goal <= 5%)\n`);
  process.stdout.write(`queue overhead, ${durationS} s calls, CPU of all processes (planner, workers, redis-server vs the local sweep): ${summary(cpuOverheads)}; wall figures on a loaded machine swing with what else runs, CPU much less\n\n`);
}

/** Encode one sender setting here vs fetch its packed bytes (and the source PCM) from Redis, per call length. */
async function encodingTransport(url: string): Promise<void> {
  const client = new Redis(url);
  try {
    for (const seconds of [2, 20, 60]) {
      const f2 = join(dir, `enc-${seconds}.yaml`);
      writeFileSync(f2, benchCallYaml('bench-enc', seconds));
      const p = planSweep(f2, { vary: ['channel.loss.rate=0,0.1'] });
      const sc = pointScenario(p.scenarioFile, p.raw, p.points[0].params);
      encodeShared([sc]); // warm: libopus loaded, JIT
      const t0 = performance.now();
      const shared = encodeShared([sc]);
      const encodeMs = performance.now() - t0;
      const e = shared.encodings[0];
      const s = shared.sources[0];
      const bytes = Buffer.concat([Buffer.from(e.data), Buffer.from(e.offsets), Buffer.from(s.pcm)]);
      await client.set('bench:enc', bytes);
      await client.getBuffer('bench:enc'); // warm
      const t1 = performance.now();
      const back = await client.getBuffer('bench:enc');
      const fetchMs = performance.now() - t1;
      process.stdout.write(
        `shared encoding, ${seconds} s call: encode here ${f(encodeMs, 1)} ms (source read + Opus) vs fetch ${f(back!.length / 1024, 0)} KB (encoding ${f((e.data.byteLength + e.offsets.byteLength) / 1024, 0)} KB + source PCM) from Redis ${f(fetchMs, 1)} ms; load ${f(loadavg()[0], 2)}\n`,
      );
    }
  } finally {
    client.disconnect();
  }
}
