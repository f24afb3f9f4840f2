/**
 * The leg engine's worker entry as one pre-built ES module (core/esm-bundle.ts), as the sweep's
 * worker is: each worker thread is its own V8 isolate, and loading our TypeScript through tsx
 * there costs 0.5-0.8 s of CPU per thread at server start and keeps tsx's wrappers on the hot
 * path. Native addons, CommonJS packages and werift stay files of node_modules (werift and the
 * WebRTC peer, reached only through a dynamic import, are a chunk loaded on the first WebRTC
 * listener).
 */
import { join } from 'node:path';
import { esmBundle, WORKER_EXTERNALS } from '../core/esm-bundle.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';

/** URL of the bundled engine worker, or null (the pool then loads the TypeScript entry through tsx). */
export function liveEngineBundle(): Promise<URL | null> {
  return esmBundle({
    name: 'live-engine',
    entry: join(PROJECT_ROOT, 'src', 'live', 'engine-worker.ts'),
    external: WORKER_EXTERNALS,
  });
}
