/**
 * reports/index.html: every run under a reports directory (each sub-directory holding a
 * results.json) with its headline numbers and a link to its report, and every sweep (a
 * sub-directory holding a sweep.json) with its grid, progress and measure range and a link to its
 * sweep.html. Regenerated after each run and sweep, written atomically. The date is results.json's
 * or sweep.json's modification time (when it was written).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { escapeHtml } from './html/render-html.ts';
import { readResults } from './html/render-report.ts';
import type { Results } from './results.ts';

export interface RunSummary {
  dir: string;
  name: string;
  description: string;
  writtenMs: number;
  durationS: number;
  variants: number;
  /** The top-ranked variant (the only one with a single variant). */
  variant: string;
  mosCq: number | null;
  mosVisqol: number | null;
  effectiveLoss: number;
  mouthToEarMs: number;
  hasHtml: boolean;
}

const numOrNull = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export function summarizeRun(dirName: string, results: Results, writtenMs: number, hasHtml: boolean): RunSummary {
  const bestName = results.comparison?.[0]?.variant;
  const v = results.variants.find((x) => x.name === bestName) ?? results.variants[0];
  const sc = (v.scores ?? {}) as { emodel?: { mosCq?: number } | null; visqol?: { mos?: number } | null };
  const scenario = results.scenario as { name?: string; description?: string; durationS?: number };
  return {
    dir: dirName,
    name: scenario.name ?? dirName,
    description: scenario.description ?? '',
    writtenMs,
    durationS: Number(scenario.durationS ?? 0),
    variants: results.variants.length,
    variant: v.name,
    mosCq: numOrNull(sc.emodel?.mosCq),
    mosVisqol: numOrNull(sc.visqol?.mos),
    effectiveLoss: v.playout.effectiveLoss,
    mouthToEarMs: v.latency.mouthToEarMs,
    hasHtml,
  };
}

/** Runs found directly under `root` (hidden and staging directories skipped; unreadable results skipped). */
export function listRuns(root: string): RunSummary[] {
  if (!existsSync(root)) return [];
  const out: RunSummary[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    const file = join(dir, 'results.json');
    try {
      if (!statSync(dir).isDirectory() || !existsSync(file)) continue;
      out.push(summarizeRun(name, readResults(dir), statSync(file).mtimeMs, existsSync(join(dir, 'index.html'))));
    } catch {
      // A run from an incompatible version or a damaged file is not listed.
    }
  }
  return out.sort((a, b) => b.writtenMs - a.writtenMs || a.name.localeCompare(b.name));
}

export interface SweepSummary {
  dir: string;
  name: string;
  description: string;
  writtenMs: number;
  durationS: number;
  /** e.g. "channel.loss.rate (8) x channel.delay.jitterMs (6) x 10 seeds". */
  grid: string;
  status: string;
  pointsExpected: number;
  pointsDone: number;
  pointsFailed: number;
  measure: string;
  /** Lowest and highest mean (over seeds) of the measure over every combination and variant. */
  range: { min: number; max: number } | null;
  hasHtml: boolean;
}

/** The parts of sweep.json (sweep/sweep-report.ts) the index shows; read loosely, as results.json is. */
interface SweepJsonView {
  plan: { scenarioName: string; description?: string; durationS: number; axes: Array<{ key: string; values: unknown[] }>; seeds: unknown[]; measure: string };
  status: string;
  pointsExpected: number;
  pointsDone: number;
  pointsFailed: number;
  summary?: Array<{ variants: Record<string, Record<string, { mean: number | null }>> }>;
}

export function summarizeSweep(dirName: string, sweep: SweepJsonView, writtenMs: number, hasHtml: boolean): SweepSummary {
  const p = sweep.plan;
  let min = Infinity;
  let max = -Infinity;
  for (const c of sweep.summary ?? []) {
    for (const measures of Object.values(c.variants)) {
      const m = numOrNull(measures[p.measure]?.mean);
      if (m === null) continue;
      min = Math.min(min, m);
      max = Math.max(max, m);
    }
  }
  const seeds = p.seeds.length;
  return {
    dir: dirName,
    name: p.scenarioName,
    description: p.description ?? '',
    writtenMs,
    durationS: Number(p.durationS),
    grid: [...p.axes.map((a) => `${a.key} (${a.values.length})`), `${seeds} seed${seeds === 1 ? '' : 's'}`].join(' × '),
    status: sweep.status,
    pointsExpected: sweep.pointsExpected,
    pointsDone: sweep.pointsDone,
    pointsFailed: sweep.pointsFailed,
    measure: p.measure,
    range: min <= max ? { min, max } : null,
    hasHtml,
  };
}

function isSweepJson(x: unknown): x is SweepJsonView {
  const j = x as Partial<SweepJsonView> | null;
  return !!j && typeof j === 'object' && !!j.plan && typeof j.plan.scenarioName === 'string' && Array.isArray(j.plan.axes) && Array.isArray(j.plan.seeds) && typeof j.pointsExpected === 'number';
}

/** Sweeps found directly under `root` (hidden and staging directories skipped; unreadable sweep.json skipped). */
export function listSweeps(root: string): SweepSummary[] {
  if (!existsSync(root)) return [];
  const out: SweepSummary[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    const file = join(dir, 'sweep.json');
    try {
      if (!statSync(dir).isDirectory() || !existsSync(file)) continue;
      const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isSweepJson(json)) out.push(summarizeSweep(name, json, statSync(file).mtimeMs, existsSync(join(dir, 'sweep.html'))));
    } catch {
      // A sweep from an incompatible version or a damaged file is not listed.
    }
  }
  return out.sort((a, b) => b.writtenMs - a.writtenMs || a.name.localeCompare(b.name));
}

const f2 = (x: number | null): string => (x === null ? '–' : x.toFixed(2));
const written = (ms: number): string => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
/** A measure value as the sweep table prints it: 3 significant digits. */
const g3 = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(3));

function sweepsSection(sweeps: readonly SweepSummary[]): string {
  if (!sweeps.length) return '';
  const rows = sweeps
    .map((s) => {
      const href = encodeURI(`${s.dir}/${s.hasHtml ? 'sweep.html' : 'sweep.json'}`);
      const points = `${s.pointsDone}/${s.pointsExpected}${s.pointsFailed ? `, ${s.pointsFailed} failed` : ''}${s.status === 'complete' ? '' : ` (${s.status})`}`;
      const range = s.range ? (s.range.min === s.range.max ? g3(s.range.min) : `${g3(s.range.min)} – ${g3(s.range.max)}`) : '–';
      return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(s.name)}</a><div class="d">${escapeHtml(s.description)}</div></td><td>${escapeHtml(written(s.writtenMs))}</td><td>${s.durationS}&nbsp;s</td><td>${escapeHtml(s.grid)}</td><td>${escapeHtml(points)}</td><td>${escapeHtml(s.measure)}: ${escapeHtml(range)}</td></tr>`;
    })
    .join('\n');
  return `<h2>Sweeps</h2>
<p>${sweeps.length} sweep(s), newest first. Range: lowest and highest mean over seeds of the sweep's measure, over every grid point and variant.</p>
<table><thead><tr><th>sweep</th><th>written</th><th>call</th><th>grid</th><th>points done</th><th>measure range</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

export function renderReportIndex(runs: readonly RunSummary[], sweeps: readonly SweepSummary[] = []): string {
  const rows = runs
    .map((r) => {
      const href = encodeURI(`${r.dir}/${r.hasHtml ? 'index.html' : 'results.json'}`);
      return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(r.name)}</a><div class="d">${escapeHtml(r.description)}</div></td><td>${escapeHtml(written(r.writtenMs))}</td><td>${r.durationS}&nbsp;s</td><td>${r.variants > 1 ? `${r.variants} (best: ${escapeHtml(r.variant)})` : '1'}</td><td>${f2(r.mosCq)}</td><td>${f2(r.mosVisqol)}</td><td>${(r.effectiveLoss * 100).toFixed(2)} %</td><td>${r.mouthToEarMs.toFixed(0)} ms</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jitterlab reports</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:16px 24px;color:#222}table{border-collapse:collapse;width:100%}td,th{padding:5px 8px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}.d{color:#666;font-size:12px}h2{margin-top:1.6em}</style>
</head><body><h1>jitterlab reports</h1>
<h2>Runs</h2>
<p>${runs.length} run(s), newest first. MOS-CQ: E-model (conversational); ViSQOL: signal-based speech MOS; figures of the top-ranked variant.</p>
<table><thead><tr><th>run</th><th>written</th><th>call</th><th>variants</th><th>MOS-CQ</th><th>ViSQOL</th><th>eff. loss</th><th>mouth-to-ear</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${sweepsSection(sweeps)}
</body></html>
`;
}

const TITLE = '<title>jitterlab reports</title>';

/** An index.html there that this module did not write (a user's page): never overwritten. */
function isForeignIndex(target: string): boolean {
  if (!existsSync(target)) return false;
  try {
    return !readFileSync(target, 'utf8').includes(TITLE);
  } catch {
    return true;
  }
}

/** Rewrites <root>/index.html; returns its path, or null when root holds someone else's index.html. */
export function writeReportIndex(root: string): string | null {
  const target = join(root, 'index.html');
  if (isForeignIndex(target)) return null;
  writeFileAtomic(target, renderReportIndex(listRuns(root), listSweeps(root)));
  return target;
}
