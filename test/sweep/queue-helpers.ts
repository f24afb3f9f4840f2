import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';

export const JITTERLAB = join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js');

/** A `jitterlab worker` process on `url`; `ready` resolves once it waits for sweeps, `log` holds its stderr. */
export class WorkerProcess {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  log = '';

  constructor(url: string, o: { jobs?: number; stallTimeoutS?: number } = {}) {
    this.proc = spawn(process.execPath, [JITTERLAB, 'worker', '--queue', url, '--jobs', String(o.jobs ?? 1), '--stall-timeout', String(o.stallTimeoutS ?? 2)], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.ready = new Promise((resolve, reject) => {
      this.proc.stderr!.on('data', (d: Buffer) => {
        this.log += d.toString();
        if (this.log.includes('waiting for sweeps')) resolve();
      });
      this.proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${this.log}`)));
    });
  }

  /** Ends the process (this one only, by its pid) and waits for it. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.kill(signal);
    await exited;
  }
}
