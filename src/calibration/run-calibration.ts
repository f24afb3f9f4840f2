/**
 * `jitterlab calibrate`: each condition of the ladder on a fresh browser connection, with our
 * `neteq` on the same network realization, and the table of their figures. The browser's figures
 * can be kept and reused (`reuse`): the realization depends only on the seed, so our buffer can be
 * re-run against them offline while its model is being changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { JitterlabError } from '../core/errors.ts';
import { runToReport } from '../report/write-run.ts';
import { scenarioFromObject } from '../scenario/load.ts';
import { runScenario } from '../sim/run-scenario.ts';
import { agrees, figuresOf, meanFigures, type ReceiverFigures } from './agreement.ts';
import { BROWSER_VARIANT, conditionScenario, LADDER, NETEQ_VARIANT, type CalibrationCondition } from './ladder.ts';

export interface CalibrationOptions {
  outDir: string;
  durationS: number;
  seed: number;
  /** Browser runs per condition (fresh connection each). */
  repeat: number;
  conditions?: readonly string[];
  /** A previous calibration's folder: take the browser's figures from it, run only ours. */
  reuseDir?: string;
  neteq?: Record<string, unknown>;
  browserOptions?: Record<string, unknown>;
  progress?: (text: string) => void;
  browserProgress?: (variant: string, doneMs: number, totalMs: number) => void;
}

export interface BrowserConditionFigures {
  runs: ReceiverFigures[];
  /** Per run: whether it was trusted (only trusted runs enter the mean, when there is one). */
  trustedRuns: boolean[];
  mean: ReceiverFigures;
  min: ReceiverFigures;
  max: ReceiverFigures;
  /** Release lateness over the runs: the worst p99 and max, and whether every run was trusted. */
  lateness: { p50Ms: number; p99Ms: number; maxMs: number; stalls: number; trusted: boolean };
  realtime: string;
  browserVersion: string;
}

export interface CalibrationRow {
  id: string;
  label: string;
  browser: BrowserConditionFigures;
  ours: ReceiverFigures;
  agree: { target: boolean; concealed: boolean };
}

export interface Calibration {
  kind: 'jitterlab-calibration';
  version: 1;
  durationS: number;
  seed: number;
  repeat: number;
  neteq: Record<string, unknown>;
  machine: { cpus: number; loadAverage1m: number[]; date: string };
  reusedFrom: string | null;
  rows: CalibrationRow[];
}

function selectConditions(ids: readonly string[] | undefined): CalibrationCondition[] {
  if (!ids || !ids.length) return [...LADDER];
  return ids.map((id) => {
    const c = LADDER.find((x) => x.id === id);
    if (!c) throw new JitterlabError('usage', `calibrate: unknown condition '${id}' (conditions: ${LADDER.map((x) => x.id).join(', ')})`);
    return c;
  });
}

function loadPrevious(dir: string): Calibration {
  const file = join(dir, 'calibration.json');
  if (!existsSync(file)) throw new JitterlabError('usage', `calibrate --reuse: ${file} not found`);
  const c = JSON.parse(readFileSync(file, 'utf8')) as Calibration;
  if (c.kind !== 'jitterlab-calibration') throw new JitterlabError('usage', `calibrate --reuse: ${file} is not a calibration`);
  return c;
}

type BrowserInfo = { release: { p50Ms: number; p99Ms: number; maxMs: number; stalls: number }; trusted: boolean; realtime: { applied: boolean; detail: string }; browserVersion: string };

async function browserRuns(c: CalibrationCondition, o: CalibrationOptions, loadAvg: number[]): Promise<{ ours: ReceiverFigures; browser: BrowserConditionFigures }> {
  const runs: ReceiverFigures[] = [];
  const infos: BrowserInfo[] = [];
  let ours: ReceiverFigures | null = null;
  for (let r = 0; r < o.repeat; r++) {
    o.progress?.(`${c.id}: browser run ${r + 1}/${o.repeat} (${o.durationS} s in real time; load ${loadAvg.map((x) => x.toFixed(2)).join(' ')})`);
    const raw = conditionScenario(c, { durationS: o.durationS, seed: o.seed, browser: true, neteq: o.neteq, browserOptions: o.browserOptions });
    const sc = scenarioFromObject(raw, `<calibration:${c.id}>`);
    // The first run writes a full report (both receivers, charts, logs) as evidence.
    const { results } = await runToReport(sc, { outDir: join(o.outDir, r === 0 ? c.id : `${c.id}-run${r + 1}`), browserProgress: o.browserProgress, html: r === 0 });
    for (const v of results.variants) {
      if (v.name === NETEQ_VARIANT) ours ??= figuresOf(v.w3c, 48000);
      if (v.name === BROWSER_VARIANT) {
        runs.push(figuresOf(v.w3c, 48000));
        infos.push(v.browser as unknown as BrowserInfo);
      }
    }
  }
  // A run whose packets left late or whose browser output stalled measured the host, not the
  // browser: the figures are the mean of the trusted runs when there is one.
  const trustedRuns = runs.filter((_, i) => infos[i].trusted);
  const m = meanFigures(trustedRuns.length ? trustedRuns : runs);
  return {
    ours: ours!,
    browser: {
      runs,
      trustedRuns: infos.map((i) => i.trusted),
      ...m,
      lateness: {
        p50Ms: Math.max(...infos.map((i) => i.release.p50Ms)),
        p99Ms: Math.max(...infos.map((i) => i.release.p99Ms)),
        maxMs: Math.max(...infos.map((i) => i.release.maxMs)),
        stalls: infos.reduce((a, i) => a + i.release.stalls, 0),
        trusted: infos.some((i) => i.trusted),
      },
      realtime: infos[0].realtime.applied ? 'SCHED_FIFO' : infos[0].realtime.detail,
      browserVersion: infos[0].browserVersion,
    },
  };
}

/** Our buffer alone on a condition (deterministic: one run). */
async function oursOnly(c: CalibrationCondition, o: CalibrationOptions): Promise<ReceiverFigures> {
  const sc = scenarioFromObject(conditionScenario(c, { durationS: o.durationS, seed: o.seed, browser: false, neteq: o.neteq }), `<calibration:${c.id}>`);
  const run = await runScenario(sc);
  return figuresOf(run.variants[0].aggregates.w3c as unknown as Record<string, number>, 48000);
}

export async function runCalibration(o: CalibrationOptions): Promise<Calibration> {
  const conditions = selectConditions(o.conditions);
  const previous = o.reuseDir ? loadPrevious(o.reuseDir) : null;
  const rows: CalibrationRow[] = [];
  const loadAverages: number[] = [];
  for (const c of conditions) {
    const load = loadavg();
    loadAverages.push(load[0]);
    let row: CalibrationRow;
    if (previous) {
      const old = previous.rows.find((r) => r.id === c.id);
      if (!old) throw new JitterlabError('usage', `calibrate --reuse: ${o.reuseDir} has no browser figures for '${c.id}'`);
      if (previous.durationS !== o.durationS || previous.seed !== o.seed) throw new JitterlabError('usage', `calibrate --reuse: ${o.reuseDir} ran ${previous.durationS} s calls with seed ${previous.seed}; use the same --duration and --seed`);
      o.progress?.(`${c.id}: jitterlab neteq against the stored browser figures`);
      const ours = await oursOnly(c, o);
      row = { id: c.id, label: c.label, browser: old.browser, ours, agree: agrees(ours, old.browser.mean) };
    } else {
      const r = await browserRuns(c, o, load);
      row = { id: c.id, label: c.label, browser: r.browser, ours: r.ours, agree: agrees(r.ours, r.browser.mean) };
    }
    rows.push(row);
  }
  return {
    kind: 'jitterlab-calibration',
    version: 1,
    durationS: o.durationS,
    seed: o.seed,
    repeat: previous ? previous.repeat : o.repeat,
    neteq: o.neteq ?? {},
    machine: { cpus: cpus().length, loadAverage1m: loadAverages.map((x) => Math.round(x * 100) / 100), date: new Date().toISOString() },
    reusedFrom: o.reuseDir ?? null,
    rows,
  };
}
