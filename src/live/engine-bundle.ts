/**
 * The leg engine's worker entry as one pre-built ES module (core/esm-bundle.ts), as the sweep's
 * worker is: each worker thread is its own V8 isolate, and loading our TypeScript through tsx
 * there costs 0.5-0.8 s of CPU per thread at server start and keeps tsx's wrappers on the hot
 * path. Native addons, CommonJS packages and werift (loaded for the first WebRTC listener only)
 * stay files of node_modules.
 */
import { join } from 'node:path';
import { esmBundle } from '../core/esm-bundle.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';

/** URL of the bundled engine worker, or null (the pool then loads the TypeScript entry through tsx). */
export function liveEngineBundle(): Promise<URL | null> {
  return esmBundle({
    name: 'live-engine',
    entry: join(PROJECT_ROOT, 'src', 'live', 'engine-worker.ts'),
    external: ['@discordjs/opus', 'koffi', 'wavefile', 'esbuild', 'tsx', 'yaml', 'werift', 'playwright-core'],
  });
}
