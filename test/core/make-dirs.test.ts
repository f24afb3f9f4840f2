import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs, makeDirsReason, makeOutputDir } from '../../src/core/make-dirs.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitterlab-make-dirs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeDirs (mkdir -p that always ends)', () => {
  it('creates the missing parents, and accepts a directory that exists', () => {
    const deep = join(dir, 'a', 'b', 'c');
    makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    makeDirs(deep);
    makeDirs(dir);
  });
  it('refuses a path through a file with ENOTDIR, naming the file', () => {
    const f = join(dir, 'file');
    writeFileSync(f, 'x');
    let err: unknown = null;
    try {
      makeDirs(join(f, 'sub', 'dir'));
    } catch (e) {
      err = e;
    }
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTDIR');
    expect(makeDirsReason(err)).toBe(`ENOTDIR (${f} is a file)`);
    expect(() => makeOutputDir(join(f, 'out'))).toThrow(new RegExp(`out: cannot create the output directory: ENOTDIR`));
  });
});
