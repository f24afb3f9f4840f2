import { describe, expect, it } from 'vitest';
import { allowedWorsening, gate } from '../../src/check/gate.ts';
import { MEASURES, measureDef } from '../../src/check/measures.ts';

describe('regression gates', () => {
  it('relative regressBy on a lower-is-better measure: 10% of 100 allows up to 110', () => {
    expect(allowedWorsening('10%', 100)).toBe(10);
    expect(allowedWorsening('10%', -50)).toBe(5);
    expect(gate(110, 100, { regressBy: '10%' }, 'lower').pass).toBe(true);
    expect(gate(110.1, 100, { regressBy: '10%' }, 'lower')).toMatchObject({ pass: false, reason: 'regressed from 100 to 110.1 (allowed 10)' });
    expect(gate(50, 100, { regressBy: '10%' }, 'lower').pass).toBe(true);
  });
  it('absolute regressBy on a higher-is-better measure', () => {
    expect(gate(4.0, 4.1, { regressBy: 0.1 }, 'higher').pass).toBe(true);
    expect(gate(3.99, 4.1, { regressBy: 0.1 }, 'higher').pass).toBe(false);
    expect(gate(9, 4.1, { regressBy: 0.1 }, 'higher').pass).toBe(true);
  });
  it('absolute limits, missing values and missing baselines', () => {
    expect(gate(3.7, null, { min: 3.8 }, 'higher')).toMatchObject({ pass: false, limits: '>= 3.8' });
    expect(gate(0.03, null, { max: 0.02 }, 'lower').reason).toMatch(/> max 0.02/);
    expect(gate(0.01, null, { max: 0.02 }, 'lower').pass).toBe(true);
    expect(gate(null, 1, { max: 2 }, 'lower').pass).toBe(false);
    expect(gate(1, null, { regressBy: 0.1 }, 'lower').reason).toMatch(/no baseline/);
  });
  it('every measure has a direction and a unit', () => {
    for (const m of MEASURES) {
      expect(['higher', 'lower']).toContain(m.better);
      expect(m.unit.length).toBeGreaterThan(0);
    }
    expect(measureDef('mosEmodel')?.better).toBe('higher');
    expect(measureDef('p95PlayoutDelayMs')?.better).toBe('lower');
  });
});
