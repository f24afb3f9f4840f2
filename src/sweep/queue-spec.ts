/**
 * What a queued sweep keeps in Redis besides its BullMQ queue:
 *   jitterlab:sweeps              sorted set of the sweeps on the queue (score: when queued), oldest first
 *   jitterlab:sweep:<id>          the sweep's spec (JSON below): what a worker needs to run its points
 *   jitterlab:sweep:<id>:audio    the shared encodings and source audio, encoded once by the planner (shared-audio-wire.ts)
 *   jitterlab:sweep:<id>:results  list of point outcomes (JSON QueuedOutcome), pushed by workers, taken by the planner
 *   jitterlab:sweep:<id>:problems workers that cannot run the sweep (hash: worker → reason), shown by the planner
 *   bull:jitterlab-sweep-<id>:*   the BullMQ queue of its points, in chunks (PointChunk)
 * A worker pushes a point's outcome before it completes the job: a worker that dies in between
 * leaves the job to the stalled check, and the point's second outcome is ignored. Outcomes go
 * through a list rather than BullMQ's stored return values so the planner takes hundreds in one
 * round trip (LRANGE, then LTRIM once they are in points.jsonl).
 * The id is a hash of the plan, the shard, the planner's host and its output directory: a resumed
 * planner finds its own queue again (with the points finished while it was away), and two
 * planners of the same grid into different directories do not take each other's results.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../scenario/load.ts';
import type { Axis, Shard } from './grid.ts';
import type { SweepPlan } from './plan.ts';
import type { PointOutcome, PointTask } from './point-run.ts';

/** A point's outcome on the results list, with how often its job was started (more than once: it came back to the queue). */
export type QueuedOutcome = PointOutcome & { started: number };

export const SWEEPS_KEY = 'jitterlab:sweeps';

export interface QueuedSweepSpec {
  id: string;
  /**
   * The scenario file, relative to the project root when it is inside it (workers on other
   * machines or in containers resolve it against their own checkout), else absolute. Workers do
   * not read it (raw is the scenario, the audio comes through Redis), but resolve its paths from
   * it (source.file, so the audio's cache keys match; a jitter-buffer `module:`), and it names the
   * scenario in errors.
   */
  file: string;
  raw: Record<string, unknown>;
  axes: Axis[];
  /** The planner's project root: the audio's cache keys hold paths under it (rebaseSharedAudio). */
  root: string;
  /** Opt-in measures (visqol) asked for: each point's audio is scored. */
  signal: boolean;
}

export function sweepQueueId(plan: SweepPlan, shard: Shard | null, outDir: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ plan: plan.hash, shard, host: hostname(), outDir }))
    .digest('hex')
    .slice(0, 16);
}

export const specKey = (id: string): string => `jitterlab:sweep:${id}`;
export const audioKey = (id: string): string => `jitterlab:sweep:${id}:audio`;
export const resultsKey = (id: string): string => `jitterlab:sweep:${id}:results`;
export const problemsKey = (id: string): string => `jitterlab:sweep:${id}:problems`;
export const queueName = (id: string): string => `jitterlab-sweep-${id}`;
/**
 * A job: up to 32 consecutive points of the shard. Each job costs Redis round trips (take, lock,
 * complete, push the outcomes) and a worker's main thread about a millisecond or two of CPU
 * beside the pool threads that run the points (npm run bench:queue), against a few milliseconds
 * of work per point of a short call; chunks spread that over many points, and a grid is still cut
 * into about 64 jobs or more, so every worker gets a share and a dead worker's chunks are a small
 * part of the grid.
 */
export interface PointChunk {
  points: PointTask[];
}

/** Largest job, and the least number of full-size jobs a large grid is cut into. */
const MAX_CHUNK = 32;
const MIN_JOBS = 64;

/**
 * The last jobs shrink (guided self-scheduling: Polychronopoulos & Kuck, "Guided self-scheduling",
 * IEEE Trans. Computers C-36(12), 1987): each holds at most 1/TAIL_SHARE of the points left, so
 * near the end no worker still holds a full chunk (and the one it took in advance) while the
 * others have nothing left to take; a small share keeps the number of extra jobs small.
 */
const TAIL_SHARE = 4;

/**
 * Points per job, in queue order, for a shard of `total` points: up to min(32, total / 64), the
 * tail shrinking down to single points. Stable across runs, so a resumed planner's jobs keep their ids.
 */
export function chunkLayout(total: number): number[] {
  const base = Math.max(1, Math.min(MAX_CHUNK, Math.floor(total / MIN_JOBS)));
  const sizes: number[] = [];
  for (let left = total; left > 0; ) {
    const size = Math.max(1, Math.min(base, Math.floor(left / TAIL_SHARE)));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

/** Job id of chunk `k` of a shard of `total` points, named with the total so a different layout never meets an old job. */
export const chunkJobId = (total: number, k: number): string => `g${total}-${k}`;

/** Pub/sub channel on which the planner announces a sweep queued (queue-wake.ts): idle workers take it at once. */
export const SWEEPS_CHANNEL = 'jitterlab:sweeps:queued';
/** Pub/sub channel on which workers announce outcomes pushed to the results list: the planner takes them in at once. */
export const resultsChannel = (id: string): string => `jitterlab:sweep:${id}:results:pushed`;

/** A scenario path as the spec holds it: relative to the project root when inside it. */
export function portablePath(file: string): string {
  const rel = relative(PROJECT_ROOT, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** The spec's scenario path on this machine. */
export function localPath(file: string): string {
  return resolve(PROJECT_ROOT, file);
}
