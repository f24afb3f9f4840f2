/** The sweep's tables: a terminal table of the chosen measure and sweep.csv with every measure. */
import { measureDef, measuresComputed } from '../check/measures.ts';
import { table } from '../report/terminal-table.ts';
import type { AxisValue } from './grid.ts';
import type { SweepReport } from './sweep-report.ts';
import type { Stat } from './summary.ts';

export function formatValue(measure: string, x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '-';
  const unit = measureDef(measure)?.unit;
  if (unit === 'ratio') return `${(x * 100).toFixed(2)}%`;
  if (unit === 'MOS') return x.toFixed(2);
  if (unit === 'NSIM') return x.toFixed(3);
  if (unit === 'packets') return x.toFixed(1);
  return x.toFixed(1);
}

export function formatStat(measure: string, s: Stat | undefined): string {
  if (!s || s.mean === null) return '-';
  if (s.n <= 1) return formatValue(measure, s.mean);
  return `${formatValue(measure, s.mean)} ±${formatValue(measure, s.sd).replace('%', '')}`;
}

const cell = (v: AxisValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function sweepTable(r: SweepReport, measure = r.plan.measure): string {
  const header = [...r.plan.axes.map((a) => a.key), ...r.plan.variants.map((v) => `${v} ${measure}`)];
  const rows = r.summary.map((c) => [...r.plan.axes.map((a) => cell(c.params[a.key])), ...r.plan.variants.map((v) => formatStat(measure, c.variants[v]?.[measure]))]);
  return table(header, rows);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function sweepCsv(r: SweepReport): string {
  const measures = measuresComputed([r.plan.measure]);
  const header = ['combo', ...r.plan.axes.map((a) => a.key), 'variant', 'seeds', ...measures.flatMap((m) => [`${m.name}_mean`, `${m.name}_sd`])];
  const lines = [header.map(csvField).join(',')];
  for (const c of r.summary) {
    for (const v of r.plan.variants) {
      const ms = c.variants[v];
      const n = Math.max(0, ...measures.map((m) => ms?.[m.name]?.n ?? 0));
      const vals = measures.flatMap((m) => {
        const s = ms?.[m.name];
        return [s?.mean ?? '', s?.sd ?? ''].map((x) => (x === '' ? '' : String(x)));
      });
      lines.push([String(c.combo), ...r.plan.axes.map((a) => csvField(cell(c.params[a.key]))), csvField(v), String(n), ...vals].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
