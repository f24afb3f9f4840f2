import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { CommandModule } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { writeReportIndex } from '../report/report-index.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';
import { comboCount, parseShard } from '../sweep/grid.ts';
import { planSweep } from '../sweep/plan.ts';
import { checkRedisUrl, redactRedisUrl } from '../core/redis-url.ts';
import { runSweep } from '../sweep/run-sweep.ts';
import { sweepTable } from '../sweep/sweep-table.ts';

interface SweepArgs {
  scenario: string;
  vary?: string[];
  seeds?: number;
  out?: string;
  jobs?: number;
  measure?: string;
  shard?: string;
  resume: boolean;
  queue?: string;
}

/** Tables longer than this are left to sweep.csv / sweep.html. */
const MAX_PRINTED_ROWS = 60;

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'Run a scenario over a grid of settings x seeds on all cores; write sweep.json, sweep.csv and heatmaps (sweep.html)',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file; its sweep: block is the default grid' })
      .option('vary', { type: 'string', array: true, describe: 'key.path=v1,v2,... or key.path=start:stop:step (repeatable; replaces sweep.vary)' })
      .option('seeds', { type: 'number', describe: 'seeds per point (default sweep.seeds or 1)' })
      .option('out', { type: 'string', describe: 'output directory (default reports/<name>-sweep)' })
      .option('jobs', { type: 'number', describe: 'worker threads (default: all cores; 0 = in this thread)' })
      .option('measure', { type: 'string', describe: 'measure of the heatmaps and table (default sweep.measure or mosEmodel); visqol / vnsim are opt-in: each point\'s audio is scored' })
      .option('shard', { type: 'string', describe: 'run only shard k/n of the grid (join with jitterlab merge)' })
      .option('resume', { type: 'boolean', default: false, describe: 'continue an interrupted sweep in --out' })
      .option('queue', { type: 'string', describe: 'redis://host:port[/db]: put the points on a Redis queue for jitterlab worker processes instead of running them here' })
      .check((a) => {
        if (a.queue !== undefined && a.jobs !== undefined) throw new UsageError('--jobs and --queue do not go together: with --queue, jitterlab worker processes run the points (give them --jobs)');
        if (a.queue !== undefined) checkRedisUrl(a.queue, '--queue');
        if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 0)) throw new UsageError(`--jobs must be an integer >= 0, got ${a.jobs}`);
        return true;
      }) as never,
  handler: async (args) => {
    const plan = planSweep(args.scenario, { vary: args.vary, seeds: args.seeds, measure: args.measure });
    const shard = args.shard !== undefined ? parseShard(args.shard) : null;
    const outDir = resolve(args.out ?? resolve(PROJECT_ROOT, 'reports', `${plan.scenarioName}-sweep`));
    const jobs = args.jobs ?? availableParallelism();
    const ctrl = new AbortController();
    const onSigint = (): void => {
      if (ctrl.signal.aborted) process.exit(130);
      process.stderr.write('\njitterlab: stopping; finished points are kept (Ctrl-C again to quit at once)\n');
      ctrl.abort();
    };
    process.on('SIGINT', onSigint);
    const tty = process.stderr.isTTY === true;
    const bar = tty ? new cliProgress.SingleBar({ format: 'sweep [{bar}] {value}/{total} points | {percentage}% | eta {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
    const combos = comboCount(plan.axes);
    process.stderr.write(
      `${plan.scenarioName}: ${plan.axes.map((a) => `${a.key} (${a.values.length})`).join(' x ')} x ${plan.seeds.length} seed(s) = ${plan.points.length} points${shard ? `, shard ${shard.k}/${shard.n}` : ''}, ${args.queue !== undefined ? `on the queue at ${redactRedisUrl(args.queue)}` : `${jobs} job(s)`}\n`,
    );
    let started = false;
    try {
      const onProgress = (done: number, todo: number): void => {
        if (!bar) return;
        if (!started) {
          bar.start(todo, done);
          started = true;
        } else bar.update(done);
      };
      const common = { outDir, shard, resume: args.resume, signal: ctrl.signal, onProgress };
      // BullMQ (a quarter of a second to load) only for a queued sweep.
      const out =
        args.queue !== undefined
          ? await (await import('../sweep/queued-sweep.ts')).runQueuedSweep(plan, { ...common, queue: args.queue, warn: (l) => process.stderr.write(`${bar ? '\n' : ''}${l}\n`) })
          : await runSweep(plan, { ...common, jobs });
      bar?.stop();
      const r = out.report;
      if (combos <= MAX_PRINTED_ROWS) process.stdout.write(`${sweepTable(r)}\n\n`);
      writeReportIndex(dirname(outDir));
      const resumed = out.resumed ? ` (${out.resumed} resumed)` : '';
      process.stdout.write(`${r.pointsDone}/${r.pointsExpected} points done${resumed}${r.pointsFailed ? `, ${r.pointsFailed} failed` : ''}. Report: ${outDir}/sweep.html\n`);
      if (out.interrupted) {
        process.stderr.write(`jitterlab: interrupted; continue with: jitterlab sweep ${args.scenario} --resume --out ${outDir} (same options)\n`);
        process.exitCode = 130;
      } else if (r.pointsFailed > 0) {
        const first = r.points.find((p) => p.error !== null);
        process.stderr.write(`jitterlab: ${r.pointsFailed} point(s) failed; first: point ${first?.index}: ${first?.error}\n`);
        process.exitCode = 1;
      }
    } finally {
      bar?.stop();
      process.off('SIGINT', onSigint);
    }
  },
};
