import { closeSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IoError } from './errors.ts';
import { makeDirs } from './make-dirs.ts';

let tmpCounter = 0;

/** A temporary path in the same directory as `target`, so the final rename is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${tmpCounter++}.tmp`);
}

/**
 * Write a whole file atomically: temporary file in the target directory, then rename. A crash of
 * the process never leaves a half-written file under the target name. (No fsync: durability
 * across power loss is not the goal, and syncing every report costs more than the rest of a run.)
 */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(target);
  try {
    makeDirs(dirname(target));
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new IoError(target, `cannot write: ${(e as Error).message.replaceAll(tmp, target)}`);
  }
}

/**
 * A file written in chunks that appears under its final name only when `commit()` is called.
 * `abort()` removes the temporary file. Used for streaming WAVs and CSVs of long calls.
 */
export class AtomicFileStream {
  private fd: number;
  readonly tmp: string;
  private position = 0;
  private done = false;

  constructor(readonly target: string) {
    this.tmp = tempPathFor(target);
    try {
      makeDirs(dirname(target));
      this.fd = openSync(this.tmp, 'w');
    } catch (e) {
      throw new IoError(target, `cannot write: ${(e as Error).message.replaceAll(this.tmp, target)}`);
    }
  }

  get bytesWritten(): number {
    return this.position;
  }

  write(data: Uint8Array | string): void {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeSync(this.fd, buf, 0, buf.length, this.position);
    this.position += buf.length;
  }

  /** Move on `bytes` without writing them: the gap reads back as zeros (a hole in a sparse file). */
  skip(bytes: number): void {
    this.position += bytes;
  }

  /** Overwrite bytes at an absolute offset (e.g. a WAV header patched at the end). */
  writeAt(offset: number, data: Uint8Array): void {
    writeSync(this.fd, data, 0, data.length, offset);
  }

  commit(): void {
    if (this.done) return;
    this.done = true;
    try {
      // A skip() at the end has written nothing: the file must still reach the position.
      ftruncateSync(this.fd, this.position);
      closeSync(this.fd);
      renameSync(this.tmp, this.target);
    } catch (e) {
      rmSync(this.tmp, { force: true });
      throw new IoError(this.target, `cannot write: ${(e as Error).message.replaceAll(this.tmp, this.target)}`);
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    rmSync(this.tmp, { force: true });
  }
}
