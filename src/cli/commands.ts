import type { CommandModule } from 'yargs';
import { runCommand } from './run-command.ts';
import { schemaCommand } from './schema-command.ts';
import { validateCommand } from './validate-command.ts';

/** Every subcommand; each lives in its own file. */
export const commands: CommandModule[] = [runCommand, validateCommand, schemaCommand] as CommandModule[];
