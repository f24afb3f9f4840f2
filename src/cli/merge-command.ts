import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { PROJECT_ROOT } from '../scenario/load.ts';
import { mergeSweeps } from '../sweep/merge.ts';
import { readSweepJson } from '../sweep/sweep-report.ts';

export const mergeCommand: CommandModule<object, { dirs: string[]; out?: string }> = {
  command: 'merge <dirs..>',
  describe: 'Join sweep outputs (shards of one grid) into one report',
  builder: (y) =>
    y
      // default: undefined keeps yargs from showing "[default: []]" beside "[required]".
      .positional('dirs', { type: 'string', array: true, demandOption: true, default: undefined, describe: 'sweep output directories (each with sweep.json)' })
      .option('out', { type: 'string', describe: 'directory of the merged report (default reports/<name>-sweep-merged)' }) as never,
  handler: (args) => {
    const dirs = args.dirs.map((d) => resolve(d));
    // Beside the sweep's own default (reports/<name>-sweep), which may hold one of the shards.
    const out = resolve(args.out ?? resolve(PROJECT_ROOT, 'reports', `${readSweepJson(dirs[0]).plan.scenarioName}-sweep-merged`));
    const r = mergeSweeps(dirs, out);
    const shards = r.shards ? ` from shards ${r.shards.map((s) => `${s.k}/${s.n}`).join(', ')}` : '';
    process.stdout.write(`${r.pointsDone}/${r.pointsExpected} points${shards} (${r.status}). Report: ${out}/sweep.html\n`);
    if (r.status !== 'complete') process.exitCode = 1;
  },
};
