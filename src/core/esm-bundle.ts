/**
 * One of our TypeScript entry points as a plain-JavaScript ES module (one file, plus a chunk per
 * module only reached through a dynamic import), built with esbuild and cached in a folder of
 * node_modules/.cache/jitterlab/. Loading our modules through tsx (about 150 for
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
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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
    const dir = join(BUNDLE_DIR, `${spec.name}-${cacheKey(spec, esbuild.version)}`);
    const entry = join(dir, ENTRY_FILE);
    if (existsSync(entry)) return pathToFileURL(entry);
    const result = await esbuild.build({
      entryPoints: { [ENTRY_NAME]: spec.entry },
      bundle: true,
      write: false,
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      // A module reached only through a dynamic import() becomes a chunk loaded on that import:
      // bundled inline, its packages were imported at start-up (werift, ~0.5 s of CPU for every
      // `jitterlab run` and every worker thread, for browser receivers almost nobody runs).
      splitting: true,
      chunkNames: 'chunk-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      ...(spec.external === 'all' ? { packages: 'external' as const } : { external: [...spec.external] }),
      keepNames: false,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl],
    });
    for (const f of result.outputFiles) checkNoImportMetaUrl(f.text, spec.name);
    writeBuild(dir, result.outputFiles);
    removeStaleBuilds(spec.name, dir);
    return pathToFileURL(entry);
  } catch {
    return null;
  }
}

/**
 * Builds of earlier source states are dead weight, once no process can still be using them: a
 * run that started on one may load a chunk of it later (a browser receiver's code), so builds of
 * the last minutes stay.
 */
function removeStaleBuilds(name: string, current: string): void {
  const stale = new RegExp(`^${name}-[0-9a-f]+(\\.mjs)?$`);
  const before = Date.now() - STALE_AFTER_MS;
  for (const old of readdirSync(BUNDLE_DIR)) {
    const p = join(BUNDLE_DIR, old);
    if (!stale.test(old) || p === current) continue;
    try {
      if (statSync(p).mtimeMs < before) rmSync(p, { recursive: true, force: true });
    } catch {
      /* removed by another process meanwhile */
    }
  }
}

const STALE_AFTER_MS = 15 * 60_000;
const ENTRY_NAME = 'index';
const ENTRY_FILE = `${ENTRY_NAME}.mjs`;

/**
 * The build's files (entry and chunks) into `dir`, which appears whole or not at all: written
 * beside it, then renamed. A concurrent build of the same sources may have won the rename; its
 * files are the same.
 */
function writeBuild(dir: string, files: ReadonlyArray<{ path: string; contents: Uint8Array }>): void {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    for (const f of files) writeFileAtomic(join(tmp, relative(dir, f.path)), f.contents);
    renameSync(tmp, dir);
  } catch (e) {
    if (!existsSync(join(dir, ENTRY_FILE))) throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
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
