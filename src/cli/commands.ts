import type { CommandModule } from 'yargs';
import { runCommand } from './run-command.ts';
import { schemaCommand } from './schema-command.ts';
import { scoreCommand } from './score-command.ts';
import { validateCommand } from './validate-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { checkCommand } from './check-command.ts';
import { mergeCommand } from './merge-command.ts';
import { scenariosCommand } from './scenarios-command.ts';

/** Every subcommand; each lives in its own file. */
export const commands: CommandModule[] = [runCommand, validateCommand, schemaCommand, scoreCommand, sweepCommand, checkCommand, mergeCommand, scenariosCommand] as CommandModule[];
import { serveCommand } from './serve-command.ts'; commands.push(serveCommand as CommandModule); // live server (src/live)
