import type { CommandModule } from 'yargs';
import { JitterlabError } from '../core/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { preflight } from '../sim/preflight.ts';

/** One file: its summary line, or its error as one line naming the file. */
async function validateOne(f: string): Promise<string> {
  const sc = loadScenario(f);
  try {
    await preflight(sc);
  } catch (e) {
    // Name the scenario the referenced file came from.
    if (e instanceof JitterlabError && !e.message.startsWith(f)) throw new JitterlabError(e.kind, `${f}: ${e.message}`);
    throw e;
  }
  return `${f}: ok (${sc.name}, ${sc.config.durationS} s, ${sc.variants.length} variant(s), ${sc.phases.length} phase(s))`;
}

export const validateCommand: CommandModule<object, { scenario: string[] }> = {
  command: 'validate <scenario..>',
  describe: 'Check scenario files without running them (schema, source WAV, referenced files, jitter-buffer modules); every file is checked, exit 2 if any has a problem',
  // default: undefined keeps yargs from showing "[default: []]" beside "[required]".
  builder: (y) => y.positional('scenario', { type: 'string', array: true, demandOption: true, default: undefined, describe: 'scenario files (.yaml, .yml or .json)' }) as never,
  handler: async (args) => {
    let failed = 0;
    for (const f of args.scenario) {
      try {
        process.stdout.write(`${await validateOne(f)}\n`);
      } catch (e) {
        if (!(e instanceof JitterlabError)) throw e;
        failed++;
        process.stderr.write(`jitterlab: ${e.message}\n`);
      }
    }
    if (failed > 0) {
      if (args.scenario.length > 1) process.stderr.write(`jitterlab: ${failed} of ${args.scenario.length} files have problems\n`);
      // Whatever validate finds (schema, a missing or unreadable referenced file) is a scenario problem.
      process.exitCode = 2;
    }
  },
};
