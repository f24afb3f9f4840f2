/**
 * The CLI's bundle (src/cli/app-bundle.ts), which `jitterlab` runs: built once into
 * node_modules/.cache and reused, free of tsx's keepNames wrappers, and behaving exactly as the
 * TypeScript sources do (same report files, byte for byte).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { appBundle, type App } from '../../src/cli/app-bundle.ts';
import { BUNDLE_DIR } from '../../src/core/esm-bundle.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';

/** The CLI's modules as `jitterlab` loads them. */
async function bundledApp(): Promise<App> {
  return (await import((await appBundle())!.href)) as App;
}

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-app-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI bundle', () => {
  it('is built once into node_modules/.cache, keeps packages external, and has no keepNames wrappers', async () => {
    const url = await appBundle();
    expect(url).not.toBeNull();
    const file = fileURLToPath(url!);
    expect(file.startsWith(BUNDLE_DIR)).toBe(true);
    expect(await appBundle()).toBe(url);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/\b__name\(/);
    expect(text).not.toContain('import.meta.url');
    expect(text).toMatch(/from "zod"|from "yargs"/);
    const app = await bundledApp();
    expect(typeof app.main).toBe('function');
    expect(typeof app.runToReport).toBe('function');
  });

  it('writes the same report files as the TypeScript sources', async () => {
    const yaml = `name: bundle-check
seed: 4
durationS: 4
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 30, jitterMs: 10, distribution: paretonormal, correlation: 0.4 }
  loss: { model: gilbert, rate: 0.05, meanBurstPackets: 2 }
report: { html: false, visqol: false }
`;
    const file = join(PROJECT_ROOT, 'scenarios', 'bundle-check.yaml');
    const app = await bundledApp();
    await app.runToReport(app.parseScenarioText(yaml, file), { outDir: join(dir, 'bundled'), scores: true });
    await runToReport(parseScenarioText(yaml, file), { outDir: join(dir, 'sources'), scores: true });
    for (const f of ['results.json', 'packets.csv', 'degraded.wav', 'reference.wav']) {
      expect(readFileSync(join(dir, 'bundled', f)).equals(readFileSync(join(dir, 'sources', f))), f).toBe(true);
    }
  });
});
