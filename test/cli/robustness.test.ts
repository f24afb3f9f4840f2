import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI under `node <nodeOptions> jitterlab.js ...`. */
function cliWithNodeOptions(nodeOptions: string[], ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeOptions, join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, body: string): string {
  const f = join(dir, name);
  writeFileSync(f, body);
  return f;
}

const FAST = 'durationS: 1\nreport: { html: false, visqol: false }\n';

describe('robustness of the command line', () => {
  it('V8 options given to node (a larger heap for a long sweep) reach the worker threads without stopping them', () => {
    const sc = file('heap.yaml', FAST);
    const out = join(dir, 'heap-sweep');
    const r = cliWithNodeOptions(['--max-old-space-size=1024', '--stack-size=2000'], 'sweep', sc, '--vary', 'channel.loss.rate=0,0.05', '--jobs', '2', '--out', out);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).points).toHaveLength(2);
  });

  it('a YAML alias error (unresolved alias, alias bomb) is one scenario line, exit 2, not an internal error', () => {
    const r = cli('validate', file('alias.yaml', 'durationS: 1\nx: *nowhere\n'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/alias\.yaml: invalid YAML: .*alias/i);
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const bomb = cli('validate', file('bomb.yaml', `${lines.join('\n')}\n`));
    expect(bomb.code).toBe(2);
    expect(bomb.stderr).not.toMatch(/internal error/);
  });

  it('--out naming an existing file or a non-report directory fails and deletes nothing', () => {
    const sc = file('out.yaml', FAST);
    const notes = file('notes.txt', 'keep me');
    let r = cli('run', sc, '--out', notes);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/notes\.txt: exists and is not a directory/);
    expect(readFileSync(notes, 'utf8')).toBe('keep me');

    const mine = join(dir, 'thesis');
    mkdirSync(mine);
    writeFileSync(join(mine, 'chapter1.tex'), 'keep');
    r = cli('run', sc, '--out', mine);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/thesis: exists and is not a jitterlab report/);
    expect(readdirSync(mine)).toEqual(['chapter1.tex']);
    expect(readdirSync(dir).filter((n) => n.includes('staging'))).toEqual([]);

    // An earlier report is replaced as before.
    const rep = join(dir, 'rep');
    expect(cli('run', sc, '--out', rep).code).toBe(0);
    expect(cli('run', sc, '--out', rep).code).toBe(0);
    expect(existsSync(join(rep, 'results.json'))).toBe(true);
  });

  it('a run keeps a foreign index.html beside --out, and removes staging left by a killed run', () => {
    const site = join(dir, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<html>my page</html>');
    // pid above the kernel's pid_max: certainly not a live process.
    const stale = join(site, '.r1.staging-4194999-abc123');
    mkdirSync(stale);
    writeFileSync(join(stale, 'degraded.wav'), 'half');
    const r = cli('run', file('site.yaml', FAST), '--out', join(site, 'r1'));
    expect(r.code).toBe(0);
    expect(readFileSync(join(site, 'index.html'), 'utf8')).toBe('<html>my page</html>');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(join(site, 'r1', 'results.json'))).toBe(true);
  });

  it('a sweep with a rejected value keeps the earlier sweep in --out (points.jsonl, plan.json)', () => {
    const sc = file('sw.yaml', FAST);
    const out = join(dir, 'sweep-out');
    expect(cli('sweep', sc, '--vary', 'channel.loss.rate=0,0.1', '--out', out, '--jobs', '0').code).toBe(0);
    const points = readFileSync(join(out, 'points.jsonl'), 'utf8');
    const plan = readFileSync(join(out, 'plan.json'), 'utf8');
    const r = cli('sweep', sc, '--vary', 'channel.loss.rate=0,2', '--out', out, '--jobs', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/channel\.loss\.rate: must be in 0\.\.1, got 2/);
    expect(readFileSync(join(out, 'points.jsonl'), 'utf8')).toBe(points);
    expect(readFileSync(join(out, 'plan.json'), 'utf8')).toBe(plan);
    expect(cli('sweep', sc, '--vary', 'channel.loss.rate=0,0.1', '--out', out, '--jobs', '0', '--resume').code).toBe(0);
  });

  it('an error inside a run names the report path, never the hidden staging directory', () => {
    // Nothing arrives (every packet lost): whether or not such a run can be scored, no staging path is shown.
    const sc = file('allgone.yaml', `${FAST}channel: { loss: { model: bernoulli, rate: 1 } }\n`);
    const out = join(dir, 'allgone-out');
    const r = cli('run', sc, '--out', out);
    expect(r.stderr).not.toMatch(/staging/);
    if (r.code !== 0) expect(r.stderr).toMatch(new RegExp(`^jitterlab: ${out}/`));
    expect(readdirSync(dir).filter((n) => n.includes('staging'))).toEqual([]);
  });

  it('a scenario file over 256 KiB is refused at once with the cap, one line, exit 2', () => {
    const text = `durationS: 1\nvariants:\n${'  - { name: v, receiver: { plc: opus } }\n'.repeat(8000)}`;
    const big = file('big.yaml', text);
    const r = cli('validate', big);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`jitterlab: ${big}: too large (${text.length} bytes); a scenario file may have at most 256 KiB (262144 bytes): put long traces in replay or link-trace files, grids in sweep:\n`);
  });

  it('a jitterBuffer module without createJitterBuffer names the scenario file (exit 2)', () => {
    file('nojb.mjs', 'export const x = 1;\n');
    const sc = file('jbmod.yaml', `${FAST}receiver:\n  jitterBuffer: { module: ./nojb.mjs }\n`);
    const r = cli('run', sc, '--out', join(dir, 'jbmod-out'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/jbmod\.yaml: jitterBuffer\.module: \.\/nojb\.mjs does not export createJitterBuffer/);
    expect(existsSync(join(dir, 'jbmod-out'))).toBe(false);
  });
});
