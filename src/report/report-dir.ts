/**
 * A report directory written as a whole: files go to a staging directory beside the target,
 * which replaces the target only when everything was written. A crash or an error leaves the
 * previous report (or nothing), never half of one.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IoError } from '../core/errors.ts';

export class ReportDir {
  readonly staging: string;
  private done = false;

  constructor(readonly target: string) {
    this.staging = join(dirname(target), `.${basename(target)}.staging-${process.pid}-${Date.now().toString(36)}`);
    try {
      mkdirSync(this.staging, { recursive: true });
    } catch (e) {
      throw new IoError(target, `cannot create the output directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  path(rel: string): string {
    const p = join(this.staging, rel);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    const old = `${this.staging}.old`;
    try {
      if (existsSync(this.target)) renameSync(this.target, old);
      renameSync(this.staging, this.target);
      rmSync(old, { recursive: true, force: true });
    } catch (e) {
      throw new IoError(this.target, `cannot replace the report directory: ${(e as Error).message}`);
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.staging, { recursive: true, force: true });
  }
}
