/**
 * The sweep worker as one pre-built ES module (core/esm-bundle.ts): every worker thread is its
 * own V8 isolate, and loading our TypeScript through tsx there costs 0.5–0.8 s of CPU per thread
 * on the cores the sweep needs.
 */
import { join } from 'node:path';
import { esmBundle, WORKER_EXTERNALS } from '../core/esm-bundle.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';

/** URL of the bundled worker, or null (the pool then loads the TypeScript entry through tsx). */
export function sweepWorkerBundle(): Promise<URL | null> {
  return esmBundle({ name: 'sweep-worker', entry: join(PROJECT_ROOT, 'src', 'sweep', 'worker.ts'), external: WORKER_EXTERNALS });
}
