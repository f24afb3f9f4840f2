/**
 * sweep.json: the plan, every finished point (ordered by point index, whatever the order the
 * workers finished in) with its per-variant measures, and the per-combination summary over seeds.
 * Written atomically, also while a sweep runs, so an interrupted sweep leaves a valid file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { measuresComputed } from '../check/measures.ts';
import { IoError, UsageError } from '../core/errors.ts';
import { TOOL_VERSION } from '../report/version.ts';
import type { Axis, Shard } from './grid.ts';
import type { PointRecord } from './point-log.ts';
import type { SweepPlan } from './plan.ts';
import { summarizeCombos, type ComboSummary } from './summary.ts';

export const SWEEP_SCHEMA_VERSION = 1;

/** What identifies a grid (plan.json); the points themselves follow from axes and seeds. */
export interface PlanMeta {
  hash: string;
  scenarioFile: string;
  scenarioName: string;
  description: string;
  durationS: number;
  axes: Axis[];
  seeds: number[];
  measure: string;
  variants: string[];
  totalPoints: number;
}

export type SweepStatus = 'complete' | 'partial' | 'interrupted';

export interface SweepReport {
  schemaVersion: number;
  tool: { name: 'jitterlab'; version: string };
  plan: PlanMeta;
  shards: Shard[] | null;
  status: SweepStatus;
  pointsExpected: number;
  pointsDone: number;
  pointsFailed: number;
  points: PointRecord[];
  summary: ComboSummary[];
}

export function planMeta(p: SweepPlan): PlanMeta {
  return {
    hash: p.hash,
    scenarioFile: p.scenarioFile,
    scenarioName: p.scenarioName,
    description: p.description,
    durationS: p.durationS,
    axes: p.axes,
    seeds: p.seeds,
    measure: p.measure,
    variants: p.variants,
    totalPoints: p.points.length,
  };
}

export function buildSweepReport(meta: PlanMeta, records: Iterable<PointRecord>, o: { shards: Shard[] | null; expected: number; interrupted: boolean }): SweepReport {
  const points = [...records].sort((a, b) => a.index - b.index);
  const failed = points.filter((p) => p.error !== null).length;
  const ok = points.length - failed;
  return {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    tool: { name: 'jitterlab', version: TOOL_VERSION },
    plan: meta,
    shards: o.shards,
    status: o.interrupted ? 'interrupted' : ok === o.expected && failed === 0 ? 'complete' : 'partial',
    pointsExpected: o.expected,
    pointsDone: ok,
    pointsFailed: failed,
    points,
    summary: summarizeCombos(meta.axes, meta.variants, points, measuresComputed([meta.measure])),
  };
}

export function writeSweepJson(dir: string, r: SweepReport): void {
  writeFileAtomic(join(dir, 'sweep.json'), `${JSON.stringify(r, null, 1)}\n`);
}

export function writePlanJson(dir: string, meta: PlanMeta, shard: Shard | null): void {
  writeFileAtomic(join(dir, 'plan.json'), `${JSON.stringify({ ...meta, shard }, null, 1)}\n`);
}

export function readPlanJson(dir: string): (PlanMeta & { shard: Shard | null }) | null {
  const f = join(dir, 'plan.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as PlanMeta & { shard: Shard | null };
  } catch (e) {
    throw new IoError(f, `cannot read: ${(e as Error).message}`);
  }
}

export function readSweepJson(dir: string): SweepReport {
  const f = join(dir, 'sweep.json');
  let r: SweepReport;
  try {
    r = JSON.parse(readFileSync(f, 'utf8')) as SweepReport;
  } catch (e) {
    throw new IoError(f, `cannot read sweep report: ${(e as Error).message}`);
  }
  if (r.schemaVersion !== SWEEP_SCHEMA_VERSION) throw new UsageError(`${f}: sweep.json schema version ${String(r.schemaVersion)}, expected ${SWEEP_SCHEMA_VERSION}`);
  return r;
}
