import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { mergeSweeps } from '../sweep/merge.ts';

export const mergeCommand: CommandModule<object, { dirs: string[]; out: string }> = {
  command: 'merge <dirs..>',
  describe: 'Join sweep outputs (shards of one grid) into one report',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'sweep output directories (each with sweep.json)' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory of the merged report' }) as never,
  handler: (args) => {
    const out = resolve(args.out);
    const r = mergeSweeps(args.dirs.map((d) => resolve(d)), out);
    const shards = r.shards ? ` from shards ${r.shards.map((s) => `${s.k}/${s.n}`).join(', ')}` : '';
    process.stdout.write(`${r.pointsDone}/${r.pointsExpected} points${shards} (${r.status}). Report: ${out}/sweep.html\n`);
    if (r.status !== 'complete') process.exitCode = 1;
  },
};
