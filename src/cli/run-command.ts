import { dirname, join, resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { JitterlabError, ScenarioError, UsageError, WavError } from '../core/errors.ts';
import { loadScenario, PROJECT_ROOT } from '../scenario/load.ts';
import { comparisonTable, summaryTable } from '../report/terminal-table.ts';
import { writeReportIndex } from '../report/report-index.ts';
import { runToReport } from '../report/write-run.ts';
import { browserProgress } from './browser-progress.ts';

interface RunArgs {
  scenario: string;
  seed?: number;
  out?: string;
  json?: boolean;
  pcap?: boolean;
  html?: boolean;
  jobs?: number;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <scenario>',
  describe: 'Run a scenario file to its report (reports/<name>/: index.html, results.json, packets.csv, WAVs)',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (.yaml, .yml or .json)' })
      .option('seed', { type: 'number', describe: 'override the scenario seed' })
      .option('out', { type: 'string', describe: 'output directory (default reports/<scenario name>)' })
      .option('json', { type: 'boolean', default: false, describe: 'print results.json to stdout instead of the summary' })
      .option('pcap', { type: 'boolean', describe: 'also write call.pcap (received RTP at arrival times + SIP/SDP) for Wireshark (default: scenario report.pcap)' })
      .option('html', { type: 'boolean', describe: 'write index.html (default: scenario report.html); --no-html skips it' })
      .option('jobs', { type: 'number', describe: 'worker threads scoring the variants (default: all cores; 0 = in this thread)' })
      .check((a) => {
        if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 0xffffffff)) throw new UsageError(`--seed must be an integer in 0..4294967295, got ${a.seed}`);
        if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 0)) throw new UsageError(`--jobs must be an integer >= 0, got ${a.jobs}`);
        return true;
      }) as never,
  handler: async (args) => {
    const sc = loadScenario(args.scenario);
    const outDir = resolve(args.out ?? resolve(PROJECT_ROOT, 'reports', sc.name));
    const t0 = performance.now();
    const progress = browserProgress();
    const { results } = await runToReport(sc, { outDir, seed: args.seed, pcap: args.pcap, html: args.html, jobs: args.jobs, browserProgress: progress.update })
      .catch((e: unknown) => {
        // Checks made while building the run (jitterBuffer.module, channel models) know the key but not the file.
        if (e instanceof JitterlabError && e.kind === 'scenario' && !(e instanceof ScenarioError)) throw new ScenarioError(args.scenario, '', null, e.message);
        // The source's header was checked at load; a WAV whose samples cannot be read fails here.
        if (e instanceof WavError && e.file === sc.sourceFile) throw new JitterlabError('wav', `${args.scenario}: source.file: ${e.message}`);
        throw e;
      })
      .finally(progress.stop);
    const wroteHtml = args.html ?? sc.config.report.html;
    const indexFile = writeReportIndex(dirname(outDir));
    if (args.json) {
      process.stdout.write(`${JSON.stringify(results, null, 1)}\n`);
      return;
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(`${sc.name}: ${sc.config.durationS} s call, seed ${results.seed}, ${results.variants.length} variant(s), ran in ${secs} s\n\n`);
    process.stdout.write(`${summaryTable(results)}\n`);
    const cmp = comparisonTable(results);
    if (cmp) process.stdout.write(`\nRanked by effective loss, then p95 playout delay:\n${cmp}\n`);
    const pcap = results.variants.map((v) => v.files.pcap).filter((f): f is string => typeof f === 'string');
    if (pcap.length) process.stdout.write(`\nCapture: ${pcap.map((f) => join(outDir, f)).join(', ')}\n`);
    if (indexFile !== null) process.stdout.write(`\nAll runs: ${indexFile}\n`);
    // Last line: the report to open.
    process.stdout.write(`Report: ${wroteHtml ? join(outDir, 'index.html') : `${outDir}/`}\n`);
  },
};
