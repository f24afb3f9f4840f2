/**
 * The README's example error lines are what the tool prints: each example is reproduced from a
 * scenario file at the path and line the example names.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file behind each example line of README.md's "Scenario files" section. */
const files: Record<string, string> = {
  'scenarios/x.yaml': 'seed: 1\nchannel:\n  delay:\n    baseMs: 10\n    jiterMs: 5\n',
  'scenarios/y.yaml': 'durationS: 2\nchannel:\n  loss:\n    rate: 1.5\n',
  'scenarios/z.yaml': 'durationS: 10\nphases:\n  - { at: 12s, for: 1s, set: { delay: { baseMs: 100 } } }\n',
  'scenarios/w.yaml': 'durationS: 2\nsource: { file: talk.wav }\n',
};

describe('README error examples', () => {
  it('are printed exactly so by jitterlab validate', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Scenario files'), readme.indexOf('## The simulated channel'));
    const examples = section.split('\n').filter((l) => /^jitterlab: scenarios\/\w+\.yaml:/.test(l));
    const named = examples.map((l) => /^jitterlab: (scenarios\/\w+\.yaml):/.exec(l)![1]);
    expect(named.sort()).toEqual(Object.keys(files).sort());
    mkdirSync(join(dir, 'scenarios'));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), 'validate', ...named], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').slice(0, examples.length).sort()).toEqual([...examples].sort());
  });
});
