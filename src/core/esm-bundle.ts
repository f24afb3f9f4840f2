/**
 * One of our TypeScript entry points as a single plain-JavaScript ES module, built with esbuild
 * and cached under node_modules/.cache/jitterlab/. Loading our modules through tsx (about 150 for
 * a sweep worker, 270 for the CLI) costs 0.5–0.8 s of CPU per process or worker thread, and tsx's
 * keepNames wrappers (`__name(fn)` on every closure) stay on the hot path; one pre-built file
 * loads in tens of milliseconds and runs the simulator about 2% faster (test/bench/pipeline.ts).
 *
 * The cache key is every source file's path, size and mtime (src/, and the folder of an entry
 * outside it), package-lock.json and the esbuild version, so an edited checkout rebuilds on its
 * next use. Each module's `import.meta.url` is replaced by its own source URL, so paths relative
 * to a source file keep working from the cache.
 * Anything that fails (no esbuild, a read-only node_modules) resolves to null: the caller then
 * loads the TypeScript through tsx, with the same behaviour.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from './atomic-write.ts';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
export const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'jitterlab');

/**
 * What a worker-thread bundle leaves to node_modules: native addons and what loads them, and
 * CommonJS packages (esbuild's ESM output cannot require Node built-ins from bundled CommonJS).
 * werift and playwright-core (browser receivers, which never run in a worker) are CommonJS trees
 * with dynamic requires of Node built-ins. zod (ESM) is bundled, which spares every worker
 * resolving and linking its many modules.
 */
export const WORKER_EXTERNALS: readonly string[] = Object.freeze(['@discordjs/opus', 'koffi', 'wavefile', 'esbuild', 'tsx', 'yaml', 'werift', 'playwright-core']);

export interface BundleSpec {
  /** File name prefix in the cache, e.g. "app" or "sweep-worker". */
  name: string;
  /** Entry module: a path under src/, or a script whose src/ imports are bundled with it. */
  entry: string;
  /** Packages left to node_modules ('all': every package, only src/ is bundled). */
  external: readonly string[] | 'all';
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|js|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

/** The build's cache key (exported for its test). */
export function cacheKey(spec: BundleSpec, esbuildVersion: string): string {
  const h = createHash('sha256').update(`${esbuildVersion}\0${JSON.stringify(spec)}\n`);
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  // The entry may sit outside src/ (a benchmark): it and the modules beside it are part of the key too.
  const outside = relative(SRC, spec.entry).startsWith('..') ? sourceFiles(dirname(spec.entry)) : [];
  for (const f of [spec.entry, ...outside.sort(), ...sourceFiles(SRC).sort()]) {
    const s = statSync(f);
    h.update(`${relative(SRC, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

const memo = new Map<string, Promise<URL | null>>();

/** URL of the bundle, building it if the sources changed since the last build; null if it cannot be built. */
export function esmBundle(spec: BundleSpec): Promise<URL | null> {
  let p = memo.get(spec.name);
  if (!p) {
    p = build(spec);
    memo.set(spec.name, p);
  }
  return p;
}

async function build(spec: BundleSpec): Promise<URL | null> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = require('esbuild') as typeof import('esbuild');
  } catch {
    return null;
  }
  try {
    const file = join(BUNDLE_DIR, `${spec.name}-${cacheKey(spec, esbuild.version)}.mjs`);
    if (existsSync(file)) return pathToFileURL(file);
    const result = await esbuild.build({
      entryPoints: [spec.entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      ...(spec.external === 'all' ? { packages: 'external' as const } : { external: [...spec.external] }),
      keepNames: false,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl],
    });
    checkNoImportMetaUrl(result.outputFiles[0].text, spec.name);
    writeFileAtomic(file, result.outputFiles[0].contents);
    // Builds of earlier source states are dead weight.
    const stale = new RegExp(`^${spec.name}-[0-9a-f]+\\.mjs$`);
    for (const old of readdirSync(BUNDLE_DIR)) {
      if (stale.test(old) && join(BUNDLE_DIR, old) !== file) rmSync(join(BUNDLE_DIR, old), { force: true });
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

/**
 * The expression to replace, as a pattern whose own source text does not contain the expression:
 * this module is itself bundled into the CLI (app-bundle.ts), and a search string spelled as the
 * plain expression was rewritten to this file's URL there, so the CLI then built a sweep worker
 * with every `import.meta.url` left pointing into node_modules/.cache (issue 16).
 */
const IMPORT_META_URL = /\bimport\.meta\.url\b/;

/** The source text with `import.meta.url` replaced by the file's own URL. */
export function withOwnUrl(text: string, file: string): string {
  return text.replace(new RegExp(IMPORT_META_URL.source, 'g'), JSON.stringify(pathToFileURL(file).href));
}

/**
 * A bundle in which some `import.meta.url` survived would resolve paths against the cache folder;
 * such a build is refused (the caller then loads the TypeScript sources, which always work).
 */
export function checkNoImportMetaUrl(text: string, name: string): void {
  if (IMPORT_META_URL.test(text)) throw new Error(`${name} bundle: import.meta.url left unreplaced`);
}
