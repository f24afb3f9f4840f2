import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_DIR, cacheKey, withOwnUrl } from '../../src/core/esm-bundle.ts';
import { sweepWorkerBundle } from '../../src/sweep/worker-bundle.ts';

describe('the bundled sweep worker', () => {
  it('is built once into node_modules/.cache and reused', async () => {
    const url = await sweepWorkerBundle();
    expect(url).not.toBeNull();
    const file = fileURLToPath(url!);
    expect(file.startsWith(BUNDLE_DIR)).toBe(true);
    expect(existsSync(file)).toBe(true);
    expect(await sweepWorkerBundle()).toBe(url);
    const files = readdirSync(dirname(file)).map((f) => join(dirname(file), f));
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    // Every module's import.meta.url was pinned to its own source file (paths relative to a
    // source keep working from the cache folder), and no keepNames wrappers are left.
    expect(text).not.toContain('import.meta.url');
    expect(text).toContain(JSON.stringify(pathToFileURL(fileURLToPath(new URL('../../src/scenario/load.ts', import.meta.url))).href));
    expect(text).not.toMatch(/\b__name\(/);
    // Native addons are loaded from node_modules, not inlined.
    expect(text).not.toContain('node_modules/@discordjs/opus/');
  });

  it("imports the browser receiver's packages only where a browser variant runs, not at start-up", async () => {
    const entry = fileURLToPath((await sweepWorkerBundle())!);
    // Modules reached only by import() are chunks, loaded on that import: werift (~0.5 s of CPU
    // per thread to load) is not among the static imports of the entry or of what it imports.
    const loaded = new Set<string>();
    const visit = (f: string): void => {
      if (loaded.has(f)) return;
      loaded.add(f);
      for (const m of readFileSync(f, 'utf8').matchAll(/^import[^;]*?from\s*"(\.\/[^"]+)"/gm)) visit(join(dirname(f), m[1]));
    };
    visit(entry);
    const statics = [...loaded].map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(statics).toMatch(/from "yaml"/);
    expect(statics).not.toMatch(/^import[^;]*from "werift"/m);
    expect(readdirSync(dirname(entry)).some((f) => /^import[^;]*from "werift"/m.test(readFileSync(join(dirname(entry), f), 'utf8')))).toBe(true);
  });

  it('keys a build of an entry outside src/ on the modules beside it too', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'jitterlab-bundle-key-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, "import { x } from './helper.ts';\nconsole.log(x);\n");
    writeFileSync(join(dir, 'helper.ts'), 'export const x = 1;\n');
    const spec = { name: 'key-test', entry, external: 'all' as const };
    const before = cacheKey(spec, '0');
    expect(cacheKey(spec, '0')).toBe(before);
    // An edit of the imported helper (not of the entry) must rebuild the bundle.
    writeFileSync(join(dir, 'helper.ts'), 'export const x = 12;\n');
    expect(cacheKey(spec, '0')).not.toBe(before);
  });

  it('replaces import.meta.url with the source file URL', () => {
    expect(withOwnUrl('const r = createRequire(import.meta.url); new URL("./x", import.meta.url);', '/a/b/c.ts')).toBe(
      'const r = createRequire("file:///a/b/c.ts"); new URL("./x", "file:///a/b/c.ts");',
    );
  });
});

describe('a sweep on bundled workers with a TypeScript jitter-buffer module', () => {
  it('loads the module through tsx in the workers (not the bundle) and matches the in-thread run', async () => {
    const { copyFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { planSweep } = await import('../../src/sweep/plan.ts');
    const { runSweep } = await import('../../src/sweep/run-sweep.ts');
    const { tempDir } = await import('./helpers.ts');
    const dir = tempDir('ts-module');
    // The shipped JavaScript example is valid TypeScript; as a .ts file it needs a TS loader.
    copyFileSync(fileURLToPath(new URL('../../examples/my-buffer.js', import.meta.url)), join(dir, 'my-buffer.ts'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const file = join(dir, 'm.yaml');
    writeFileSync(
      file,
      `name: m
seed: 3
durationS: 2
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 30, jitterMs: 10, distribution: uniform }
  loss: { model: bernoulli, rate: 0.05 }
receiver:
  jitterBuffer: { module: ./my-buffer.ts, options: { percentile: 0.9 } }
`,
    );
    const plan = planSweep(file, { vary: ['channel.delay.jitterMs=0,20'] });
    const workers = await runSweep(plan, { outDir: join(dir, 'w'), jobs: 1 });
    expect(workers.report.points.map((p) => p.error)).toEqual([null, null]);
    const inThread = await runSweep(plan, { outDir: join(dir, 't'), jobs: 0 });
    expect(workers.report.points.map((p) => p.variants)).toEqual(inThread.report.points.map((p) => p.variants));
  });
});
