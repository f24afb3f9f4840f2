/**
 * A fixed pool of worker threads running sweep points. Workers load TypeScript through tsx's
 * ESM API (a `--import tsx` execArgv does not reach a worker's module loader on Node 20), each
 * gets the shared encodings once, then is handed the next point whenever it answers; results are
 * reported as they complete and ordered by the caller, by point index.
 */
import { Worker } from 'node:worker_threads';
import { JitterlabError } from '../core/errors.ts';
import type { PointOutcome, PointTask } from './point-run.ts';
import type { WorkerInit } from './worker.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);

function tsxApiUrl(): string {
  return import.meta.resolve('tsx/esm/api');
}

/** Code run by each worker: register tsx's loader, then import the worker module. */
function bootstrap(): string {
  return `import(${JSON.stringify(tsxApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
}

export interface PoolRun {
  /** Resolves when every task has an outcome, or after stop() with the ones that finished. */
  done: Promise<{ stopped: boolean }>;
  stop(): Promise<void>;
}

export function runPool(init: WorkerInit, tasks: readonly PointTask[], jobs: number, onOutcome: (o: PointOutcome) => void): PoolRun {
  const n = Math.max(1, Math.min(jobs, tasks.length));
  const workers: Worker[] = [];
  let next = 0;
  let pending = tasks.length;
  let stopped = false;
  let settle: (v: { stopped: boolean }) => void = () => undefined;
  let fail: (e: Error) => void = () => undefined;
  const done = new Promise<{ stopped: boolean }>((res, rej) => {
    settle = res;
    fail = rej;
  });
  const terminateAll = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.terminate()));
  };
  const feed = (w: Worker): void => {
    if (stopped || next >= tasks.length) return;
    w.postMessage(tasks[next++]);
  };
  if (tasks.length === 0) settle({ stopped: false });
  else {
    for (let i = 0; i < n; i++) {
      const w = new Worker(bootstrap(), { eval: true, workerData: init });
      workers.push(w);
      w.on('message', (m: PointOutcome | { ready: true }) => {
        if ('ready' in m) return feed(w);
        if (stopped) return;
        onOutcome(m);
        pending--;
        if (pending === 0) {
          void terminateAll().then(() => settle({ stopped: false }));
        } else feed(w);
      });
      w.on('error', (e) => {
        if (stopped) return;
        stopped = true;
        void terminateAll().then(() => fail(new JitterlabError('internal', `sweep worker failed: ${e.stack ?? e.message}`)));
      });
    }
  }
  return {
    done,
    stop: async () => {
      if (stopped || pending === 0) return;
      stopped = true;
      await terminateAll();
      settle({ stopped: true });
    },
  };
}
