import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IoError } from '../../src/core/errors.ts';
import { CsvTraceError, parseCsvTrace, readCsvTraceFile } from '../../src/pcap/index.ts';

function csvError(text: string, file?: string): CsvTraceError {
  try {
    parseCsvTrace(text, file);
  } catch (e) {
    if (e instanceof CsvTraceError) return e;
    throw e;
  }
  throw new Error('expected CsvTraceError');
}

describe('CSV trace', () => {
  it('parses headerless rows; empty recv_ms is a loss; size optional', () => {
    expect(parseCsvTrace('0,0,50.5,160\n1,20,,160\n2,40,91\n')).toEqual([
      { seq: 0, sendMs: 0, recvMs: 50.5, sizeBytes: 160 },
      { seq: 1, sendMs: 20, recvMs: null, sizeBytes: 160 },
      { seq: 2, sendMs: 40, recvMs: 91, sizeBytes: null },
    ]);
  });

  it('uses a header row to find columns by name, ignoring unknown ones; CRLF, BOM, blanks, comments', () => {
    const text = '\uFEFF# exported trace\r\nsize_bytes,recv_ms,send_ms,seq,note\r\n\r\n120,"15.25",1e1,7,x\r\n80,,20,8,\r\n';
    expect(parseCsvTrace(text)).toEqual([
      { seq: 7, sendMs: 10, recvMs: 15.25, sizeBytes: 120 },
      { seq: 8, sendMs: 20, recvMs: null, sizeBytes: 80 },
    ]);
  });

  it('errors name the file and the 1-based line', () => {
    expect(csvError('seq,send_ms,recv_ms\n0,0,1\n1,abc,2\n', 't.csv').message).toBe('t.csv:3: "send_ms" must be a number, got "abc"');
    expect(csvError('0,0,1\n\n1,2\n', 't.csv').message).toBe('t.csv:3: expected 3 or 4 fields (seq,send_ms,recv_ms[,size]), got 2');
    expect(csvError('0,0,1\n-1,0,1\n', 't.csv').message).toBe('t.csv:2: "seq" must be a non-negative integer, got "-1"');
    expect(csvError('0,0,1,1.5\n', 't.csv').message).toBe('t.csv:1: "size" must be a non-negative integer, got "1.5"');
    expect(csvError('seq,send,recv_ms\n', 't.csv').message).toBe('t.csv:1: header has no "send_ms" column (expected seq,send_ms,recv_ms[,size])');
    expect(csvError('seq,send_ms,recv_ms\n1,2\n').message).toBe('<csv>:2: missing "recv_ms" field (line has 2 fields)');
    const e = csvError('0,0,NaN\n', 'n.csv');
    expect([e.line, e.file, e.kind]).toEqual([1, 'n.csv', 'pcap']);
  });

  it('reads from disk with IoError for a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jl-csv-'));
    try {
      const path = join(dir, 'trace.csv');
      writeFileSync(path, 'seq,send_ms,recv_ms,size\n0,0,30,100\n');
      expect(readCsvTraceFile(path)).toEqual([{ seq: 0, sendMs: 0, recvMs: 30, sizeBytes: 100 }]);
      expect(() => readCsvTraceFile(join(dir, 'missing.csv'))).toThrow(IoError);
      writeFileSync(path, 'x\n');
      expect(() => readCsvTraceFile(path)).toThrow(`${path}:1: header has no "seq" column`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
