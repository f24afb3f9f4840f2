/**
 * Output paths the file system refuses. /proc takes no new directories, and Node's recursive
 * mkdir answered that with an endless loop at full CPU (issue 16): every command that writes
 * there must fail at once with one line, exit 1. Run as child processes, so a regression times
 * out instead of hanging the suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-unwritable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), ...args], { encoding: 'utf8', cwd: dir, timeout: 30_000, killSignal: 'SIGKILL' });
  return { code: r.status, stderr: r.stderr };
}

const scenario = join(dir, 'tiny.yaml');
writeFileSync(scenario, 'name: tiny\ndurationS: 1\nsource: { file: fixtures/speech-48k.wav }\nreport: { html: false, visqol: false }\n');

describe.runIf(process.platform === 'linux')('an --out under /proc', () => {
  it.each([
    ['run', ['run', scenario, '--out', '/proc/jitterlab-x']],
    ['sweep', ['sweep', scenario, '--vary', 'channel.loss.rate=0,0.1', '--jobs', '0', '--out', '/proc/jitterlab-x/y']],
    ['check --junit', ['check', join(PROJECT_ROOT, 'scenarios', 'ci', 'ci-clean.yaml'), '--junit', '/proc/jitterlab-x/junit.xml']],
  ])('%s fails at once with one line (exit 1)', (_, args) => {
    const r = cli(...args);
    expect(r.code).toBe(1);
    // sweep states its plan on stderr first; the error itself is one line, and the last.
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('jitterlab:'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^jitterlab: \/proc\/jitterlab-x.*: .*(ENOENT|takes no new directories)/);
    expect(r.stderr).not.toMatch(/staging|internal error|\n\s+at /);
  });
});
