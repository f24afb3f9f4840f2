/**
 * The sweep grid: axes (key path → values), their cartesian product ("combinations"), times the
 * seeds. Points are numbered combination-major, seed-minor, the last axis varying fastest, so a
 * point's index depends only on the plan, never on which worker finished first.
 */
import { UsageError } from '../core/errors.ts';
import { coerceValue, parseKeyPath } from './key-path.ts';

export type AxisValue = number | string | boolean | null;

export interface Axis {
  key: string;
  values: AxisValue[];
}

export interface GridPoint {
  /** Position in the whole grid (0-based). */
  index: number;
  /** Index of the combination of axis values (the point without its seed). */
  combo: number;
  /** Index of each axis's value. */
  at: number[];
  params: Record<string, AxisValue>;
  seedIndex: number;
  seed: number;
}

/** More points than this is almost certainly a typo in a range. */
export const MAX_POINTS = 1_000_000;

/** "0:1", "0:1:", "0::1": numbers (or nothing) between colons, meant as a range even when not a whole one. */
function looksLikeRange(spec: string): boolean {
  const parts = spec.split(':');
  return parts.length >= 2 && parts.every((p) => p.trim() === '' || Number.isFinite(Number(p)));
}

function notARange(spec: string, key: string): UsageError {
  return new UsageError(`--vary ${key}: "${spec.trim()}" is not a range: a range is start:stop:step with numbers, stop included (e.g. 0:1:0.25 = 0,0.25,0.5,0.75,1); or list the values: v1,v2,...`);
}

/** "0:60:10" → 0,10,...,60 (stop inclusive); decimals are rounded to 12 significant digits. */
export function parseRange(spec: string, key: string): number[] {
  const parts = spec.split(':').map((s) => s.trim());
  if (parts.length !== 3 || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) throw notARange(spec, key);
  const [start, stop, step] = parts.map(Number);
  if (!(step > 0)) throw new UsageError(`--vary ${key}: range step must be > 0, got ${step}`);
  if (stop < start) throw new UsageError(`--vary ${key}: range stop ${stop} is below start ${start}`);
  const n = Math.floor((stop - start) / step + 1e-9) + 1;
  if (n > MAX_POINTS) throw new UsageError(`--vary ${key}: range has ${n} values`);
  return Array.from({ length: n }, (_, i) => Number((start + i * step).toPrecision(12)));
}

/** Values of one axis: a list, "a,b,c", or "start:stop:step". */
export function axisValues(key: string, spec: string | ReadonlyArray<AxisValue>): AxisValue[] {
  let values: AxisValue[];
  if (typeof spec !== 'string') values = [...spec];
  else if (looksLikeRange(spec)) values = parseRange(spec, key);
  else {
    // A range inside a list ("0,0:1") would become the string "0:1" and fail later as "expected number".
    const items = spec.split(',');
    const range = items.find(looksLikeRange);
    if (range !== undefined) throw notARange(range, key);
    values = items.map(coerceValue);
  }
  if (values.length === 0 || (typeof spec === 'string' && spec.trim() === '')) throw new UsageError(`--vary ${key}: no values`);
  const seen = new Set(values.map((v) => JSON.stringify(v)));
  if (seen.size !== values.length) throw new UsageError(`--vary ${key}: repeated values`);
  return values;
}

/** "channel.loss.rate=0,0.01" → an axis. */
export function parseVaryArg(arg: string): Axis {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new UsageError(`--vary expects key.path=values, got "${arg}"`);
  const key = arg.slice(0, eq).trim();
  parseKeyPath(key);
  return { key, values: axisValues(key, arg.slice(eq + 1)) };
}

export function axesFromRecord(vary: Record<string, string | ReadonlyArray<AxisValue>>): Axis[] {
  return Object.entries(vary).map(([key, spec]) => {
    parseKeyPath(key);
    return { key, values: axisValues(key, spec) };
  });
}

/** The seeds of a sweep: the scenario seed and the next ones (mod 2^32). */
export function seedList(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (base + i) % 0x100000000);
}

export function comboCount(axes: readonly Axis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

export function gridPoints(axes: readonly Axis[], seeds: readonly number[]): GridPoint[] {
  const keys = new Set<string>();
  for (const a of axes) {
    if (keys.has(a.key)) throw new UsageError(`--vary ${a.key} is given twice`);
    keys.add(a.key);
  }
  const combos = comboCount(axes);
  const total = combos * seeds.length;
  if (total > MAX_POINTS) throw new UsageError(`the grid has ${total} points (limit ${MAX_POINTS})`);
  const points: GridPoint[] = [];
  for (let c = 0; c < combos; c++) {
    const at: number[] = new Array(axes.length);
    let rest = c;
    for (let k = axes.length - 1; k >= 0; k--) {
      const n = axes[k].values.length;
      at[k] = rest % n;
      rest = Math.floor(rest / n);
    }
    const params: Record<string, AxisValue> = {};
    axes.forEach((a, k) => (params[a.key] = a.values[at[k]]));
    seeds.forEach((seed, s) => points.push({ index: c * seeds.length + s, combo: c, at, params, seedIndex: s, seed }));
  }
  return points;
}

export interface Shard {
  k: number;
  n: number;
}

/** "2/4" → shard 2 of 4 (1-based). */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`--shard expects k/n (e.g. 1/4), got "${spec}"`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (!(n >= 1 && k >= 1 && k <= n)) throw new UsageError(`--shard ${spec}: need 1 <= k <= n`);
  return { k, n };
}

/**
 * The points of shard k/n: every n-th point starting at k-1. Round-robin rather than contiguous
 * blocks, so shards get a similar mix of cheap and expensive conditions.
 */
export function inShard(index: number, shard: Shard | null): boolean {
  return shard === null || index % shard.n === shard.k - 1;
}
