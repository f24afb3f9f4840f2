/**
 * A fixed pool of worker threads running sweep points. Each worker loads the bundled worker
 * (worker-bundle.ts) or, when no bundle could be built, the TypeScript entry through tsx's ESM
 * API (a `--import tsx` execArgv does not reach a worker's module loader on Node 20). They are
 * started first, so their start-up overlaps the main thread's validation and encoding; then each
 * gets the shared encodings once and is handed the next point whenever it answers. Outcomes are
 * reported as they complete; the caller orders them by point index.
 */
import { Worker } from 'node:worker_threads';
import { JitterlabError } from '../core/errors.ts';
import type { PointOutcome, PointTask } from './point-run.ts';
import type { PackedEncoding } from './shared-encodings.ts';
import type { ToWorker, WorkerBase } from './worker.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/** Code run by each worker without a bundle: register tsx's loader, then import the worker module. */
function tsxBootstrap(): string {
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
}

export interface PoolRun {
  /** Resolves when every task has an outcome, or after stop() with the ones that finished. */
  done: Promise<{ stopped: boolean }>;
  stop(): Promise<void>;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];

  /** `bundle`: the pre-built worker module (sweepWorkerBundle()), or null to load TypeScript through tsx. */
  constructor(base: WorkerBase, size: number, bundle: URL | null) {
    for (let i = 0; i < Math.max(1, size); i++) {
      this.workers.push(bundle ? new Worker(bundle, { workerData: base }) : new Worker(tsxBootstrap(), { eval: true, workerData: base }));
    }
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Run the tasks; the pool is closed when this finishes or is stopped. */
  run(encodings: PackedEncoding[], tasks: readonly PointTask[], onOutcome: (o: PointOutcome) => void): PoolRun {
    let next = 0;
    let pending = tasks.length;
    let stopped = false;
    let settle: (v: { stopped: boolean }) => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    const done = new Promise<{ stopped: boolean }>((res, rej) => {
      settle = res;
      fail = rej;
    });
    const post = (w: Worker, m: ToWorker): void => w.postMessage(m);
    const feed = (w: Worker): void => {
      if (!stopped && next < tasks.length) post(w, { kind: 'task', ...tasks[next++] });
    };
    const abort = (e: Error): void => {
      if (stopped) return;
      stopped = true;
      void this.close().then(() => fail(e));
    };
    if (tasks.length === 0) {
      stopped = true;
      void this.close().then(() => settle({ stopped: false }));
    }
    for (const w of this.workers) {
      w.on('message', (m: PointOutcome | { ready: true }) => {
        if ('ready' in m) return feed(w);
        if (stopped) return;
        onOutcome(m);
        pending--;
        if (pending === 0) {
          stopped = true;
          void this.close().then(() => settle({ stopped: false }));
        } else feed(w);
      });
      w.on('error', (e) => abort(new JitterlabError('internal', `sweep worker failed: ${e.stack ?? e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0) abort(new JitterlabError('internal', `sweep worker exited with code ${code}`));
      });
      post(w, { kind: 'init', encodings });
    }
    return {
      done,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await this.close();
        settle({ stopped: true });
      },
    };
  }
}
