/**
 * `mkdir -p` that always ends. Node's `mkdirSync(p, { recursive: true })` loops for ever (at full
 * CPU) when mkdir answers ENOENT although the parent exists, as /proc and other pseudo file
 * systems do: `--out /proc/x` hung (issue 16). Here each missing directory, from the deepest
 * existing ancestor down, is created once, and the first refusal is thrown.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IoError } from './errors.ts';

/** An fs error with its code, e.g. ENOENT / EACCES / ENOTDIR / EROFS. */
function fsError(code: string, message: string, reason: string): NodeJS.ErrnoException & { reason: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code, reason });
}

/** Why makeDirs failed, in a few words that name no path it tried (a caller names its target). */
export function makeDirsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  return err.reason ?? err.code ?? String((e as Error).message);
}

/** Creates `dir` and its missing parents; throws an fs error (with `code`) when one cannot be made. */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file further up the path, which the walk reaches and names.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      missing.push(p);
      if (dirname(p) === p) break;
      continue;
    }
    if (!isDir) throw fsError('ENOTDIR', `${p} is not a directory`, `ENOTDIR (${p} is a file)`);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue; // made meanwhile by another process
      // ENOENT with the parent in place: a file system that takes no new directories (/proc, /sys).
      if (code === 'ENOENT') throw fsError('ENOENT', `cannot create ${d}: ${dirname(d)} takes no new directories`, `ENOENT (${dirname(d)} takes no new directories)`);
      throw e;
    }
  }
}

/** makeDirs for a directory the user named (--out): a one-line IoError naming it when it cannot be made. */
export function makeOutputDir(dir: string): void {
  try {
    makeDirs(dir);
  } catch (e) {
    throw new IoError(dir, `cannot create the output directory: ${makeDirsReason(e)}`);
  }
}
