import { availableParallelism } from 'node:os';
import type { CommandModule } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { checkRedisUrl } from '../core/redis-url.ts';

interface WorkerArgs {
  queue: string;
  jobs?: number;
  stallTimeout: number;
}

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Run the points of queued sweeps (jitterlab sweep --queue) on this machine\'s cores until stopped (Ctrl-C / SIGTERM)',
  builder: (y) =>
    y
      .option('queue', { type: 'string', demandOption: true, describe: 'redis://host:port[/db] of the sweep queue' })
      .option('jobs', { type: 'number', describe: 'worker threads (default: all cores)' })
      .option('stall-timeout', { type: 'number', default: 30, describe: 'seconds after which the points of a worker that died return to the queue (all workers should use the same)' })
      .check((a) => {
        if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 1)) throw new UsageError(`--jobs must be an integer >= 1, got ${a.jobs}`);
        const t = a.stallTimeout as number;
        if (!(t >= 1 && t <= 3600)) throw new UsageError(`--stall-timeout must be 1..3600 seconds, got ${t}`);
        checkRedisUrl(a.queue, '--queue');
        return true;
      }) as never,
  handler: async (args) => {
    const ctrl = new AbortController();
    const stop = (): void => {
      if (ctrl.signal.aborted) process.exit(130);
      process.stderr.write('jitterlab worker: stopping after the points it holds (again to quit at once)\n');
      ctrl.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Loaded here, not with every command: BullMQ takes a quarter of a second to load.
    const { serveQueue } = await import('../sweep/queue-worker.ts');
    try {
      await serveQueue({
        url: args.queue,
        jobs: args.jobs ?? availableParallelism(),
        stallTimeoutMs: Math.round(args.stallTimeout * 1000),
        signal: ctrl.signal,
        log: (line) => process.stderr.write(`${line}\n`),
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
