/**
 * A sweep plan: the base scenario (raw object, before validation), the axes, the seeds and the
 * measure, and every point of the grid. The plan hash identifies a grid, so `--resume` and
 * `jitterlab merge` only join results that belong to the same one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { ScenarioError, UsageError } from '../core/errors.ts';
import { loadScenario, scenarioFromObject, type Scenario } from '../scenario/load.ts';
import { measureDef, measureNames, needsOptIn } from '../check/measures.ts';
import { axesFromRecord, gridPoints, parseVaryArg, seedList, type Axis, type AxisValue, type GridPoint } from './grid.ts';
import { setKeyPath } from './key-path.ts';

export interface SweepRequest {
  /** --vary arguments; when any is given they replace the scenario's `sweep.vary`. */
  vary?: string[];
  seeds?: number;
  measure?: string;
}

export interface SweepPlan {
  scenarioFile: string;
  scenarioName: string;
  description: string;
  durationS: number;
  raw: Record<string, unknown>;
  axes: Axis[];
  seeds: number[];
  measure: string;
  variants: string[];
  points: GridPoint[];
  hash: string;
}

function readRaw(file: string): Record<string, unknown> {
  const raw = parse(readFileSync(file, 'utf8')) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ScenarioError(file, '', 1, 'expected a mapping of scenario keys');
  return raw as Record<string, unknown>;
}

export function planSweep(scenarioFile: string, req: SweepRequest = {}): SweepPlan {
  const file = resolve(scenarioFile);
  const base = loadScenario(file); // full validation with line numbers first
  const browser = base.variants.find((v) => v.receiver.browser !== null);
  // A browser receiver runs in real time, one call at a time: a grid of them is not a sweep.
  if (browser) throw new UsageError(`${scenarioFile}: variant '${browser.name}' has a browser receiver, which runs in real time and cannot be swept; use jitterlab run (or calibrate)`);
  const raw = readRaw(file);
  const declared = base.config.sweep;
  let axes: Axis[];
  if (req.vary && req.vary.length > 0) axes = req.vary.map(parseVaryArg);
  else if (declared) axes = axesFromRecord(declared.vary as Record<string, string | AxisValue[]>);
  else throw new UsageError(`${scenarioFile}: nothing to sweep: give --vary key=values or a sweep: { vary: ... } block`);
  if (axes.length === 0) throw new UsageError(`${scenarioFile}: sweep.vary is empty`);
  const nSeeds = req.seeds ?? declared?.seeds ?? 1;
  if (!(Number.isInteger(nSeeds) && nSeeds >= 1 && nSeeds <= 1000)) throw new UsageError(`--seeds must be an integer in 1..1000, got ${nSeeds}`);
  const measure = req.measure ?? declared?.measure ?? 'mosEmodel';
  if (!measureDef(measure)) throw new UsageError(`unknown measure "${measure}"; one of: ${measureNames().join(', ')}`);
  const seeds = seedList(base.config.seed, nSeeds);
  const points = gridPoints(axes, seeds);
  // Points with the opt-in measures hold more than points without: not the same sweep to resume or merge.
  const hash = createHash('sha256')
    .update(JSON.stringify({ raw, axes, seeds, ...(needsOptIn([measure]) ? { optIn: true } : {}) }))
    .digest('hex')
    .slice(0, 16);
  return {
    scenarioFile: file,
    scenarioName: base.name,
    description: base.config.description,
    durationS: base.config.durationS,
    raw,
    axes,
    seeds,
    measure,
    variants: base.variants.map((v) => v.name),
    points,
    hash,
  };
}

export function describeParams(params: Record<string, AxisValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

/**
 * The scenario of one sweep point: the values set in the raw object, then the whole scenario
 * validated. A rejected value is a ScenarioError naming the key path (the vary key when the value
 * itself is wrong) and the point.
 */
export function pointScenario(file: string, raw: Record<string, unknown>, params: Record<string, AxisValue>): Scenario {
  let obj = raw;
  for (const [key, value] of Object.entries(params)) obj = setKeyPath(obj, key, value);
  obj = { ...obj, sweep: null };
  try {
    // The object is ours (base scenario + axis values): validate it as is, no text round trip.
    return scenarioFromObject(obj, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(file, e.keyPath, null, `${e.detail} (sweep point ${describeParams(params)})`);
    throw e;
  }
}
