/**
 * Scoring a run's variants on worker threads (src/report/score-pool.ts): the same results.json,
 * byte for byte, with 0 (this thread), 1 and several workers; errors as in this thread; a
 * scenario with a real-browser receiver is scored only after its run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WavError } from '../../src/core/errors.ts';
import type { Results } from '../../src/report/results.ts';
import { RunScoring } from '../../src/report/score-pool.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';

const tmp = mkdtempSync(join(tmpdir(), 'jl-score-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Three buffers on a lossy, jittery path, and a second encoding (reference-1.wav) for the last.
const YAML = `name: scored
seed: 5
durationS: 4
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 30, jitterMs: 15, distribution: normal }
  loss: { model: gilbert, rate: 0.05, meanBurstPackets: 2 }
receiver:
  jitterBuffer: { type: fixed, delayMs: 40 }
variants:
  - { name: short }
  - { name: neteq, receiver: { jitterBuffer: { type: neteq } } }
  - { name: low-rate, sender: { codec: { bitrateKbps: 12 } } }
report: { html: false, visqol: true }
`;
const scenario = () => parseScenarioText(YAML, join(PROJECT_ROOT, 'scenarios', 'scored.yaml'));

describe('scores of a run on worker threads', () => {
  it('are the same bytes of results.json with 0, 1 and 3 workers', async () => {
    const text = async (jobs: number) => {
      await runToReport(scenario(), { outDir: join(tmp, `j${jobs}`), jobs });
      return readFileSync(join(tmp, `j${jobs}`, 'results.json'), 'utf8');
    };
    const serial = await text(0);
    const results = JSON.parse(serial) as Results;
    // Real scores were computed for every variant (ViSQOL included), the comparison ranks them.
    for (const v of results.variants) expect((v.scores as { visqol: { mos: number } }).visqol.mos).toBeGreaterThan(1);
    expect(results.variants[2].files.reference).toBe('reference-1.wav');
    expect(results.comparison?.map((r) => typeof r.mosVisqol)).toEqual(['number', 'number', 'number']);
    expect(await text(1)).toBe(serial);
    expect(await text(3)).toBe(serial);
  });

  it('uses at most one worker per variant, none for one variant or jobs 0, and waits for a browser run to end', () => {
    const sc = scenario();
    expect(new RunScoring(sc, tmp, { visqol: true, jobs: 8 }).workers).toBe(3);
    expect(new RunScoring(sc, tmp, { visqol: true, jobs: 2 }).workers).toBe(2);
    expect(new RunScoring(sc, tmp, { visqol: true, jobs: 0 }).workers).toBe(0);
    expect(new RunScoring(sc, tmp, { visqol: true, jobs: 2 }).early).toBe(true);
    const one = parseScenarioText(YAML.replace(/variants:[\s\S]*report/, 'report'), join(PROJECT_ROOT, 'scenarios', 'one.yaml'));
    expect(new RunScoring(one, tmp, { visqol: true, jobs: 2 }).workers).toBe(0);
    const browser = parseScenarioText(YAML.replace('  - { name: short }', '  - { name: chrome, receiver: { browser: {} } }'), join(PROJECT_ROOT, 'scenarios', 'b.yaml'));
    const s = new RunScoring(browser, tmp, { visqol: true, jobs: 2 });
    expect(s.workers).toBe(2);
    expect(s.early).toBe(false);
  });

  it('fails with the error this thread would throw', async () => {
    const results = JSON.parse(readFileSync(join(tmp, 'j0', 'results.json'), 'utf8')) as Results;
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const inThread = await new RunScoring(scenario(), empty, { visqol: false, jobs: 0 }).addTo(structuredClone(results)).catch((e: unknown) => e);
    const workers = new RunScoring(scenario(), empty, { visqol: false, jobs: 2 });
    const onWorkers = await workers.addTo(structuredClone(results)).catch((e: unknown) => e);
    await workers.close();
    expect(inThread).toBeInstanceOf(WavError);
    expect(onWorkers).toBeInstanceOf(WavError);
    expect((onWorkers as Error).message).toBe((inThread as Error).message);
  });
});
