import type { CommandModule } from 'yargs';
import { calibrateCommand } from './calibrate-command.ts';
import { checkCommand } from './check-command.ts';
import { mergeCommand } from './merge-command.ts';
import { runCommand } from './run-command.ts';
import { scenariosCommand } from './scenarios-command.ts';
import { schemaCommand } from './schema-command.ts';
import { scoreCommand } from './score-command.ts';
import { serveCommand } from './serve-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { validateCommand } from './validate-command.ts';
import { workerCommand } from './worker-command.ts';

/** Every subcommand; each lives in its own file. */
export const commands: CommandModule[] = [
  runCommand,
  validateCommand,
  scenariosCommand,
  scoreCommand,
  sweepCommand,
  workerCommand,
  checkCommand,
  mergeCommand,
  calibrateCommand,
  serveCommand,
  schemaCommand,
] as CommandModule[];
