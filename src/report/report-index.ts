/**
 * reports/index.html: every run under a reports directory (each sub-directory holding a
 * results.json) with its headline numbers and a link to its report. Regenerated after each run,
 * written atomically. The date is results.json's modification time (when the run was written).
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

const f2 = (x: number | null): string => (x === null ? '–' : x.toFixed(2));

export function renderReportIndex(runs: readonly RunSummary[]): string {
  const rows = runs
    .map((r) => {
      const href = encodeURI(`${r.dir}/${r.hasHtml ? 'index.html' : 'results.json'}`);
      return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(r.name)}</a><div class="d">${escapeHtml(r.description)}</div></td><td>${escapeHtml(new Date(r.writtenMs).toISOString().replace('T', ' ').slice(0, 19))} UTC</td><td>${r.durationS} s</td><td>${r.variants > 1 ? `${r.variants} (best: ${escapeHtml(r.variant)})` : '1'}</td><td>${f2(r.mosCq)}</td><td>${f2(r.mosVisqol)}</td><td>${(r.effectiveLoss * 100).toFixed(2)} %</td><td>${r.mouthToEarMs.toFixed(0)} ms</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jitterlab reports</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:16px 24px;color:#222}table{border-collapse:collapse;width:100%}td,th{padding:5px 8px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}.d{color:#666;font-size:12px}</style>
</head><body><h1>jitterlab reports</h1>
<p>${runs.length} run(s), newest first. MOS-CQ: E-model (conversational); ViSQOL: signal-based speech MOS; figures of the top-ranked variant.</p>
<table><thead><tr><th>run</th><th>written</th><th>call</th><th>variants</th><th>MOS-CQ</th><th>ViSQOL</th><th>eff. loss</th><th>mouth-to-ear</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
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
  writeFileAtomic(target, renderReportIndex(listRuns(root)));
  return target;
}
