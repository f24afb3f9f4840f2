/**
 * Runs a scenario to its report directory: results.json, packets.csv, degraded.wav and
 * reference.wav (plus variants/<name>/ with several variants), the quality scores in
 * results.json, index.html and optionally call.pcap, all written atomically: the report
 * directory appears only when every file is complete.
 */
import { writeFileSync } from 'node:fs';
import { opusNative } from '../codec/opus-native.ts';
import { AtomicFileStream } from '../core/atomic-write.ts';
import type { Scenario } from '../scenario/load.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import { runScenario, type RunOptions, type ScenarioRun } from '../sim/run-scenario.ts';
import { renderReport } from './html/render-report.ts';
import { buildCallPcap } from './pcap-export.ts';
import { RunScoring } from './score-pool.ts';
import { ReportDir } from './report-dir.ts';
import { PACKETS_CSV_HEADER, packetCsvRow } from './packets-csv.ts';
import { browserStatsCsv, releaseCsv } from './browser-logs.ts';
import { buildResults, variantFiles, variantResultsJson, type Results } from './results.ts';
import { WavStreamWriter } from './wav-stream.ts';
import { TOOL_VERSION } from './version.ts';

export interface WriteRunOptions extends RunOptions {
  outDir: string;
  /** Extra work on the finished run before results are written (scores, HTML, pcap). */
  enrich?: (ctx: EnrichContext) => Promise<void> | void;
  /** Quality scores per variant (E-model, ViSQOL unless scenario report.visqol is false, sanity). Default true. */
  scores?: boolean;
  /** Write index.html. Default: the scenario's report.html. */
  html?: boolean;
  /** Write call.pcap (per variant with several). Default: the scenario's report.pcap. */
  pcap?: boolean;
  /** Worker threads scoring the variants of a run with several (score-pool.ts). Default: every core; 0 = in this thread. */
  jobs?: number;
  /**
   * Called once the simulation and the files it writes are done, before scores (of a run scored
   * after it) and HTML: where a caller can measure those two alone (npm run bench does).
   */
  afterSimulation?: () => void;
}

export interface EnrichContext {
  run: ScenarioRun;
  results: Results;
  dir: ReportDir;
}

export async function runToReport(scenario: Scenario, opts: WriteRunOptions): Promise<{ results: Results; outDir: string }> {
  const dir = new ReportDir(opts.outDir);
  const writers: WavStreamWriter[] = [];
  const report = scenario.config.report;
  const scoring = (opts.scores ?? true) ? new RunScoring(scenario, dir.staging, { visqol: report.visqol, jobs: opts.jobs }) : null;
  try {
    await scoring?.prepare();
    // The run's records are the largest thing in memory: they live only inside simulateToDir, so
    // they can be collected before scores and HTML (a one-hour call stays under 400 MB).
    const results = await simulateToDir(scenario, opts, dir, writers, scoring);
    opts.afterSimulation?.();
    if (scoring) await scoring.addTo(results);
    await scoring?.close();
    writeFileSync(dir.path('results.json'), `${JSON.stringify(results, null, 1)}\n`);
    if (opts.html ?? report.html) renderReport(dir.staging);
    dir.commit();
    return { results, outDir: opts.outDir };
  } catch (e) {
    // Workers first: they may be reading WAVs of the staging directory.
    await scoring?.close();
    for (const w of writers) w.abort();
    dir.abort();
    throw withoutStaging(e, dir);
  }
}

/** An error names a file by its place in the report, never by the staging directory (gone by now). */
function withoutStaging(e: unknown, dir: ReportDir): unknown {
  if (e instanceof Error && e.message.includes(dir.staging)) e.message = e.message.replaceAll(dir.staging, dir.target);
  return e;
}

/** Simulation and the files that need its records: WAVs, packets.csv, call.pcap; returns the results. */
async function simulateToDir(scenario: Scenario, opts: WriteRunOptions, dir: ReportDir, writers: WavStreamWriter[], scoring: RunScoring | null): Promise<Results> {
  const multi = scenario.variants.length > 1;
  let refIndex = 0;
  // Kept so call.pcap can carry the real Opus payloads of the encoded call.
  const encodingCache = opts.encodingCache ?? new Map<string, EncodedStream>();
  const degraded = new Map<string, WavStreamWriter>();
  const references: WavStreamWriter[] = [];
  const committed = new Set<WavStreamWriter>();
  const commit = (w: WavStreamWriter): void => {
    if (committed.has(w)) return;
    w.commit();
    committed.add(w);
  };
  const run = await runScenario(scenario, {
    ...opts,
    encodingCache,
    audio: {
      degraded(variant, rate) {
        const w = new WavStreamWriter(dir.path(multi ? `variants/${variant}/degraded.wav` : 'degraded.wav'), rate);
        writers.push(w);
        degraded.set(variant, w);
        return w;
      },
      reference(_variant, rate) {
        const w = new WavStreamWriter(dir.path(refIndex === 0 ? 'reference.wav' : `reference-${refIndex}.wav`), rate);
        refIndex++;
        writers.push(w);
        references.push(w);
        return w;
      },
    },
    // Scored as soon as it has run: its degraded WAV and every reference decoded so far are complete.
    onVariant: scoring?.early
      ? (v, i) => {
          for (const w of [...references, degraded.get(v.name)]) if (w) commit(w);
          return scoring.variantDone(i, variantResultsJson(v, i, multi));
        }
      : undefined,
  });
  for (const w of writers) commit(w);
  const results = buildResults(run, { version: TOOL_VERSION, libopus: opusNative().versionString() });
  run.variants.forEach((v, i) => {
    const files = variantFiles(v, i, multi);
    const csv = new AtomicFileStream(dir.path(files.packets));
    csv.write(PACKETS_CSV_HEADER);
    let chunk = '';
    for (const r of v.run.packets) {
      chunk += packetCsvRow(r);
      if (chunk.length > 1 << 16) {
        csv.write(chunk);
        chunk = '';
      }
    }
    csv.write(chunk);
    csv.commit();
  });
  run.variants.forEach((v, i) => {
    const log = v.run.browserLog;
    if (!log) return;
    const base = multi ? `variants/${v.name}/` : '';
    writeFileSync(dir.path(`${base}release.csv`), releaseCsv(log));
    writeFileSync(dir.path(`${base}browser-stats.csv`), browserStatsCsv(log));
    results.variants[i].files.release = `${base}release.csv`;
    results.variants[i].files.browserStats = `${base}browser-stats.csv`;
  });
  if (opts.pcap ?? scenario.config.report.pcap) {
    run.variants.forEach((v, i) => {
      const file = multi ? `variants/${v.name}/call.pcap` : 'call.pcap';
      const pcap = buildCallPcap(run, i, encodingCache.get(run.encodings[v.encodingIndex]?.key ?? ''));
      writeFileSync(dir.path(file), pcap.bytes);
      results.variants[i].files.pcap = file;
      results.variants[i].pcap = { packets: pcap.packets, duplicates: pcap.duplicates, duplicatesOmitted: pcap.duplicatesOmitted, syntheticPayloads: pcap.syntheticPayloads };
    });
  }
  if (opts.enrich) await opts.enrich({ run, results, dir });
  return results;
}
