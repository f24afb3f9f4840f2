/**
 * Jitter marginals as netem defines them (tc-netem(8), iproute2 netem/*.c), written as inverse
 * CDFs of a uniform u, in standardized units: the channel multiplies by jitterMs.
 *
 * - uniform: 2u - 1, i.e. U[-J, J) (sigma = J/sqrt(3)), netem's table-less default.
 * - normal: Phi^-1(u), i.e. N(0, J).
 * - pareto: ((1-u)^(-1/3) - 1.5) * 4/3: Pareto alpha = 3 (mean 1.5) centred and scaled the way
 *   netem's pareto table is; minimum -2/3, long right tail.
 * The table-shaped marginals (normal, pareto, paretonormal) are clipped to +-32767/8192 (about
 * 4J), as netem's s16 tables clip them: a scenario copied from a `tc netem` command line gets the
 * same delay range (an unclipped pareto gives 30J spikes netem never produces).
 * - paretonormal: (Phi^-1(u) + 3 pareto(u)) / 4 per quantile, as netem's paretonormal.c.
 * - empirical: a netem .dist table (standardized value * 8192 per entry), sampled by quantile
 *   index floor(u * N) of the sorted table (sorting keeps the marginal of netem's uniform index
 *   and makes the copula of ar1-jitter.ts monotone).
 */
import { readFileSync } from 'node:fs';
import { IoError, JitterlabError, ScenarioError } from '../core/errors.ts';
import { normalCdf, normalQuantile } from './gaussian.ts';
import type { ChannelConfig } from './config.ts';

export type JitterDistribution = ChannelConfig['delay']['distribution'];

/** NETEM_DIST_SCALE (include/uapi/linux/pkt_sched.h). */
export const NETEM_DIST_SCALE = 8192;
/** NETEM_DIST_MAX: the largest table tc accepts. */
export const NETEM_DIST_MAX = 16384;

export interface DistTable {
  readonly file: string;
  /** Sorted standardized samples (entry / 8192). */
  readonly values: Float64Array;
}

/** Parse the iproute2 .dist text format: '#' comments, whitespace-separated s16 integers. */
export function parseDistTable(text: string, file: string): DistTable {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, '').trim();
    if (line === '') continue;
    for (const tok of line.split(/\s+/)) {
      if (!/^[+-]?\d+$/.test(tok)) throw new ScenarioError(file, '', i + 1, `not an integer: ${JSON.stringify(tok.slice(0, 20))}`);
      const v = Number(tok);
      if (v < -32768 || v > 32767) throw new ScenarioError(file, '', i + 1, `${tok} is outside the signed 16-bit range of a netem table`);
      if (out.length >= NETEM_DIST_MAX) throw new ScenarioError(file, '', i + 1, `more than ${NETEM_DIST_MAX} entries`);
      out.push(v / NETEM_DIST_SCALE);
    }
  }
  if (out.length === 0) throw new ScenarioError(file, '', null, 'empty distribution table');
  const values = Float64Array.from(out).sort();
  return { file, values };
}

/** Read and parse a .dist file; `path` is already resolved by the caller. */
export function loadDistTable(path: string): DistTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new IoError(path, `cannot read distribution table: ${(e as Error).message}`);
  }
  return parseDistTable(text, path);
}

/** Centred, scaled Pareto(alpha 3) quantile from the upper-tail probability uc = 1 - u. */
export function paretoStandardFromTail(uc: number): number {
  return (Math.pow(uc, -1 / 3) - 1.5) * (4 / 3);
}

function tableQuantile(table: DistTable, u: number): number {
  const n = table.values.length;
  const i = Math.min(n - 1, Math.max(0, Math.floor(u * n)));
  return table.values[i];
}

function needTable(table: DistTable | null | undefined): DistTable {
  if (!table) throw new JitterlabError('scenario', 'channel.delay: distribution "empirical" needs delay.tableFile');
  return table;
}

/**
 * Standardized jitter quantile at u in [0, 1). `uc` = 1 - u when known more precisely.
 * Multiply by jitterMs for milliseconds.
 */
export function standardJitterQuantile(dist: JitterDistribution, u: number, table?: DistTable | null, uc: number = 1 - u): number {
  return clipTable(dist, rawQuantile(dist, u, table, uc));
}

/** The largest standardized value an s16 netem table holds (32767 / NETEM_DIST_SCALE). */
export const NETEM_TABLE_LIMIT = 32767 / NETEM_DIST_SCALE;

function clipTable(dist: JitterDistribution, x: number): number {
  if (dist === 'uniform' || dist === 'empirical') return x;
  return x > NETEM_TABLE_LIMIT ? NETEM_TABLE_LIMIT : x < -NETEM_TABLE_LIMIT ? -NETEM_TABLE_LIMIT : x;
}

function rawQuantile(dist: JitterDistribution, u: number, table: DistTable | null | undefined, uc: number): number {
  switch (dist) {
    case 'uniform':
      return 2 * u - 1;
    case 'normal':
      return normalQuantile(u, uc);
    case 'pareto':
      return paretoStandardFromTail(uc);
    case 'paretonormal':
      return (normalQuantile(u, uc) + 3 * paretoStandardFromTail(uc)) / 4;
    case 'empirical':
      return tableQuantile(needTable(table), u);
  }
}

/**
 * The same quantile reached from a standard-normal latent z (u = Phi(z)): the Gaussian-copula
 * transform of ar1-jitter.ts. Tails keep full precision (1 - u is computed as Phi(-z)).
 */
export function standardJitterFromLatent(dist: JitterDistribution, z: number, table?: DistTable | null): number {
  switch (dist) {
    case 'normal':
      return clipTable(dist, z);
    case 'paretonormal':
      return clipTable(dist, (z + 3 * paretoStandardFromTail(normalCdf(-z))) / 4);
    default:
      return standardJitterQuantile(dist, normalCdf(z), table, normalCdf(-z));
  }
}
