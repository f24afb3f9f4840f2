import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';

const base = (extra: string) => `name: b
durationS: 8
receiver:
  jitterBuffer: { type: neteq }
variants:
  - name: ours
${extra}`;

function error(text: string): ScenarioError {
  try {
    parseScenarioText(text, 'x.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a scenario error');
}

describe('browser receiver keys', () => {
  it('a browser variant inherits the scenario receiver and resolves its options with defaults', () => {
    const sc = parseScenarioText(base(`  - name: chrome\n    receiver: { browser: { statsIntervalMs: 60 } }\n`), 'x.yaml');
    expect(sc.variants[0].receiver.browser).toBeNull();
    expect(sc.variants[1].receiver.browser).toMatchObject({ statsIntervalMs: 60, capture: true, realtime: true, executable: null });
  });

  it('refuses the keys the browser decides itself, naming the key and its line', () => {
    const e = error(base(`  - name: chrome\n    receiver:\n      browser: {}\n      plc: silence\n`));
    expect(e.message).toBe("x.yaml:10: variants[1].receiver.plc: not allowed with receiver.browser: the browser decides its own concealment");
    expect(error(base(`  - name: chrome\n    receiver: { browser: {}, jitterBuffer: { type: fixed } }\n`)).keyPath).toBe('variants[1].receiver.jitterBuffer');
    expect(error(base(`  - name: chrome\n    receiver: { browser: {}, nack: { enabled: true } }\n`)).keyPath).toBe('variants[1].receiver.nack');
  });

  it('refuses sender RED on a browser variant wherever it was set, and allows turning it off', () => {
    const red = `sender:\n  red: { generations: 1 }\n`;
    const e = error(red + base(`  - name: chrome\n    receiver: { browser: {} }\n`));
    expect(e.keyPath).toBe('sender.red');
    expect(e.message).toContain('RED toward a browser receiver is not supported');
    expect(() => parseScenarioText(red + base(`  - name: chrome\n    sender: { red: null }\n    receiver: { browser: {} }\n`), 'x.yaml')).not.toThrow();
    expect(error(base(`  - name: chrome\n    sender: { parityFec: { L: 4 } }\n    receiver: { browser: {} }\n`)).keyPath).toBe('variants[1].sender.parityFec');
  });

  it('refuses a call too short to measure, and unknown browser options', () => {
    const short = base(`  - name: chrome\n    receiver: { browser: {} }\n`).replace('durationS: 8', 'durationS: 1');
    expect(error(short).message).toContain('durationS: a browser receiver needs a call of at least 3 s');
    expect(error(base(`  - name: chrome\n    receiver: { browser: { captures: false } }\n`)).message).toContain("unknown key 'captures'");
    expect(error(base(`  - name: chrome\n    receiver: { browser: { statsIntervalMs: 20 } }\n`)).message).toContain('must be an integer in 50..100');
  });
});

describe('a browser variant is not swept', () => {
  it('sweep refuses a scenario with a browser receiver, naming the variant', async () => {
    const { planSweep } = await import('../../src/sweep/plan.ts');
    const { PROJECT_ROOT } = await import('../../src/scenario/load.ts');
    expect(() => planSweep(`${PROJECT_ROOT}/scenarios/browser-vs-neteq.yaml`, { vary: ['seed=1,2'] })).toThrow(/variant 'chromium' has a browser receiver, which runs in real time and cannot be swept/);
  });
});

describe('a browser variant is not swept', () => {
  it('sweep refuses a scenario with a browser receiver, naming the variant', async () => {
    const { planSweep } = await import('../../src/sweep/plan.ts');
    const { PROJECT_ROOT } = await import('../../src/scenario/load.ts');
    expect(() => planSweep(`${PROJECT_ROOT}/scenarios/browser-vs-neteq.yaml`, { vary: ['seed=1,2'] })).toThrow(/variant 'chromium' has a browser receiver, which runs in real time and cannot be swept/);
  });
});
