/**
 * A fresh clone's first command: `jitterlab sweep` with worker threads, with nothing cached yet.
 * The launcher builds the CLI bundle first and the CLI then builds the sweep-worker bundle from
 * inside it (core/esm-bundle.ts bundled into itself), which once left every `import.meta.url` of
 * the worker unreplaced, so its PROJECT_ROOT pointed into node_modules/ (issue 16).
 *
 * The clone is a copy of the files a checkout has (src/, scenarios/, fixtures/, package files) with
 * a node_modules of links to this checkout's packages but without their .cache: the bundles are
 * built from an empty cache, in the order a new user's first `npx jitterlab sweep` builds them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const root = mkdtempSync(join(tmpdir(), 'jitterlab-fresh-clone-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshClone(): string {
  const clone = join(root, 'jitterlab');
  mkdirSync(clone);
  for (const d of ['src', 'scenarios', 'fixtures']) cpSync(join(PROJECT_ROOT, d), join(clone, d), { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) cpSync(join(PROJECT_ROOT, f), join(clone, f));
  mkdirSync(join(clone, 'node_modules'));
  for (const e of readdirSync(join(PROJECT_ROOT, 'node_modules'))) {
    if (e !== '.cache') symlinkSync(join(PROJECT_ROOT, 'node_modules', e), join(clone, 'node_modules', e));
  }
  return clone;
}

describe('a fresh clone', () => {
  it('runs `jitterlab sweep` on worker threads on its first command (CLI bundle built first, then the worker bundle from it)', () => {
    const clone = freshClone();
    // A source file named relative to the project root: a worker with a wrong PROJECT_ROOT cannot find it.
    writeFileSync(
      join(clone, 'scenarios', 'fresh.yaml'),
      `name: fresh
seed: 5
durationS: 2
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 30, jitterMs: 5 }
  loss: { model: bernoulli, rate: 0.02 }
report: { html: false, visqol: false }
`,
    );
    const out = join(root, 'sweep');
    const r = spawnSync(process.execPath, [join(clone, 'src', 'cli', 'jitterlab.js'), 'sweep', 'scenarios/fresh.yaml', '--vary', 'channel.loss.rate=0,0.05', '--jobs', '2', '--out', out], {
      cwd: clone,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/failed|not found/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2\/2 points done\./);
    const cache = join(clone, 'node_modules', '.cache', 'jitterlab');
    // Each build is a folder (its entry index.mjs and the chunks split at dynamic imports).
    const built = readdirSync(cache, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(built.map((f) => f.replace(/-[0-9a-f]+$/, ''))).toEqual(['app', 'sweep-worker']);
    const workerDir = join(cache, built[1]);
    const worker = readdirSync(workerDir).map((f) => readFileSync(join(workerDir, f), 'utf8')).join('\n');
    expect(worker).not.toMatch(/\bimport\.meta\.url\b/);
    expect(worker).toContain(JSON.stringify(pathToFileURL(join(clone, 'src', 'scenario', 'load.ts')).href));
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { pointsDone: number; points: Array<{ error: string | null }> };
    expect(sweep.points.map((p) => p.error)).toEqual([null, null]);
  });

  it('is not dirtied by `npm install`: the root entry of package-lock.json repeats package.json (bin path included)', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { name: string; version: string; packages: Record<string, Record<string, unknown>> };
    expect([lock.name, lock.version]).toEqual([pkg.name, pkg.version]);
    const rootEntry = lock.packages[''];
    for (const k of ['name', 'version', 'license', 'bin', 'engines', 'dependencies', 'devDependencies']) expect(rootEntry[k], k).toEqual(pkg[k]);
  });
});
