import type { CommandModule } from 'yargs';
import { JitterlabError } from '../core/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { preflight } from '../sim/preflight.ts';

export const validateCommand: CommandModule<object, { scenario: string[] }> = {
  command: 'validate <scenario..>',
  describe: 'Check scenario files without running them (schema, source WAV, referenced files, jitter-buffer modules)',
  builder: (y) => y.positional('scenario', { type: 'string', array: true, demandOption: true }) as never,
  handler: async (args) => {
    for (const f of args.scenario) {
      const sc = loadScenario(f);
      try {
        await preflight(sc);
      } catch (e) {
        // Name the scenario the referenced file came from.
        if (e instanceof JitterlabError && !e.message.startsWith(f)) throw new JitterlabError(e.kind, `${f}: ${e.message}`);
        throw e;
      }
      process.stdout.write(`${f}: ok (${sc.name}, ${sc.config.durationS} s, ${sc.variants.length} variant(s), ${sc.phases.length} phase(s))\n`);
    }
  },
};
