/**
 * Sweeps through a Redis queue (queued-sweep.ts, queue-worker.ts): real redis-server on a free
 * loopback port, real `jitterlab worker` processes, compared point by point with `--jobs 0`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JitterlabError, UsageError } from '../../src/core/errors.ts';
import { planSweep, type SweepPlan } from '../../src/sweep/plan.ts';
import { parseQueueUrl, shownUrl } from '../../src/sweep/queue-connection.ts';
import { runQueuedSweep } from '../../src/sweep/queued-sweep.ts';
import { chunkLayout } from '../../src/sweep/queue-spec.ts';
import { runSweep } from '../../src/sweep/run-sweep.ts';
import { readSweepJson } from '../../src/sweep/sweep-report.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { freePort, redisAvailable, TestRedis } from '../redis/redis-server.ts';
import { tempDir, writeSweepScenario } from './helpers.ts';
import { JITTERLAB, WorkerProcess } from './queue-helpers.ts';

const haveRedis = redisAvailable();
if (!haveRedis) process.stderr.write('queue tests skipped: no redis-server on this machine (.ci/run installs it)\n');

const workers: WorkerProcess[] = [];
const servers: TestRedis[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function redis(): Promise<TestRedis> {
  const r = await TestRedis.start();
  servers.push(r);
  return r;
}

function worker(url: string, o: { jobs?: number; stallTimeoutS?: number } = {}): WorkerProcess {
  const w = new WorkerProcess(url, o);
  workers.push(w);
  return w;
}

/** The points as sweep.json holds them (what a user compares): the exact text. */
const pointsText = (dir: string): string => JSON.stringify(readSweepJson(dir).points);

function grid(dir: string): SweepPlan {
  return planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0:0.1:0.02', 'channel.delay.jitterMs=0,20,40'], seeds: 2 });
}

describe.runIf(haveRedis)('a sweep through a Redis queue', () => {
  it('gives the points of --jobs 0 when one of two workers is SIGKILLed mid-sweep', async () => {
    const dir = tempDir('queue-kill');
    const plan = grid(dir);
    expect(plan.points).toHaveLength(36);
    await runSweep(plan, { outDir: join(dir, 'local'), jobs: 0 });
    const r = await redis();
    // Worker a alone takes points (it holds two at a time); it is killed with points in hand, then b joins.
    const a = worker(r.url, { stallTimeoutS: 1 });
    await a.ready;
    let b: WorkerProcess | null = null;
    const out = await runQueuedSweep(plan, {
      outDir: join(dir, 'queued'),
      queue: r.url,
      onProgress: (done) => {
        if (done >= 4 && b === null) {
          a.proc.kill('SIGKILL');
          b = worker(r.url, { stallTimeoutS: 1 });
        }
      },
    });
    expect(b).not.toBeNull();
    expect(out.report.status).toBe('complete');
    expect(out.requeued).toBeGreaterThanOrEqual(1); // a's points came back after the lock timeout
    // The whole report, byte for byte: plan, points, summary over seeds, table.
    for (const f of ['sweep.json', 'sweep.csv']) expect(readFileSync(join(dir, 'queued', f), 'utf8'), f).toBe(readFileSync(join(dir, 'local', f), 'utf8'));
    // Nothing is left in Redis for a finished sweep.
    const keys = spawnSync('redis-cli', ['-p', String(r.port), 'keys', '*'], { encoding: 'utf8' }).stdout.trim();
    expect(keys).toBe('');
  });

  it('fails a point whose scenario fails once, with its error, and runs the others', async () => {
    const dir = tempDir('queue-fail');
    writeFileSync(join(dir, 'ok.js'), `export { createJitterBuffer } from ${JSON.stringify(join(PROJECT_ROOT, 'examples', 'my-buffer.js'))};\n`);
    writeFileSync(join(dir, 'bad.js'), 'export const notABuffer = 1;\n');
    const file = writeSweepScenario(dir, 'receiver: { jitterBuffer: { module: ./ok.js } }\n');
    // The scenario's variants set their own buffers; one variant takes the module from the top-level receiver.
    writeFileSync(file, readFileSync(file, 'utf8').replace('  - { name: fixed80, receiver: { jitterBuffer: { type: fixed, delayMs: 80 } } }', '  - { name: custom }'));
    // The failing points come first, so the sweep still runs for a while after they fail: a retry would show.
    const plan = planSweep(file, { vary: ['receiver.jitterBuffer.module=./bad.js,./ok.js', 'channel.loss.rate=0:0.09:0.01'], seeds: 3 });
    const local = await runSweep(plan, { outDir: join(dir, 'local'), jobs: 0 });
    expect(local.report.pointsFailed).toBe(30);
    const r = await redis();
    const w = worker(r.url);
    await w.ready;
    const out = await runQueuedSweep(plan, { outDir: join(dir, 'queued'), queue: r.url });
    expect(out.report.pointsFailed).toBe(30);
    expect(out.report.points[0].error).toMatch(/jitterBuffer\.module: \.\/bad\.js does not export createJitterBuffer/);
    expect(pointsText(join(dir, 'queued'))).toBe(pointsText(join(dir, 'local')));
    expect(out.requeued).toBe(0);
    // Each point ran once on the worker: a failing one was not tried again (BullMQ retries after 1 s).
    await new Promise((res) => setTimeout(res, 1500));
    await w.stop('SIGTERM');
    const ran = [...w.log.matchAll(/left sweep \w+ after (\d+) point/g)].map((m) => Number(m[1]));
    expect(ran.reduce((a, b) => a + b, 0)).toBe(plan.points.length);
  });

  it('continues cleanly when Redis restarts mid-sweep (its queue lost), with points in chunks', async () => {
    const dir = tempDir('queue-restart');
    // 200 points: three per job, then single points at the tail (queue-spec.ts chunkLayout).
    const plan = planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0:0.09:0.01', 'channel.delay.jitterMs=0,20,40,60'], seeds: 5 });
    expect(chunkLayout(plan.points.length)[0]).toBe(3);
    await runSweep(plan, { outDir: join(dir, 'local'), jobs: 0 });
    const r = await redis();
    await worker(r.url).ready;
    const warnings: string[] = [];
    let restarted: Promise<void> | null = null;
    const out = await runQueuedSweep(plan, {
      outDir: join(dir, 'queued'),
      queue: r.url,
      warn: (l) => warnings.push(l),
      onProgress: (done) => {
        if (done >= 40 && restarted === null) restarted = r.restart();
      },
    });
    await restarted;
    expect(warnings.join('\n')).toMatch(/Redis lost this sweep's queue \(restarted or flushed\); queueing its \d+ unfinished point\(s\) again/);
    expect(out.report.status).toBe('complete');
    expect(pointsText(join(dir, 'queued'))).toBe(pointsText(join(dir, 'local')));
  });

  it('on Ctrl-C takes the sweep off the workers\' list; --resume collects what they finished and completes', async () => {
    const dir = tempDir('queue-abort');
    const plan = grid(dir);
    await runSweep(plan, { outDir: join(dir, 'local'), jobs: 0 });
    const r = await redis();
    const w = worker(r.url);
    await w.ready;
    const ctrl = new AbortController();
    const cut = await runQueuedSweep(plan, { outDir: join(dir, 'queued'), queue: r.url, signal: ctrl.signal, onProgress: (done) => done >= 3 && ctrl.abort() });
    expect(cut.interrupted).toBe(true);
    expect(cut.report.status).toBe('interrupted');
    const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(r.port), ...args], { encoding: 'utf8' }).stdout.trim();
    expect(cli('zcard', 'jitterlab:sweeps')).toBe('0');
    // The worker finishes what it holds (up to two points), then takes no more: the rest waits.
    await new Promise((res) => setTimeout(res, 1500));
    const left = cut.report.points.length;
    expect(left).toBeLessThan(plan.points.length);
    const resumed = await runQueuedSweep(plan, { outDir: join(dir, 'queued'), queue: r.url, resume: true });
    expect(resumed.resumed).toBe(left);
    expect(resumed.report.status).toBe('complete');
    expect(pointsText(join(dir, 'queued'))).toBe(pointsText(join(dir, 'local')));
    expect(cli('keys', '*')).toBe('');
    // Every point ran once: what the worker finished during the pause was taken in, not queued again.
    const stints = () => [...w.log.matchAll(/left sweep \w+ after (\d+) point/g)].map((m) => Number(m[1]));
    for (let i = 0; i < 100 && stints().length < (w.log.match(/taking points/g) ?? []).length; i++) await new Promise((res) => setTimeout(res, 100));
    expect(stints().reduce((a, b) => a + b, 0)).toBe(plan.points.length);
  });

  it('stops with one line when Redis stays away, keeps the points, and --resume completes', async () => {
    const dir = tempDir('queue-down');
    const plan = grid(dir);
    await runSweep(plan, { outDir: join(dir, 'local'), jobs: 0 });
    const r = await redis();
    await worker(r.url).ready;
    let stopped: Promise<void> | null = null;
    const err = await runQueuedSweep(plan, {
      outDir: join(dir, 'queued'),
      queue: r.url,
      redisDownMs: 1000,
      onProgress: (done) => {
        if (done >= 3 && stopped === null) stopped = r.stop();
      },
    }).catch((e: unknown) => e);
    await stopped;
    expect(err).toBeInstanceOf(JitterlabError);
    expect((err as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable for 1 s \(.+\); \d+ finished point\(s\) kept in .+; continue with --resume$/);
    const cut = readSweepJson(join(dir, 'queued'));
    expect(cut.status).toBe('interrupted');
    expect(cut.pointsDone).toBeGreaterThanOrEqual(3);
    await r.restart(); // the same port; the worker reconnects by itself
    const resumed = await runQueuedSweep(plan, { outDir: join(dir, 'queued'), queue: r.url, resume: true });
    expect(resumed.resumed).toBe(cut.pointsDone);
    expect(resumed.report.status).toBe('complete');
    expect(pointsText(join(dir, 'queued'))).toBe(pointsText(join(dir, 'local')));
  });
});

describe('a queued sweep, bad input', () => {
  it('refuses a URL that is not redis://host:port[/db] as a usage error', () => {
    for (const bad of ['http://127.0.0.1:6379', 'redis://', '127.0.0.1:6379', 'redis://127.0.0.1:6379/x']) expect(() => parseQueueUrl(bad), bad).toThrow(UsageError);
    expect(parseQueueUrl('redis://127.0.0.1:6379/2')).toBe('redis://127.0.0.1:6379/2');
    expect(() => parseQueueUrl('redis://u:secret@127.0.0.1:6379/x')).toThrow(/^--queue: expected .* got "redis:\/\/u:\*\*\*@127\.0\.0\.1:6379\/x" \(database "x" is not a number\)$/);
    // Messages never show a password.
    expect(shownUrl('redis://user:secret@10.0.0.5:6379/2')).toBe('redis://user:***@10.0.0.5:6379/2');
    expect(shownUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('says in one line that Redis is unreachable, before touching --out', async () => {
    const dir = tempDir('queue-unreachable');
    const plan = grid(dir);
    const port = await freePort();
    const err = await runQueuedSweep(plan, { outDir: join(dir, 'o'), queue: `redis://127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JitterlabError);
    expect((err as JitterlabError).kind).toBe('io');
    expect((err as Error).message).toBe(`cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });

  it('exits 1 (unreachable) or 2 (wrong URL) from the command line with one line', async () => {
    const dir = tempDir('queue-cli');
    const file = writeSweepScenario(dir);
    const port = await freePort();
    const cli = (...args: string[]) => spawnSync(process.execPath, [JITTERLAB, ...args], { encoding: 'utf8', timeout: 60_000 });
    const down = cli('sweep', file, '--vary', 'channel.loss.rate=0,0.1', '--queue', `redis://127.0.0.1:${port}`, '--out', join(dir, 'o'));
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`^(.*\\n)?jitterlab: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED.*\\n$`));
    const worker = cli('worker', '--queue', `redis://127.0.0.1:${port}`);
    expect(worker.status).toBe(1);
    expect(worker.stderr).toMatch(/^jitterlab: cannot reach Redis at .*ECONNREFUSED/m);
    const wrong = cli('worker', '--queue', 'http://localhost:6379');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/^jitterlab: --queue: expected redis:\/\/host:port\[\/db\], got "http:\/\/localhost:6379" \(scheme http is not redis\)$/m);
    const both = cli('sweep', file, '--vary', 'channel.loss.rate=0,0.1', '--queue', 'redis://127.0.0.1:1', '--jobs', '2');
    expect(both.status).toBe(2);
  });
});
