/**
 * reports/index.html lists runs and sweeps: `jitterlab run` and `jitterlab sweep` both rewrite it
 * in the parent of their --out.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { listRuns, listSweeps } from '../../src/report/report-index.ts';
import type { SweepReport } from '../../src/sweep/sweep-report.ts';
import { tempDir, writeSweepScenario } from '../sweep/helpers.ts';

const root = tempDir('report-index');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('reports/index.html', () => {
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });

  it('lists the sweeps beside the runs, with grid, points done and the measure range, linking sweep.html', async () => {
    const scenario = writeSweepScenario(root, 'report: { html: false, visqol: false }\n');
    const reports = join(root, 'reports');
    expect(await main(['run', scenario, '--out', join(reports, 'one-run')])).toBe(0);
    expect(await main(['sweep', scenario, '--vary', 'channel.loss.rate=0,0.1', '--seeds', '2', '--jobs', '0', '--out', join(reports, 'grid-sweep')])).toBe(0);
    const html = readFileSync(join(reports, 'index.html'), 'utf8');
    expect(listRuns(reports).map((r) => r.dir)).toEqual(['one-run']);
    expect(html).toContain('href="one-run/results.json"'); // html: false

    const [s] = listSweeps(reports);
    const sweep = JSON.parse(readFileSync(join(reports, 'grid-sweep', 'sweep.json'), 'utf8')) as SweepReport;
    const means = sweep.summary.flatMap((c) => Object.values(c.variants).map((v) => v.mosEmodel.mean!));
    expect(s).toMatchObject({
      dir: 'grid-sweep',
      name: 'grid',
      description: 'test grid',
      durationS: 2,
      grid: 'channel.loss.rate (2) × 2 seeds',
      status: 'complete',
      pointsExpected: 4,
      pointsDone: 4,
      pointsFailed: 0,
      measure: 'mosEmodel',
      range: { min: Math.min(...means), max: Math.max(...means) },
      hasHtml: true,
    });
    expect(s.range!.min).toBeLessThan(s.range!.max);
    expect(html).toMatch(/<h2>Sweeps<\/h2>/);
    expect(html).toContain('href="grid-sweep/sweep.html"');
    expect(html).toContain('<td>4/4</td>');
    expect(html).toContain(`mosEmodel: ${s.range!.min.toPrecision(3)} – ${s.range!.max.toPrecision(3)}`);
  });

  it('skips a damaged or foreign sweep.json instead of failing', () => {
    const dir = join(root, 'damaged');
    for (const [name, text] of [['cut', '{"plan":'], ['foreign', '{"plan": {"name": "x"}}']]) {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, 'sweep.json'), text);
    }
    expect(listSweeps(dir)).toEqual([]);
    expect(listSweeps(join(root, 'nowhere'))).toEqual([]);
  });
});
