import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToReport } from '../../src/report/write-run.ts';
import { scenarioFromObject } from '../../src/scenario/load.ts';

const tmp = mkdtempSync(join(tmpdir(), 'jl-nothing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a call in which nothing arrives', () => {
  it('still gets its report: 100% loss, the E-model rated, no signal score', async () => {
    const sc = scenarioFromObject({ name: 'nothing', durationS: 3, channel: { loss: { model: 'bernoulli', rate: 1 } } }, '<nothing>');
    const { results } = await runToReport(sc, { outDir: join(tmp, 'r') });
    const v = results.variants[0];
    expect(v.playout.effectiveLoss).toBe(1);
    const scores = v.scores as { emodel: { pplPercent: number } | null; visqol: unknown; visqolSkipped?: string };
    expect(scores.emodel?.pplPercent).toBe(100);
    expect(scores.visqol).toBeNull();
    expect(scores.visqolSkipped).toMatch(/no audio was played/);
    expect(existsSync(join(tmp, 'r', 'index.html'))).toBe(true);
  });
});
