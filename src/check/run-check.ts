/**
 * `jitterlab check`: run each CI scenario (its own seed; audio written only for an opt-in
 * measure), measure every variant, and gate the measures its `expect:` block names against their
 * limits and the committed baseline. `update` rewrites the baselines from this run instead of
 * comparing against them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ScenarioError, UsageError } from '../core/errors.ts';
import { TOOL_VERSION } from '../report/version.ts';
import { loadScenario, PROJECT_ROOT, type Scenario } from '../scenario/load.ts';
import { runScenario } from '../sim/run-scenario.ts';
import { baselineIsStale, readBaseline, writeBaseline, type Baseline } from './baseline.ts';
import { gate } from './gate.ts';
import { measureDef, measureNames, measuresOf, needsOptIn, type MeasureValues } from './measures.ts';
import { runWithSignalMeasures } from './signal-measures.ts';

export interface CheckRow {
  scenario: string;
  variant: string;
  measure: string;
  value: number | null;
  baseline: number | null;
  limits: string;
  pass: boolean;
  reason: string;
}

export interface ScenarioCheck {
  scenario: string;
  file: string;
  durationS: number;
  rows: CheckRow[];
  baselineWritten: string | null;
  /** The baseline file exists and differs from what `check --update` would write for this run. */
  baselineStale: boolean;
  seconds: number;
}

export interface CheckOutcome {
  scenarios: ScenarioCheck[];
  passed: number;
  failed: number;
}

export const DEFAULT_CHECK_DIR = join(PROJECT_ROOT, 'scenarios', 'ci');
export const DEFAULT_BASELINE_DIR = join(PROJECT_ROOT, 'baselines');

const SCENARIO_RE = /\.(ya?ml|json)$/i;

/** Scenario files of the targets: files as given, directories searched (sorted, recursively). */
export function checkTargets(targets: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (SCENARIO_RE.test(e) && !e.endsWith('.schema.json')) out.push(p);
    }
  };
  for (const t of targets.length ? targets : [DEFAULT_CHECK_DIR]) {
    const p = resolve(t);
    if (!existsSync(p)) throw new UsageError(`check: ${t} does not exist`);
    if (statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  if (out.length === 0) throw new UsageError(`check: no scenario files in ${targets.join(', ') || DEFAULT_CHECK_DIR}`);
  return out;
}

function validateExpect(sc: Scenario): void {
  const names = Object.keys(sc.config.expect);
  if (names.length === 0) throw new ScenarioError(sc.file, 'expect', null, 'a check scenario needs an expect: block (e.g. effectiveLoss: { max: 0.02 })');
  for (const n of names) {
    if (!measureDef(n)) throw new ScenarioError(sc.file, `expect.${n}`, null, `unknown measure; one of: ${measureNames().join(', ')}`);
  }
}

export async function checkScenario(file: string, o: { baselineDir: string; update: boolean }): Promise<ScenarioCheck> {
  const t0 = performance.now();
  const sc = loadScenario(file);
  validateExpect(sc);
  // An opt-in measure (visqol) in expect: the call's audio is written and scored as well.
  const { run, signal } = needsOptIn(Object.keys(sc.config.expect)) ? await runWithSignalMeasures(sc, {}) : { run: await runScenario(sc), signal: null };
  const measured: Record<string, MeasureValues> = {};
  run.variants.forEach((v, i) => {
    measured[v.name] = signal ? { ...measuresOf(v), ...signal[i] } : measuresOf(v);
  });
  const fresh: Baseline = { schemaVersion: 1, scenario: sc.name, seed: run.seed, durationS: sc.config.durationS, toolVersion: TOOL_VERSION, variants: measured };
  let baseline: Baseline | null;
  let written: string | null = null;
  let stale = false;
  if (o.update) {
    written = writeBaseline(o.baselineDir, fresh);
    baseline = readBaseline(o.baselineDir, sc.name);
  } else {
    baseline = readBaseline(o.baselineDir, sc.name);
    stale = baseline !== null && baselineIsStale(o.baselineDir, fresh);
  }
  const rows: CheckRow[] = [];
  for (const v of run.variants) {
    for (const [measure, exp] of Object.entries(sc.config.expect)) {
      const def = measureDef(measure)!;
      const value = measured[v.name][measure] ?? null;
      const base = baseline?.variants[v.name]?.[measure] ?? null;
      const g = gate(value, base, exp, def.better);
      rows.push({ scenario: sc.name, variant: v.name, measure, value, baseline: base, limits: g.limits, pass: g.pass, reason: g.reason });
    }
  }
  return { scenario: sc.name, file: relative(process.cwd(), sc.file) || sc.file, durationS: sc.config.durationS, rows, baselineWritten: written, baselineStale: stale, seconds: (performance.now() - t0) / 1000 };
}

export async function runCheck(targets: readonly string[], o: { baselineDir?: string; update?: boolean } = {}): Promise<CheckOutcome> {
  const files = checkTargets(targets);
  const baselineDir = o.baselineDir ?? DEFAULT_BASELINE_DIR;
  const scenarios: ScenarioCheck[] = [];
  for (const f of files) scenarios.push(await checkScenario(f, { baselineDir, update: o.update ?? false }));
  const rows = scenarios.flatMap((s) => s.rows);
  return { scenarios, passed: rows.filter((r) => r.pass).length, failed: rows.filter((r) => !r.pass).length };
}
