/**
 * Reduction over seeds: for each combination of axis values, each variant and each measure, the
 * mean, the sample standard deviation (n - 1; 0 for one seed), the range and the count of seeds
 * that produced a value.
 */
import type { MeasureDef } from '../check/measures.ts';
import { comboCount, gridPoints, type Axis, type AxisValue } from './grid.ts';
import type { PointRecord } from './point-log.ts';

export interface Stat {
  mean: number | null;
  sd: number | null;
  min: number | null;
  max: number | null;
  n: number;
}

export interface ComboSummary {
  combo: number;
  at: number[];
  params: Record<string, AxisValue>;
  /** variant → measure → stat over seeds */
  variants: Record<string, Record<string, Stat>>;
}

export function stat(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: null, sd: null, min: null, max: null, n: 0 };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min, max, n };
}

/** `measures`: the ones the sweep computed (measuresComputed of its --measure). */
export function summarizeCombos(axes: readonly Axis[], variants: readonly string[], records: readonly PointRecord[], measures: readonly MeasureDef[]): ComboSummary[] {
  const byCombo = new Map<number, PointRecord[]>();
  for (const r of records) {
    if (r.variants === null) continue;
    let list = byCombo.get(r.combo);
    if (!list) byCombo.set(r.combo, (list = []));
    list.push(r);
  }
  const firsts = gridPoints(axes, [0]);
  const out: ComboSummary[] = [];
  for (let c = 0; c < comboCount(axes); c++) {
    const recs = byCombo.get(c) ?? [];
    const vs: Record<string, Record<string, Stat>> = {};
    for (const v of variants) {
      const ms: Record<string, Stat> = {};
      for (const m of measures) {
        const vals: number[] = [];
        for (const r of recs) {
          const x = r.variants?.[v]?.[m.name];
          if (typeof x === 'number' && Number.isFinite(x)) vals.push(x);
        }
        ms[m.name] = stat(vals);
      }
      vs[v] = ms;
    }
    out.push({ combo: c, at: firsts[c].at, params: firsts[c].params, variants: vs });
  }
  return out;
}
