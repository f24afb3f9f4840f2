import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { runToReport } from '../../src/report/write-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-det-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = `name: det
seed: 11
durationS: 4
channel:
  delay: { baseMs: 30, jitterMs: 12, distribution: paretonormal, correlation: 0.4, order: allow }
  loss: { model: gilbertElliott, p: 0.05, r: 0.4, lossGood: 0.01, lossBad: 0.7 }
  duplicate: { prob: 0.02 }
report: { html: false, visqol: false }
variants:
  - { name: fixed60 }
  - { name: fixed100, receiver: { jitterBuffer: { type: fixed, delayMs: 100 }, plc: repeat } }
`;

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

describe('determinism', () => {
  it('same scenario + same seed => byte-identical results.json, packets.csv and WAVs; another seed differs', async () => {
    const sc = parseScenarioText(text, join(PROJECT_ROOT, 'scenarios', 'det.yaml'));
    await runToReport(sc, { outDir: join(dir, 'a') });
    await runToReport(sc, { outDir: join(dir, 'b') });
    await runToReport(sc, { outDir: join(dir, 'c'), seed: 12 });
    const files = listFiles(join(dir, 'a')).filter((f) => /\.(json|csv|wav)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['results.json', 'reference.wav', 'variants/fixed60/packets.csv', 'variants/fixed100/degraded.wav']));
    expect(listFiles(join(dir, 'b')).filter((f) => /\.(json|csv|wav)$/.test(f))).toEqual(files);
    for (const f of files) expect(readFileSync(join(dir, 'b', f)).equals(readFileSync(join(dir, 'a', f))), f).toBe(true);
    expect(readFileSync(join(dir, 'c', 'variants/fixed60/packets.csv')).equals(readFileSync(join(dir, 'a', 'variants/fixed60/packets.csv')))).toBe(false);
  });

  it('variants meet the same network: identical media arrivals and losses', async () => {
    const res = JSON.parse(readFileSync(join(dir, 'a', 'results.json'), 'utf8'));
    const csv = (v: string) =>
      readFileSync(join(dir, 'a', 'variants', v, 'packets.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(0, 10).filter((_, i) => i !== 8)); // drop fate (playout-dependent)
    expect(csv('fixed100')).toEqual(csv('fixed60'));
    expect(res.variants[0].network.lostInNetwork).toBe(res.variants[1].network.lostInNetwork);
    expect(res.variants[0].network.lostInNetwork).toBeGreaterThan(0);
  });
});
