import type { CommandModule } from 'yargs';
import { existsSync } from 'node:fs';
import { WavError } from '../core/errors.ts';
import { loadScenario } from '../scenario/load.ts';

export const validateCommand: CommandModule<object, { scenario: string[] }> = {
  command: 'validate <scenario..>',
  describe: 'Check scenario files without running them',
  builder: (y) => y.positional('scenario', { type: 'string', array: true, demandOption: true }) as never,
  handler: (args) => {
    for (const f of args.scenario) {
      const sc = loadScenario(f);
      if (!existsSync(sc.sourceFile)) throw new WavError(sc.sourceFile, `file not found (source.file of ${f})`);
      process.stdout.write(`${f}: ok (${sc.name}, ${sc.config.durationS} s, ${sc.variants.length} variant(s), ${sc.phases.length} phase(s))\n`);
    }
  },
};
