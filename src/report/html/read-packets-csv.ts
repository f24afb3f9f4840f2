/**
 * Reads packets.csv (the report's per-packet ground truth, see ../packets-csv.ts) back into
 * typed columns for the HTML report. Unknown columns are ignored; missing ones are an IoError.
 */
import { readFileSync } from 'node:fs';
import { IoError } from '../../core/errors.ts';

export interface PacketRow {
  kind: string;
  seq: number;
  frame: number;
  sizeBytes: number;
  sendMs: number;
  arrivalMs: number | null;
  fate: string;
  cause: string;
  playoutMs: number | null;
  duplicated: boolean;
  reordered: boolean;
}

const REQUIRED = ['kind', 'seq', 'frame', 'size_bytes', 'send_ms', 'arrival_ms', 'fate', 'cause', 'playout_ms', 'duplicated', 'reordered'] as const;

const numOrNull = (s: string | undefined): number | null => (s === undefined || s === '' ? null : Number(s));

export function parsePacketsCsv(text: string, file: string): PacketRow[] {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(',');
  const col: Record<string, number> = {};
  for (const name of REQUIRED) {
    const i = header.indexOf(name);
    if (i < 0) throw new IoError(file, `packets.csv has no '${name}' column`);
    col[name] = i;
  }
  const out: PacketRow[] = [];
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (!line) continue;
    const c = line.split(',');
    const sendMs = Number(c[col.send_ms]);
    if (!Number.isFinite(sendMs)) throw new IoError(file, `line ${li + 1}: bad send_ms '${c[col.send_ms] ?? ''}'`);
    out.push({
      kind: c[col.kind] ?? '',
      seq: Number(c[col.seq]),
      frame: Number(c[col.frame]),
      sizeBytes: Number(c[col.size_bytes]),
      sendMs,
      arrivalMs: numOrNull(c[col.arrival_ms]),
      fate: c[col.fate] ?? '',
      cause: c[col.cause] ?? '',
      playoutMs: numOrNull(c[col.playout_ms]),
      duplicated: c[col.duplicated] === '1',
      reordered: c[col.reordered] === '1',
    });
  }
  return out;
}

export function readPacketsCsv(file: string): PacketRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new IoError(file, `cannot read packets.csv (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parsePacketsCsv(text, file);
}
