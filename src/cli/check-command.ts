import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { checkJunit, checkMarkdown, checkTable } from '../check/check-report.ts';
import { runCheck } from '../check/run-check.ts';

interface CheckArgs {
  targets?: string[];
  update: boolean;
  junit?: string;
  markdown?: string;
  baselines?: string;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check [targets..]',
  describe: 'Regression gates: run CI scenarios (default scenarios/ci/) and compare with baselines/; exit 1 on a regression',
  builder: (y) =>
    y
      .positional('targets', { type: 'string', array: true, describe: 'scenario files or directories' })
      .option('update', { type: 'boolean', default: false, describe: 'rewrite the baselines from this run' })
      .option('junit', { type: 'string', describe: 'write JUnit XML here' })
      .option('markdown', { type: 'string', describe: 'write a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)' })
      .option('baselines', { type: 'string', describe: 'baseline directory (default baselines/)' }) as never,
  handler: async (args) => {
    const o = await runCheck(args.targets ?? [], { update: args.update, baselineDir: args.baselines ? resolve(args.baselines) : undefined });
    process.stdout.write(`${checkTable(o)}\n\n`);
    for (const s of o.scenarios) if (s.baselineWritten) process.stdout.write(`baseline written: ${s.baselineWritten}\n`);
    for (const s of o.scenarios) {
      if (s.baselineStale) process.stdout.write(`note: the ${s.scenario} baseline is out of date (this run's measures differ within the gates); \`jitterlab check --update\` rewrites it\n`);
    }
    if (args.junit) writeFileAtomic(resolve(args.junit), checkJunit(o));
    if (args.markdown) writeFileAtomic(resolve(args.markdown), checkMarkdown(o));
    const n = o.passed + o.failed;
    process.stdout.write(o.failed === 0 ? `check: ${n} gates passed (${o.scenarios.length} scenarios)\n` : `check: ${o.failed} of ${n} gates FAILED\n`);
    if (o.failed > 0) process.exitCode = 1;
  },
};
