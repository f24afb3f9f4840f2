/**
 * ViSQOL as an opt-in measure (check/measures.ts, check/signal-measures.ts): a sweep with
 * --measure visqol and a check whose expect: names it give the numbers results.json has for the
 * same call, on worker threads as in this thread; other sweeps neither compute nor list it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEASURES, measuresComputed } from '../../src/check/measures.ts';
import { checkScenario } from '../../src/check/run-check.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { planSweep, pointScenario } from '../../src/sweep/plan.ts';
import { runSweep } from '../../src/sweep/run-sweep.ts';
import { tempDir, writeSweepScenario } from './helpers.ts';

type Scores = { visqol: { mos: number; vnsim: number } | null };

describe('the visqol measure', () => {
  it('is opt-in: listed in the catalogue, computed only when chosen', () => {
    expect(MEASURES.filter((m) => m.optIn).map((m) => m.name)).toEqual(['visqol', 'vnsim']);
    expect(measuresComputed(['mosEmodel']).map((m) => m.name)).not.toContain('visqol');
    expect(measuresComputed(['vnsim']).map((m) => m.name)).toEqual(expect.arrayContaining(['mosEmodel', 'visqol', 'vnsim']));
  });

  it('in a sweep equals scores.visqol of jitterlab run for the same point, on workers and in this thread', async () => {
    const dir = tempDir('visqol-sweep');
    const file = writeSweepScenario(dir);
    const vary = ['channel.loss.rate=0,0.2'];
    const plan = planSweep(file, { vary, measure: 'visqol' });
    expect(plan.hash).not.toBe(planSweep(file, { vary }).hash);
    const workers = await runSweep(plan, { outDir: join(dir, 'w'), jobs: 2 });
    const inThread = await runSweep(plan, { outDir: join(dir, 't'), jobs: 0 });
    expect(workers.report.points.map((p) => p.variants)).toEqual(inThread.report.points.map((p) => p.variants));
    const lossy = workers.report.points[1];
    const { results } = await runToReport(pointScenario(plan.scenarioFile, plan.raw, lossy.params), { outDir: join(dir, 'run'), seed: lossy.seed, html: false, jobs: 0 });
    for (const v of results.variants) {
      const s = (v.scores as Scores).visqol!;
      expect(lossy.variants![v.name].visqol).toBe(s.mos);
      expect(lossy.variants![v.name].vnsim).toBe(s.vnsim);
    }
    // 20% loss is heard: the clean point scores higher.
    expect(workers.report.points[0].variants!.fixed80.visqol!).toBeGreaterThan(lossy.variants!.fixed80.visqol! + 0.05);
    expect(workers.report.summary[1].variants.fixed80.vnsim.n).toBe(1);
    expect(readFileSync(join(dir, 'w', 'sweep.csv'), 'utf8').split('\n')[0]).toMatch(/,visqol_mean,visqol_sd,vnsim_mean,vnsim_sd$/);
    expect(readFileSync(join(dir, 'w', 'sweep.html'), 'utf8')).toMatch(/aria-label="visqol of fixed40"/);
  });

  it('is not computed or listed by a sweep of another measure', async () => {
    const dir = tempDir('no-visqol');
    const plan = planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0'], measure: 'effectiveLoss' });
    const r = (await runSweep(plan, { outDir: join(dir, 'o'), jobs: 0 })).report;
    expect(Object.keys(r.points[0].variants!.fixed40)).not.toContain('visqol');
    expect(Object.keys(r.summary[0].variants.fixed40)).not.toContain('visqol');
    expect(readFileSync(join(dir, 'o', 'sweep.csv'), 'utf8')).not.toMatch(/visqol/);
  });

  it('gates a check scenario with the value results.json has', async () => {
    const dir = tempDir('visqol-check');
    const file = writeSweepScenario(dir, 'expect: { visqol: { min: 2 }, vnsim: { min: 0.5 } }\n');
    const c = await checkScenario(file, { baselineDir: dir, update: true });
    expect(c.rows.map((r) => [r.variant, r.measure, r.pass])).toEqual([
      ['fixed40', 'visqol', true],
      ['fixed40', 'vnsim', true],
      ['fixed80', 'visqol', true],
      ['fixed80', 'vnsim', true],
    ]);
    const base = JSON.parse(readFileSync(c.baselineWritten!, 'utf8')) as { variants: Record<string, Record<string, number>> };
    expect(Object.keys(base.variants.fixed40)).toEqual(expect.arrayContaining(['mosEmodel', 'visqol', 'vnsim']));
    const { results } = await runToReport(loadScenario(file), { outDir: join(dir, 'run'), html: false });
    for (const v of results.variants) expect(c.rows.find((r) => r.variant === v.name && r.measure === 'visqol')!.value).toBe((v.scores as Scores).visqol!.mos);
  });
});
