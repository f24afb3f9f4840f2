import type { CommandModule } from 'yargs';
import { scenarioJsonSchema } from '../scenario/json-schema.ts';

export const schemaCommand: CommandModule<object, object> = {
  command: 'schema',
  describe: 'Print the JSON Schema of scenario files (for editors; committed as scenarios/scenario.schema.json)',
  handler: () => {
    process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  },
};
