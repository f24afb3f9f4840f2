/**
 * Worker-thread entry of a leg engine (engine.ts). The pool (engine-pool.ts) imports this module
 * in a new worker, from its pre-built bundle or through tsx, and calls `main()`. Batches from the
 * main thread that arrive while the engine loads its presets and codecs wait, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LiveEngine } from './engine.ts';
import type { EngineInit, FromEngine, ToEngine } from './engine-protocol.ts';

export function main(): void {
  const port = parentPort;
  if (!port) throw new Error('engine-worker: not on a worker thread');
  const post = (batch: FromEngine[], transfer: Transferable[]) => port.postMessage(batch, transfer as never);
  let engine: LiveEngine | null = null;
  const early: ToEngine[][] = [];
  port.on('message', (batch: ToEngine[]) => {
    if (engine) engine.receive(batch);
    else early.push(batch);
  });
  LiveEngine.start(workerData as EngineInit, post).then(
    (e) => {
      post([{ k: 'ready' }], []);
      engine = e;
      for (const b of early) e.receive(b);
      early.length = 0;
    },
    (e: unknown) => post([{ k: 'failed', message: (e as Error).message ?? String(e) }], []),
  );
}
