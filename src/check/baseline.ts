/**
 * Baselines: baselines/<scenario name>.json holds every measure of every variant of a CI scenario
 * as last accepted (`jitterlab check --update`). Committed, so a pull request that changes a
 * baseline shows the change in its diff.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { IoError } from '../core/errors.ts';
import type { MeasureValues } from './measures.ts';

export const BASELINE_SCHEMA_VERSION = 1;

export interface Baseline {
  schemaVersion: number;
  scenario: string;
  seed: number;
  durationS: number;
  toolVersion: string;
  variants: Record<string, MeasureValues>;
}

export function baselinePath(dir: string, scenarioName: string): string {
  return join(dir, `${scenarioName}.json`);
}

export function readBaseline(dir: string, scenarioName: string): Baseline | null {
  const f = baselinePath(dir, scenarioName);
  if (!existsSync(f)) return null;
  let b: Baseline;
  try {
    b = JSON.parse(readFileSync(f, 'utf8')) as Baseline;
  } catch (e) {
    throw new IoError(f, `cannot read baseline: ${(e as Error).message}`);
  }
  if (b.schemaVersion !== BASELINE_SCHEMA_VERSION || typeof b.variants !== 'object' || b.variants === null) {
    throw new IoError(f, `not a jitterlab baseline (schemaVersion ${BASELINE_SCHEMA_VERSION} with variants expected)`);
  }
  return b;
}

/** Rounded to 6 significant digits so baselines diff cleanly. */
function round(v: MeasureValues): MeasureValues {
  const out: MeasureValues = {};
  for (const [k, x] of Object.entries(v)) out[k] = x === null ? null : Number(x.toPrecision(6));
  return out;
}

/** The file text `check --update` writes for `b`: values rounded, two-space JSON, final newline. */
export function baselineText(b: Baseline): string {
  const variants: Record<string, MeasureValues> = {};
  for (const [name, v] of Object.entries(b.variants)) variants[name] = round(v);
  return `${JSON.stringify({ ...b, variants }, null, 2)}\n`;
}

export function writeBaseline(dir: string, b: Baseline): string {
  const f = baselinePath(dir, b.scenario);
  writeFileAtomic(f, baselineText(b));
  return f;
}

/**
 * Whether the committed baseline differs from what `check --update` would write for this run.
 * Gates pass within their tolerances, so a change that moved a measure a little would otherwise
 * leave a stale file that a fresh clone's `check --update` rewrites (issue 16).
 */
export function baselineIsStale(dir: string, b: Baseline): boolean {
  const f = baselinePath(dir, b.scenario);
  if (!existsSync(f)) return false;
  try {
    return readFileSync(f, 'utf8') !== baselineText(b);
  } catch {
    return true;
  }
}
