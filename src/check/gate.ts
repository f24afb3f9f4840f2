/**
 * The regression gate of one measure: absolute limits (min, max) and the allowed worsening
 * against the baseline (regressBy: absolute, or "10%" of the baseline's magnitude), in the
 * measure's own direction of "worse" (measures.ts).
 */
import type { Expectation } from '../scenario/schema.ts';
import type { Better } from './measures.ts';

export interface GateResult {
  pass: boolean;
  /** Why it failed ('' when it passed). */
  reason: string;
  /** The limits applied, for tables: e.g. ">= 3.8, <= +10% of 4.21". */
  limits: string;
}

/** The allowed worsening in measure units. */
export function allowedWorsening(regressBy: number | string, baseline: number): number {
  if (typeof regressBy === 'number') return regressBy;
  return (Math.abs(baseline) * Number(regressBy.slice(0, -1))) / 100;
}

const fmt = (x: number): string => String(Number(x.toPrecision(4)));

export function gate(value: number | null, baseline: number | null, exp: Expectation, better: Better): GateResult {
  const limits: string[] = [];
  const reasons: string[] = [];
  if (exp.min !== undefined) limits.push(`>= ${fmt(exp.min)}`);
  if (exp.max !== undefined) limits.push(`<= ${fmt(exp.max)}`);
  if (exp.regressBy !== undefined) limits.push(`${better === 'lower' ? '+' : '-'}${typeof exp.regressBy === 'number' ? fmt(exp.regressBy) : exp.regressBy} vs baseline`);
  if (value === null) return { pass: false, reason: 'no value (nothing played?)', limits: limits.join(', ') };
  if (exp.min !== undefined && value < exp.min) reasons.push(`${fmt(value)} < min ${fmt(exp.min)}`);
  if (exp.max !== undefined && value > exp.max) reasons.push(`${fmt(value)} > max ${fmt(exp.max)}`);
  if (exp.regressBy !== undefined) {
    if (baseline === null) reasons.push('no baseline (run jitterlab check --update and commit baselines/)');
    else {
      const tol = allowedWorsening(exp.regressBy, baseline);
      // A tiny epsilon so a rounded baseline (6 significant digits) does not fail an exact rerun.
      const eps = 1e-9 + Math.abs(baseline) * 1e-5;
      const worse = better === 'lower' ? value - baseline : baseline - value;
      if (worse > tol + eps) reasons.push(`regressed from ${fmt(baseline)} to ${fmt(value)} (allowed ${fmt(tol)})`);
    }
  }
  return { pass: reasons.length === 0, reason: reasons.join('; '), limits: limits.join(', ') };
}
