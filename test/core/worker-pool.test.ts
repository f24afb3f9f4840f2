import { afterEach, describe, expect, it } from 'vitest';
import { JitterlabError, ScenarioError, WavError } from '../../src/core/errors.ts';
import { execArgvWithoutTsx, PoolClosedError, WorkerPool } from '../../src/core/worker-pool.ts';
import type { TestTask } from './pool-test-worker.ts';

type Out = { value: number; thread: number; tag: string };
const ENTRY = new URL('./pool-test-worker.ts', import.meta.url);
const pools: Array<WorkerPool<TestTask, Out>> = [];
function pool(size: number, depth = 1): WorkerPool<TestTask, Out> {
  const p = new WorkerPool<TestTask, Out>({ entry: ENTRY, bundle: null, size, workerData: { tag: 't' }, depth, label: 'test' });
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('the worker pool', () => {
  it('runs tasks submitted before start() after the init data, on every worker', async () => {
    const p = pool(2);
    const out = Promise.all([1, 2, 3, 4, 5, 6].map((v) => p.submit({ op: 'sleep', ms: 30, value: v })));
    p.start(100);
    const r = await out;
    expect(r.map((x) => x.value)).toEqual([101, 102, 103, 104, 105, 106]);
    expect(r.every((x) => x.tag === 't')).toBe(true);
    expect(new Set(r.map((x) => x.thread)).size).toBe(2);
  });

  it('gives a worker at most `depth` tasks: two idle workers both get work first', async () => {
    const p = pool(2, 2);
    p.start(0);
    // The first two tasks go to different workers although each could hold two.
    const [a, b] = await Promise.all([p.submit({ op: 'sleep', ms: 50, value: 1 }), p.submit({ op: 'sleep', ms: 50, value: 2 })]);
    expect(a.thread).not.toBe(b.thread);
  });

  it('rethrows a task error as the same class, kind and message', async () => {
    const p = pool(1);
    p.start(0);
    const wav = await p.submit({ op: 'wav' }).catch((e: unknown) => e);
    expect(wav).toBeInstanceOf(WavError);
    expect((wav as WavError).file).toBe('/x/y.wav');
    expect((wav as WavError).message).toBe('/x/y.wav: no audio to score');
    expect((wav as WavError).exitCode).toBe(1);
    const sc = await p.submit({ op: 'scenario' }).catch((e: unknown) => e);
    expect(sc).toBeInstanceOf(ScenarioError);
    expect([(sc as ScenarioError).keyPath, (sc as ScenarioError).line, (sc as ScenarioError).exitCode]).toEqual(['channel.loss.rate', 7, 2]);
    expect((sc as Error).message).toBe('/s.yaml:7: channel.loss.rate: must be in 0..1');
    const plain = await p.submit({ op: 'plain' }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(Error);
    expect(plain).not.toBeInstanceOf(JitterlabError);
    expect((plain as Error).message).toBe('plain failure');
    // The worker survives its tasks' errors.
    expect((await p.submit({ op: 'echo', value: 5 })).value).toBe(5);
  });

  it('fails every pending task when a worker dies, and refuses new ones', async () => {
    const p = pool(1);
    p.start(0);
    const dying = expect(p.submit({ op: 'die' })).rejects.toThrow(/test worker exited with code 3/);
    const queued = expect(p.submit({ op: 'echo', value: 1 })).rejects.toThrow(/test worker exited with code 3/);
    await dying;
    await queued;
    await expect(p.submit({ op: 'echo', value: 1 })).rejects.toThrow(/exited with code 3/);
  });

  it('close() rejects what is still pending with PoolClosedError', async () => {
    const p = pool(1);
    p.start(0);
    const running = expect(p.submit({ op: 'sleep', ms: 5000, value: 1 })).rejects.toBeInstanceOf(PoolClosedError);
    const queued = expect(p.submit({ op: 'echo', value: 2 })).rejects.toBeInstanceOf(PoolClosedError);
    await new Promise((r) => setTimeout(r, 50));
    await p.close();
    await running;
    await queued;
    await expect(p.submit({ op: 'echo', value: 3 })).rejects.toBeInstanceOf(PoolClosedError);
  });
});

describe('the Node options of a bundled worker', () => {
  it("drop tsx's hooks, in both spellings, and keep everything else", () => {
    const argv = ['--require', '/p/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///p/node_modules/tsx/dist/loader.mjs', '--max-old-space-size=4096', '--import=file:///p/node_modules/tsx/dist/loader.mjs', '--require', './my-hook.cjs', '--cpu-prof'];
    expect(execArgvWithoutTsx(argv)).toEqual(['--max-old-space-size=4096', '--require', './my-hook.cjs', '--cpu-prof']);
    expect(execArgvWithoutTsx([])).toEqual([]);
  });
});
