import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, UsageError } from '../../src/core/errors.ts';
import { mergeSweeps } from '../../src/sweep/merge.ts';
import { PointLog } from '../../src/sweep/point-log.ts';
import { planSweep } from '../../src/sweep/plan.ts';
import { runSweep } from '../../src/sweep/run-sweep.ts';
import { readSweepJson } from '../../src/sweep/sweep-report.ts';
import { tempDir, writeSweepScenario } from './helpers.ts';

const GRID = ['channel.loss.rate=0:0.09:0.01', 'channel.delay.jitterMs=0:45:5'];

describe('a 100-point sweep on worker threads', () => {
  it('runs every point, orders by index, and writes a heatmap report per variant', async () => {
    const dir = tempDir('sweep');
    const file = writeSweepScenario(dir);
    const plan = planSweep(file, { vary: GRID, measure: 'effectiveLoss' });
    expect(plan.points).toHaveLength(100);
    const progress: number[] = [];
    const out = await runSweep(plan, { outDir: join(dir, 'out'), jobs: 2, onProgress: (d) => progress.push(d) });
    const r = out.report;
    expect(r.status).toBe('complete');
    expect(r.points.map((p) => p.index)).toEqual([...Array(100).keys()]);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect(out.simulatedS).toBe(100 * 2 * 2);
    // Real behaviour: loss grows with the loss rate; the shorter buffer loses more to jitter.
    const mean = (pred: (p: Record<string, unknown>) => boolean, v: string) => {
      const xs = r.summary.filter((c) => pred(c.params)).map((c) => c.variants[v].effectiveLoss.mean!);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    // Same seed, same loss draws (keyed by slot): at one loss rate every jitter setting meets the
    // same losses (common random numbers), and 100 Bernoulli(0.09) packets are within 3 standard errors.
    const net = r.summary.filter((c) => c.params['channel.loss.rate'] === 0.09).map((c) => c.variants.fixed80.networkLoss.mean!);
    expect(new Set(net).size).toBe(1);
    expect(Math.abs(net[0] - 0.09)).toBeLessThan(3 * Math.sqrt((0.09 * 0.91) / 100));
    expect(r.summary.filter((c) => c.params['channel.loss.rate'] === 0).every((c) => c.variants.fixed80.networkLoss.mean === 0)).toBe(true);
    expect(mean((p) => p['channel.loss.rate'] === 0.09, 'fixed80')).toBeGreaterThan(mean((p) => p['channel.loss.rate'] === 0, 'fixed80') + 0.005);
    expect(mean((p) => p['channel.delay.jitterMs'] === 45, 'fixed40')).toBeGreaterThan(mean((p) => p['channel.delay.jitterMs'] === 45, 'fixed80') + 0.05);
    const c0 = r.summary[0].variants.fixed40;
    expect(c0.effectiveLoss.mean).toBe(0);
    expect(c0.mosEmodel.mean).toBeGreaterThan(4);
    // Files: the log, the summary, the table and one heatmap per variant in a self-contained page.
    const out2 = join(dir, 'out');
    expect(new PointLog(join(out2, 'points.jsonl')).read().size).toBe(100);
    expect(readSweepJson(out2).points).toHaveLength(100);
    expect(readFileSync(join(out2, 'sweep.csv'), 'utf8').split('\n')).toHaveLength(1 + 100 * 2 + 1);
    const html = readFileSync(join(out2, 'sweep.html'), 'utf8');
    expect(html.match(/aria-label="effectiveLoss of fixed40"/g)).toHaveLength(1);
    expect(html.match(/aria-label="effectiveLoss of fixed80"/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<rect [^>]*fill="rgb/g)!.length).toBeGreaterThanOrEqual(200);

    // The same points run in this thread (shard 1/10) give the same numbers: order- and worker-independent.
    const solo = await runSweep(plan, { outDir: join(dir, 'solo'), jobs: 0, shard: { k: 1, n: 10 } });
    expect(solo.report.points).toHaveLength(10);
    for (const p of solo.report.points) expect(p.variants).toEqual(r.points[p.index].variants);
  });
});

describe('interruption, resume, shards and merge', () => {
  it('keeps what finished on abort, and --resume completes to the same result', async () => {
    const dir = tempDir('resume');
    const plan = planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0,0.05,0.1', 'channel.delay.jitterMs=0,20'], seeds: 2 });
    const full = await runSweep(plan, { outDir: join(dir, 'full'), jobs: 0 });
    const ctrl = new AbortController();
    const cut = await runSweep(plan, { outDir: join(dir, 'cut'), jobs: 0, signal: ctrl.signal, onProgress: (d) => d === 5 && ctrl.abort() });
    expect(cut.interrupted).toBe(true);
    expect(cut.report.status).toBe('interrupted');
    expect(cut.report.points).toHaveLength(5);
    expect(readSweepJson(join(dir, 'cut')).pointsDone).toBe(5);
    const resumed = await runSweep(plan, { outDir: join(dir, 'cut'), jobs: 0, resume: true });
    expect([resumed.resumed, resumed.ran]).toEqual([5, 7]);
    expect(resumed.report.status).toBe('complete');
    expect(resumed.report.points).toEqual(full.report.points);
    // A different grid in the same directory is refused.
    const other = planSweep(join(dir, 'grid.yaml'), { vary: ['channel.loss.rate=0,0.2'] });
    await expect(runSweep(other, { outDir: join(dir, 'cut'), jobs: 0, resume: true })).rejects.toThrow(UsageError);
  });

  it('stops worker threads on abort and keeps the finished points', async () => {
    const dir = tempDir('abort');
    const plan = planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0:0.19:0.01'] });
    const ctrl = new AbortController();
    const r = await runSweep(plan, { outDir: join(dir, 'o'), jobs: 2, signal: ctrl.signal, onProgress: (d) => d === 3 && ctrl.abort() });
    expect(r.interrupted).toBe(true);
    expect(r.report.points.length).toBeGreaterThanOrEqual(3);
    expect(r.report.points.length).toBeLessThan(20);
    expect(new PointLog(join(dir, 'o', 'points.jsonl')).read().size).toBe(r.report.points.length);
  });

  it('shards k/n merge into the full report', async () => {
    const dir = tempDir('shard');
    const plan = planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0,0.05,0.1', 'channel.delay.jitterMs=0,30'], seeds: 2 });
    const full = await runSweep(plan, { outDir: join(dir, 'full'), jobs: 0 });
    for (const k of [1, 2, 3]) {
      const s = await runSweep(plan, { outDir: join(dir, `s${k}`), jobs: 0, shard: { k, n: 3 } });
      expect(s.report.points).toHaveLength(4);
      expect(s.report.status).toBe('complete');
    }
    const partial = mergeSweeps([join(dir, 's1'), join(dir, 's3')], join(dir, 'partial'));
    expect(partial.status).toBe('partial');
    const merged = mergeSweeps([join(dir, 's1'), join(dir, 's2'), join(dir, 's3')], join(dir, 'merged'));
    expect(merged.status).toBe('complete');
    expect(merged.shards).toEqual([{ k: 1, n: 3 }, { k: 2, n: 3 }, { k: 3, n: 3 }]);
    expect(merged.points).toEqual(full.report.points);
    expect(merged.summary).toEqual(full.report.summary);
    expect(existsSync(join(dir, 'merged', 'sweep.html'))).toBe(true);
    const otherDir = tempDir('shard-other');
    const other = planSweep(writeSweepScenario(otherDir), { vary: ['channel.loss.rate=0,0.3'] });
    await runSweep(other, { outDir: join(otherDir, 'o'), jobs: 0 });
    expect(() => mergeSweeps([join(dir, 's1'), join(otherDir, 'o')], join(dir, 'bad'))).toThrow(/different sweep/);
  });
});

describe('sweep plans', () => {
  it('validates every point before running and names the vary key', async () => {
    const dir = tempDir('bad');
    const plan = planSweep(writeSweepScenario(dir), { vary: ['channel.loss.rate=0,2'] });
    const err = await runSweep(plan, { outDir: join(dir, 'o'), jobs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).keyPath).toBe('channel.loss.rate');
    expect((err as ScenarioError).message).toMatch(/channel\.loss\.rate: must be in 0\.\.1, got 2 \(sweep point channel\.loss\.rate=2\)/);
    expect(existsSync(join(dir, 'o', 'points.jsonl'))).toBe(false);
  });
  it('takes the grid from the scenario sweep: block, and checks the measure name', () => {
    const dir = tempDir('block');
    const file = writeSweepScenario(dir, 'sweep: { vary: { channel.loss.rate: [0, 0.1], channel.delay.baseMs: "10:30:10" }, seeds: 3, measure: p95PlayoutDelayMs }\n');
    const plan = planSweep(file);
    expect(plan.axes).toEqual([
      { key: 'channel.loss.rate', values: [0, 0.1] },
      { key: 'channel.delay.baseMs', values: [10, 20, 30] },
    ]);
    expect(plan.seeds).toEqual([9, 10, 11]);
    expect(plan.points).toHaveLength(18);
    expect(plan.measure).toBe('p95PlayoutDelayMs');
    expect(planSweep(file, { vary: ['channel.delay.jitterMs=1,2'], seeds: 1 }).points).toHaveLength(2);
    expect(() => planSweep(file, { measure: 'loudness' })).toThrow(/unknown measure/);
    expect(() => planSweep(writeSweepScenario(tempDir('none')))).toThrow(/nothing to sweep/);
  });
});
