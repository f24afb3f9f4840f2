import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { checkJunit, checkMarkdown } from '../../src/check/check-report.ts';
import { runCheck, DEFAULT_BASELINE_DIR, DEFAULT_CHECK_DIR } from '../../src/check/run-check.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), `jitterlab-${p}-`));

describe('jitterlab check', () => {
  let out: string[] = [];
  beforeEach(() => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });

  it('passes on main: the CI scenarios against the committed baselines', async () => {
    const o = await runCheck([], {});
    expect(o.scenarios.map((s) => s.scenario).sort()).toEqual(['ci-bursty', 'ci-clean', 'ci-congested']);
    expect(o.failed).toBe(0);
    // The committed files are byte for byte what `check --update` writes: a fresh clone's
    // `check --update` must not dirty the checkout (issue 16).
    expect(o.scenarios.filter((s) => s.baselineStale).map((s) => s.scenario)).toEqual([]);
    expect(o.passed).toBeGreaterThanOrEqual(12);
    expect(o.scenarios.reduce((s, x) => s + x.durationS, 0)).toBeLessThanOrEqual(30);
    expect(await main(['check'])).toBe(0);
    expect(out.join('')).toMatch(/gates passed/);
  });

  it('fails (exit 1) on a deliberate regression: a worse network against the committed baseline', async () => {
    const dir = tmp('regress');
    const text = readFileSync(join(DEFAULT_CHECK_DIR, 'ci-bursty.yaml'), 'utf8')
      .replace('lossBad: 0.5', 'lossBad: 0.9')
      .replace('jitterMs: 12', 'jitterMs: 30')
      .replace('$schema=../scenario.schema.json', `$schema=${PROJECT_ROOT}/scenarios/scenario.schema.json`);
    const f = join(dir, 'ci-bursty.yaml');
    writeFileSync(f, text);
    const junit = join(dir, 'junit.xml');
    const md = join(dir, 'summary.md');
    expect(await main(['check', f, '--junit', junit, '--markdown', md])).toBe(1);
    expect(out.join('')).toMatch(/FAIL\s+ci-bursty\s+fixed40\s+effectiveLoss/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="jitterlab check" tests="8" failures="[1-8]"/);
    expect(xml).toMatch(/<failure message="regressed from/);
    expect(readFileSync(md, 'utf8')).toMatch(/❌ \| ci-bursty \| fixed40 \| effectiveLoss/);
  });

  it('fails against a tampered baseline, and --update rewrites it so the next check passes', async () => {
    const dir = tmp('baseline');
    cpSync(DEFAULT_BASELINE_DIR, dir, { recursive: true });
    const f = join(dir, 'ci-clean.json');
    const b = JSON.parse(readFileSync(f, 'utf8')) as { variants: { default: Record<string, number> } };
    b.variants.default.p95PlayoutDelayMs = 40; // the run gives 60: +50 % against the 10 % allowed
    writeFileSync(f, JSON.stringify(b));
    const ci = join(DEFAULT_CHECK_DIR, 'ci-clean.yaml');
    const o = await runCheck([ci], { baselineDir: dir });
    expect(o.scenarios[0].baselineStale).toBe(true);
    const row = o.scenarios[0].rows.find((r) => r.measure === 'p95PlayoutDelayMs')!;
    expect(row).toMatchObject({ pass: false, value: 60, baseline: 40 });
    expect(row.reason).toBe('regressed from 40 to 60 (allowed 4)');
    expect(o.failed).toBe(1);
    expect(checkJunit(o)).toMatch(/failures="1"/);
    expect(checkMarkdown(o)).toMatch(/1 of \d+ gates failed/);
    expect(await main(['check', ci, '--baselines', dir, '--update'])).toBe(0);
    expect(JSON.parse(readFileSync(f, 'utf8')).variants.default.p95PlayoutDelayMs).toBe(60);
    expect(await main(['check', ci, '--baselines', dir])).toBe(0);
    expect(out.join('')).not.toMatch(/out of date/);
  });

  it('notes a baseline that differs from this run within the gates (a value off in its last digit)', async () => {
    const dir = tmp('stale');
    cpSync(DEFAULT_BASELINE_DIR, dir, { recursive: true });
    const f = join(dir, 'ci-clean.json');
    const b = JSON.parse(readFileSync(f, 'utf8')) as { variants: { default: Record<string, number> } };
    b.variants.default.mouthToEarMs += 0.001;
    writeFileSync(f, `${JSON.stringify(b, null, 2)}\n`);
    const ci = join(DEFAULT_CHECK_DIR, 'ci-clean.yaml');
    expect(await main(['check', ci, '--baselines', dir])).toBe(0);
    expect(out.join('')).toMatch(/note: the ci-clean baseline is out of date .*check --update/);
  });

  it('a missing baseline fails the regressBy gates, and unknown measures are scenario errors', async () => {
    const dir = tmp('nobase');
    const o = await runCheck([join(DEFAULT_CHECK_DIR, 'ci-clean.yaml')], { baselineDir: dir });
    expect(o.failed).toBeGreaterThan(0);
    expect(o.scenarios[0].rows.every((r) => r.pass || /no baseline/.test(r.reason))).toBe(true);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ndurationS: 1\nexpect: { loudness: { min: 1 } }\n');
    await expect(runCheck([bad], { baselineDir: dir })).rejects.toThrow(/expect\.loudness: unknown measure/);
  });
});
