/**
 * The sweep worker as one pre-built ES module (core/esm-bundle.ts): every worker thread is its
 * own V8 isolate, and loading our TypeScript through tsx there costs 0.5–0.8 s of CPU per thread
 * on the cores the sweep needs. Native addons, what loads them, and CommonJS packages (esbuild's
 * ESM output cannot require Node built-ins from bundled CommonJS) stay files of node_modules;
 * zod (ESM) is bundled, which spares every worker resolving and linking its many modules.
 */
import { join } from 'node:path';
import { esmBundle } from '../core/esm-bundle.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';

/** URL of the bundled worker, or null (the pool then loads the TypeScript entry through tsx). */
export function sweepWorkerBundle(): Promise<URL | null> {
  return esmBundle({
    name: 'sweep-worker',
    entry: join(PROJECT_ROOT, 'src', 'sweep', 'worker.ts'),
    // werift and playwright-core (browser receivers, never swept) are CommonJS trees with dynamic
    // requires of Node built-ins, which esbuild's ESM output cannot bundle.
    external: ['@discordjs/opus', 'koffi', 'wavefile', 'esbuild', 'tsx', 'yaml', 'werift', 'playwright-core'],
  });
}
