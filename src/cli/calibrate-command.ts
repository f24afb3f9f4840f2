import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { UsageError } from '../core/errors.ts';
import { CALIBRATION_COLUMNS, calibrationMarkdown, calibrationRows, calibrationSummary } from '../calibration/calibration-table.ts';
import { LADDER } from '../calibration/ladder.ts';
import { runCalibration } from '../calibration/run-calibration.ts';
import { table } from '../report/terminal-table.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';
import { browserProgress } from './browser-progress.ts';

interface CalibrateArgs {
  out?: string;
  duration: number;
  seed: number;
  repeat: number;
  conditions?: string[];
  reuse?: string;
  check: boolean;
}

export const calibrateCommand: CommandModule<object, CalibrateArgs> = {
  command: 'calibrate',
  describe: 'Our neteq against a real browser (Chromium) on a ladder of network conditions, each on the same realization; prints and writes the table',
  builder: (y) =>
    y
      .option('out', { type: 'string', describe: 'output directory (default reports/calibration)' })
      .option('duration', { type: 'number', default: 30, describe: 'seconds per condition (each runs in real time)' })
      .option('seed', { type: 'number', default: 1, describe: 'network realization' })
      .option('repeat', { type: 'number', default: 1, describe: 'browser runs per condition (fresh connection each; figures are their mean)' })
      .option('conditions', { type: 'string', array: true, describe: `subset of: ${LADDER.map((c) => c.id).join(', ')}` })
      .option('reuse', { type: 'string', describe: 'a previous calibration folder: reuse its browser figures, re-run only our neteq (same --duration and --seed)' })
      .option('check', { type: 'boolean', default: false, describe: 'exit 1 unless every condition agrees' })
      .check((a) => {
        if (!(a.duration >= 3 && a.duration <= 600)) throw new UsageError(`--duration must be within 3..600 s, got ${a.duration}`);
        if (!(Number.isInteger(a.repeat) && a.repeat >= 1 && a.repeat <= 20)) throw new UsageError(`--repeat must be an integer within 1..20, got ${a.repeat}`);
        if (!(Number.isInteger(a.seed) && a.seed >= 0)) throw new UsageError(`--seed must be a non-negative integer, got ${a.seed}`);
        return true;
      }) as never,
  handler: async (args) => {
    const outDir = resolve(args.out ?? resolve(PROJECT_ROOT, 'reports', 'calibration'));
    const progress = browserProgress();
    const conditions = args.conditions?.flatMap((c) => c.split(',')).filter(Boolean);
    const cal = await runCalibration({
      outDir,
      durationS: args.duration,
      seed: args.seed,
      repeat: args.repeat,
      conditions,
      reuseDir: args.reuse ? resolve(args.reuse) : undefined,
      progress: (t) => process.stderr.write(`${t}\n`),
      browserProgress: progress.update,
    }).finally(progress.stop);
    writeFileAtomic(resolve(outDir, 'calibration.json'), `${JSON.stringify(cal, null, 1)}\n`);
    writeFileAtomic(resolve(outDir, 'calibration.md'), `${calibrationMarkdown(cal)}\n\n${calibrationSummary(cal)}\n`);
    process.stdout.write(`${table(CALIBRATION_COLUMNS, calibrationRows(cal))}\n\n${calibrationSummary(cal)}\nWritten: ${resolve(outDir, 'calibration.json')}, calibration.md\n`);
    if (args.check && cal.rows.some((r) => !(r.agree.target && r.agree.concealed))) process.exitCode = 1;
  },
};
