/**
 * A report directory written as a whole: files go to a staging directory beside the target,
 * which replaces the target only when everything was written. A crash or an error leaves the
 * previous report (or nothing), never half of one.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IoError } from '../core/errors.ts';
import { makeDirs, makeDirsReason } from '../core/make-dirs.ts';

/**
 * commit() replaces the target as a whole, so the target must be absent, empty, or an earlier
 * report (it has results.json): `--out notes.txt` or `--out ~/thesis` must fail, not delete them.
 */
function refuseForeignTarget(target: string): void {
  let st;
  try {
    st = statSync(target);
  } catch {
    return; // absent (or unreadable: mkdir / rename will say so)
  }
  if (!st.isDirectory()) throw new IoError(target, 'exists and is not a directory; not replacing it with a report');
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (e) {
    throw new IoError(target, `cannot read the output directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (entries.length > 0 && !entries.includes('results.json')) {
    throw new IoError(target, 'exists and is not a jitterlab report (no results.json); not replacing it: choose another --out');
  }
}

/** Is process `pid` alive? (signal 0 only checks; EPERM means it exists under another user.) */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The run is synchronous, so Ctrl-C / SIGTERM / SIGKILL end the process without any cleanup and
 * leave `.<name>.staging-<pid>-*` beside the target. The next run of the same target removes the
 * staging directories of processes that are gone (never a live one: two runs may share a target).
 */
function removeStaleStaging(target: string): void {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.staging-`;
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-z]+(\.old)?$/.exec(n.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    rmSync(join(parent, n), { recursive: true, force: true });
  }
}

export class ReportDir {
  readonly staging: string;
  private done = false;

  constructor(readonly target: string) {
    refuseForeignTarget(target);
    removeStaleStaging(target);
    this.staging = join(dirname(target), `.${basename(target)}.staging-${process.pid}-${Date.now().toString(36)}`);
    try {
      makeDirs(this.staging);
    } catch (e) {
      throw new IoError(target, `cannot create the output directory: ${makeDirsReason(e)}`);
    }
  }

  path(rel: string): string {
    const p = join(this.staging, rel);
    makeDirs(dirname(p));
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
