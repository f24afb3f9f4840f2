/**
 * The page, built from TypeScript in src/live/web/ with esbuild when the server starts (no CDN,
 * no build step for users): app.js (the page, with chart.js bundled from node_modules) and
 * worklet.js (the AudioWorklet processor). esbuild comes with tsx.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { JitterlabError } from '../core/errors.ts';

export interface WebBundle {
  html: string;
  appJs: string;
  workletJs: string;
}

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), 'web');

export async function buildWebBundle(): Promise<WebBundle> {
  try {
    const r = await build({
      entryPoints: { app: join(WEB_DIR, 'main.ts'), worklet: join(WEB_DIR, 'io-worklet.ts') },
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['chrome100', 'firefox100', 'safari16'],
      minify: true,
      outdir: '/bundle',
      logLevel: 'silent',
      legalComments: 'inline',
    });
    const get = (name: string) => {
      const f = r.outputFiles.find((o) => o.path.endsWith(`/${name}`));
      if (!f) throw new JitterlabError('internal', `web bundle: ${name} missing`);
      return f.text;
    };
    return { html: readFileSync(join(WEB_DIR, 'index.html'), 'utf8'), appJs: get('app.js'), workletJs: get('worklet.js') };
  } catch (e) {
    if (e instanceof JitterlabError) throw e;
    throw new JitterlabError('internal', `cannot build the live page: ${(e as Error).message}`);
  }
}
