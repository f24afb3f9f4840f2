/**
 * A benchmark measures the code users run: under tsx (npm run bench...) the script only launches
 * itself, bundled, in plain Node, with the CLI's own bundle (src/cli/app-bundle.ts) named in the
 * environment; there it drives that bundle in-process. tsx's loader hooks would transform the
 * bundle again and add keepNames wrappers, and worker threads would inherit them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { App } from '../../src/cli/app-bundle.ts';

const APP_ENV = 'JITTERLAB_BENCH_APP';

/** The CLI's bundle, in the relaunched process; in the first one, relaunches and exits with its status. */
export async function benchApp(scriptUrl: string, name: string): Promise<App> {
  const app = process.env[APP_ENV];
  if (app) return (await import(app)) as App;
  const { appBundle } = await import('../../src/cli/app-bundle.ts');
  const { esmBundle } = await import('../../src/core/esm-bundle.ts');
  const appUrl = await appBundle();
  const self = await esmBundle({ name, entry: fileURLToPath(scriptUrl), external: 'all' });
  if (!appUrl || !self) {
    process.stderr.write('bench: cannot build the bundles (is esbuild installed?)\n');
    process.exit(1);
  }
  const r = spawnSync(process.execPath, [fileURLToPath(self), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [APP_ENV]: appUrl.href } });
  process.exit(r.status ?? 1);
}
