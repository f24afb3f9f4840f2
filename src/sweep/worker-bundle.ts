/**
 * The sweep worker as one plain-JavaScript ES module, built with esbuild and cached under
 * node_modules/.cache/jitterlab/. A worker thread that loads our TypeScript through tsx spends
 * 0.5–0.8 s of CPU transforming and linking ~150 modules, in every thread, on the cores the
 * sweep needs; one pre-built file loads in a few tens of milliseconds. The bundle also leaves
 * out tsx's keepNames wrappers (`__name(fn)` on every closure created on the hot path).
 *
 * The cache key is every source file's path, size and mtime, package-lock.json and the esbuild
 * version, so an edited checkout rebuilds on its next sweep. Native addons stay external,
 * resolved from the project's node_modules as usual; each module's `import.meta.url` is replaced
 * by its own source URL so paths relative to a source file keep working.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';

const require = createRequire(import.meta.url);
const SRC = join(PROJECT_ROOT, 'src');
const ENTRY = join(SRC, 'sweep', 'worker.ts');
export const WORKER_BUNDLE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'jitterlab');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|js|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

function cacheKey(esbuildVersion: string): string {
  const h = createHash('sha256').update(esbuildVersion);
  const lock = join(PROJECT_ROOT, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  for (const f of sourceFiles(SRC).sort()) {
    const s = statSync(f);
    h.update(`${relative(SRC, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

let memo: Promise<URL | null> | null = null;

/**
 * URL of the bundled worker, building it if the sources changed since the last build. Resolves
 * to null when esbuild is unavailable or the build fails; the caller then loads the TypeScript
 * entry through tsx (slower start-up, same behaviour).
 */
export function sweepWorkerBundle(): Promise<URL | null> {
  memo ??= build();
  return memo;
}

async function build(): Promise<URL | null> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = require('esbuild') as typeof import('esbuild');
  } catch {
    return null;
  }
  const file = join(WORKER_BUNDLE_DIR, `sweep-worker-${cacheKey(esbuild.version)}.mjs`);
  if (existsSync(file)) return pathToFileURL(file);
  try {
    const result = await esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Native addons, what loads them, and CommonJS packages (esbuild's ESM output cannot
      // require Node built-ins from bundled CommonJS) stay files of node_modules; zod (ESM) is
      // bundled, which spares every worker resolving and linking its many modules.
      external: ['@discordjs/opus', 'koffi', 'wavefile', 'esbuild', 'tsx', 'yaml'],
      keepNames: false,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl],
    });
    writeFileAtomic(file, result.outputFiles[0].contents);
    // Builds of earlier source states are dead weight.
    for (const old of readdirSync(WORKER_BUNDLE_DIR)) {
      if (/^sweep-worker-[0-9a-f]+\.mjs$/.test(old) && join(WORKER_BUNDLE_DIR, old) !== file) rmSync(join(WORKER_BUNDLE_DIR, old), { force: true });
    }
    return pathToFileURL(file);
  } catch {
    return null;
  }
}

/** Each source module's `import.meta.url` becomes its own file URL, as if loaded unbundled. */
const ownImportMetaUrl: import('esbuild').Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: withOwnUrl(readFileSync(args.path, 'utf8'), args.path),
      loader: 'ts',
    }));
  },
};

/** The source text with `import.meta.url` replaced by the file's own URL. */
export function withOwnUrl(text: string, file: string): string {
  return text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href));
}
