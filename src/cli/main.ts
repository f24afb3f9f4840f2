/**
 * The `jitterlab` command line. Usage errors exit with code 2, failures with 1, each with one
 * line that says what and where.
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { JitterlabError } from '../core/errors.ts';
import { commands } from './commands.ts';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const parser: Argv = yargs(argv)
    .scriptName('jitterlab')
    .usage('$0 <command> [options]\n\nVoIP network-simulation and QoS testbench: real Opus and RTP through a simulated lossy, jittery network.')
    .strict()
    .demandCommand(1, 'a command is required (see --help)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new JitterlabError('usage', msg);
    });
  for (const c of commands) parser.command(c as never);
  try {
    await parser.parseAsync();
    exitCode = Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof JitterlabError) {
      process.stderr.write(`jitterlab: ${e.message}\n`);
      if (e.kind === 'usage') process.stderr.write('Run jitterlab --help for usage.\n');
      return e.exitCode;
    }
    process.stderr.write(`jitterlab: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
  return exitCode;
}

/** The command of this process's own arguments; sets the exit code. */
export async function runCli(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv));
}

// `tsx src/cli/main.ts ...` runs directly; the `jitterlab` launcher (jitterlab.js) calls runCli.
if (process.argv[1] && /main\.ts$/.test(process.argv[1])) void runCli();
