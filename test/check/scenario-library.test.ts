import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFiles } from '../../src/cli/scenarios-command.ts';
import { loadScenario, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { planSweep } from '../../src/sweep/plan.ts';

const files = scenarioFiles(join(PROJECT_ROOT, 'scenarios'));

describe('the shipped scenario library', () => {
  it('has the documented profiles', () => {
    const names = files.map((f) => relative(join(PROJECT_ROOT, 'scenarios'), f));
    for (const n of ['g1050-profile-a.yaml', 'g1050-profile-b.yaml', 'g1050-profile-c.yaml', 'y1541-class0.yaml', 'y1541-class1.yaml', 'g114-latency-sweep.yaml', 'satellite-geo.yaml', 'very-bad-network.yaml', 'handover.yaml', 'bursty-wifi.yaml', 'congested-uplink.yaml']) {
      expect(names).toContain(n);
    }
    expect(names.filter((n) => n.startsWith('ci/')).length).toBeGreaterThanOrEqual(2);
  });
  it.each(files.map((f) => [relative(PROJECT_ROOT, f), f]))('%s validates, has a description and an existing source', (_, f) => {
    const sc = loadScenario(f);
    expect(sc.config.description.length).toBeGreaterThan(10);
    expect(existsSync(sc.sourceFile)).toBe(true);
    if (sc.config.sweep) expect(planSweep(f).points.length).toBeGreaterThan(1);
  });
  it('ci scenarios each have gates and a committed baseline', () => {
    // By the path inside scenarios/: the checkout itself may sit under a folder named ci.
    for (const f of files.filter((x) => relative(join(PROJECT_ROOT, 'scenarios'), x).startsWith('ci/'))) {
      const sc = loadScenario(f);
      expect(Object.keys(sc.config.expect).length).toBeGreaterThan(0);
      expect(sc.config.durationS).toBeLessThanOrEqual(10);
      expect(existsSync(join(PROJECT_ROOT, 'baselines', `${sc.name}.json`))).toBe(true);
    }
  });
});
