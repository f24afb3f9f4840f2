/**
 * The CLI as one pre-built ES module (core/esm-bundle.ts), loaded by the `jitterlab` launcher:
 * start-up without transforming ~270 modules, and no tsx keepNames wrappers on the simulator's
 * hot path. Every package stays in node_modules; only src/ is bundled.
 */
import { fileURLToPath } from 'node:url';
import { esmBundle } from '../core/esm-bundle.ts';

export type App = typeof import('./app.ts');

export function appBundle(): Promise<URL | null> {
  return esmBundle({ name: 'app', entry: fileURLToPath(new URL('./app.ts', import.meta.url)), external: 'all' });
}

