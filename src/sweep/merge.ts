/**
 * `jitterlab merge`: joins the outputs of `--shard k/n` runs (or of partial runs) of the same
 * grid into one report. Shards are recognised by the plan hash; a point present in several
 * inputs keeps its successful result. The merged directory also gets plan.json and points.jsonl,
 * so `jitterlab sweep --resume --out <merged>` can fill in whatever is still missing.
 */
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { Shard } from './grid.ts';
import { PointLog, type PointRecord } from './point-log.ts';
import { writeSweepOutputs } from './run-sweep.ts';
import { buildSweepReport, readSweepJson, writePlanJson, type PlanMeta, type SweepReport } from './sweep-report.ts';
import { makeOutputDir } from '../core/make-dirs.ts';

export function mergeSweeps(dirs: readonly string[], outDir: string): SweepReport {
  if (dirs.length === 0) throw new UsageError('merge: give at least one sweep directory');
  let meta: PlanMeta | null = null;
  const shards: Shard[] = [];
  let unsharded = false;
  const points = new Map<number, PointRecord>();
  for (const d of dirs) {
    const r = readSweepJson(d);
    if (meta === null) meta = r.plan;
    else if (r.plan.hash !== meta.hash) throw new UsageError(`merge: ${d} is a different sweep (plan ${r.plan.hash}, expected ${meta.hash} from ${dirs[0]})`);
    if (r.shards === null) unsharded = true;
    else for (const s of r.shards) if (!shards.some((x) => x.k === s.k && x.n === s.n)) shards.push(s);
    for (const p of r.points) {
      const have = points.get(p.index);
      if (!have || (have.error !== null && p.error === null)) points.set(p.index, p);
    }
  }
  const m = meta!;
  makeOutputDir(outDir);
  const log = new PointLog(join(outDir, 'points.jsonl'));
  log.reset();
  const ordered = [...points.values()].sort((a, b) => a.index - b.index);
  for (const p of ordered) log.append(p);
  writePlanJson(outDir, m, null);
  shards.sort((a, b) => a.n - b.n || a.k - b.k);
  const report = buildSweepReport(m, ordered, { shards: unsharded || shards.length === 0 ? null : shards, expected: m.totalPoints, interrupted: false });
  writeSweepOutputs(outDir, report);
  return report;
}
