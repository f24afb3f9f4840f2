import { readFileSync } from 'node:fs';
import { IoError } from '../core/errors.ts';
import { CsvTraceError } from './errors.ts';

/**
 * Per-packet trace CSV: `seq,send_ms,recv_ms[,size]`, one packet a line. An empty recv_ms marks a
 * lost packet. A header row is optional; with one, columns are found by name (in any order,
 * unknown columns ignored; `size_bytes` is accepted for `size`). Blank lines and lines starting
 * with `#` are skipped; fields may be wrapped in double quotes.
 */
export interface TraceRow {
  readonly seq: number;
  readonly sendMs: number;
  /** null = lost. */
  readonly recvMs: number | null;
  /** null when the column is absent or empty. */
  readonly sizeBytes: number | null;
}

interface Columns {
  seq: number;
  send: number;
  recv: number;
  size: number | null;
}

const POSITIONAL: Columns = { seq: 0, send: 1, recv: 2, size: 3 };

function splitFields(line: string): string[] {
  return line.split(',').map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function headerColumns(fields: string[], file: string | undefined, line: number): Columns {
  const names = fields.map((f) => f.toLowerCase());
  const find = (...aliases: string[]): number => names.findIndex((n) => aliases.includes(n));
  const cols = { seq: find('seq'), send: find('send_ms'), recv: find('recv_ms'), size: find('size', 'size_bytes') };
  for (const [key, name] of [
    ['seq', 'seq'],
    ['send', 'send_ms'],
    ['recv', 'recv_ms'],
  ] as const) {
    if (cols[key] < 0) throw new CsvTraceError(file, line, `header has no "${name}" column (expected seq,send_ms,recv_ms[,size])`);
  }
  return { ...cols, size: cols.size < 0 ? null : cols.size };
}

export function parseCsvTrace(text: string, file?: string): TraceRow[] {
  const rows: TraceRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let cols: Columns | null = null;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = splitFields(raw);
    if (cols === null) {
      if (!NUMBER_RE.test(fields[0]!)) {
        cols = headerColumns(fields, file, lineNo);
        continue;
      }
      cols = POSITIONAL;
    }
    const fail = (detail: string): never => {
      throw new CsvTraceError(file, lineNo, detail);
    };
    if (cols === POSITIONAL && (fields.length < 3 || fields.length > 4)) {
      fail(`expected 3 or 4 fields (seq,send_ms,recv_ms[,size]), got ${fields.length}`);
    }
    const field = (idx: number, name: string): string => {
      if (idx >= fields.length) fail(`missing "${name}" field (line has ${fields.length} fields)`);
      return fields[idx]!;
    };
    const num = (s: string, name: string): number => {
      if (!NUMBER_RE.test(s)) fail(`"${name}" must be a number, got "${s}"`);
      const n = Number(s);
      if (!Number.isFinite(n)) fail(`"${name}" must be finite, got "${s}"`);
      return n;
    };
    const count = (s: string, name: string): number => {
      const n = num(s, name);
      if (!Number.isSafeInteger(n) || n < 0) fail(`"${name}" must be a non-negative integer, got "${s}"`);
      return n;
    };
    const seq = count(field(cols.seq, 'seq'), 'seq');
    const sendMs = num(field(cols.send, 'send_ms'), 'send_ms');
    const recvText = field(cols.recv, 'recv_ms');
    const recvMs = recvText === '' ? null : num(recvText, 'recv_ms');
    const sizeText = cols.size !== null && cols.size < fields.length ? fields[cols.size]! : '';
    const sizeBytes = sizeText === '' ? null : count(sizeText, 'size');
    rows.push({ seq, sendMs, recvMs, sizeBytes });
  }
  return rows;
}

/** Read and parse a trace CSV from disk (I/O failures become IoError). */
export function readCsvTraceFile(path: string): TraceRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new IoError(path, `cannot read: ${(e as Error).message}`);
  }
  return parseCsvTrace(text, path);
}
