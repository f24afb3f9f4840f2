/**
 * Reads packets.csv (the report's per-packet ground truth, see ../packets-csv.ts) back into
 * typed columns for the HTML report. Unknown columns are ignored; missing ones are an IoError.
 */
import { readFileSync } from 'node:fs';
import { IoError } from '../../core/errors.ts';
import { Series } from '../../core/series.ts';

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

const numOrNull = (s: string): number | null => (s === '' ? null : Number(s));

/**
 * One pass over the text, without splitting it into line and field arrays: a one-hour call is
 * 180k rows, and split() would hold millions of short strings at once (the report's peak memory).
 * `row` sees each data row's required fields (in REQUIRED order, in an array reused per row).
 */
function scanRows(text: string, file: string, row: (f: readonly string[], lineNo: number) => void): void {
  const firstEnd = text.indexOf('\n');
  const header = text.slice(0, firstEnd < 0 ? text.length : firstEnd).trim().split(',');
  // colOf[i] = which required column field i is (-1: not needed).
  const colOf = new Int8Array(header.length).fill(-1);
  for (let r = 0; r < REQUIRED.length; r++) {
    const i = header.indexOf(REQUIRED[r]);
    if (i < 0) throw new IoError(file, `packets.csv has no '${REQUIRED[r]}' column`);
    colOf[i] = r;
  }
  const f: string[] = new Array(REQUIRED.length).fill('');
  let lineNo = 1;
  let pos = firstEnd < 0 ? text.length : firstEnd + 1;
  while (pos < text.length) {
    lineNo++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    if (end > pos) {
      f.fill('');
      let field = 0;
      let from = pos;
      for (let i = pos; i <= end; i++) {
        if (i === end || text.charCodeAt(i) === 44 /* , */) {
          const r = field < colOf.length ? colOf[field] : -1;
          if (r >= 0) f[r] = text.slice(from, i);
          field++;
          from = i + 1;
        }
      }
      row(f, lineNo);
    }
    pos = end + 1;
  }
}

function sendMsOf(send: string, file: string, lineNo: number): number {
  const sendMs = send === '' ? Number.NaN : Number(send);
  if (!Number.isFinite(sendMs)) throw new IoError(file, `line ${lineNo}: bad send_ms '${send}'`);
  return sendMs;
}

/** Every row as an object. The few distinct words (kind, fate, cause) are shared rather than kept per row. */
export function parsePacketsCsv(text: string, file: string): PacketRow[] {
  const words = new Map<string, string>();
  const word = (w: string): string => {
    const known = words.get(w);
    if (known !== undefined) return known;
    words.set(w, w);
    return w;
  };
  const out: PacketRow[] = [];
  scanRows(text, file, (f, lineNo) => {
    const [kind, seq, frame, sizeBytes, send, arrival, fate, cause, playout, duplicated, reordered] = f;
    out.push({
      kind: word(kind),
      seq: Number(seq),
      frame: Number(frame),
      sizeBytes: Number(sizeBytes),
      sendMs: sendMsOf(send, file, lineNo),
      arrivalMs: numOrNull(arrival),
      fate: word(fate),
      cause: word(cause),
      playoutMs: numOrNull(playout),
      duplicated: duplicated === '1',
      reordered: reordered === '1',
    });
  });
  return out;
}

/** What the HTML report draws of the media packets, as columns, in file (send) order. */
export interface MediaPacketColumns {
  length: number;
  sendMs: Float64Array;
  /** NaN when the packet never arrived. */
  arrivalMs: Float64Array;
  /** 1 when the packet arrived after its playout time. */
  late: Uint8Array;
}

/** The media rows of packets.csv text as columns (no object per row: a one-hour call is 180k rows). */
export function parseMediaPacketColumns(text: string, file: string): MediaPacketColumns {
  const sendMs = new Series();
  const arrivalMs = new Series();
  const late = new Series();
  scanRows(text, file, (f, lineNo) => {
    const send = sendMsOf(f[4], file, lineNo);
    if (f[0] !== 'media') return;
    sendMs.push(send);
    arrivalMs.push(f[5] === '' ? Number.NaN : Number(f[5]));
    late.push(f[6] === 'late' ? 1 : 0);
  });
  return { length: sendMs.length, sendMs: sendMs.values(), arrivalMs: arrivalMs.values(), late: Uint8Array.from(late.values()) };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new IoError(file, `cannot read packets.csv (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function readPacketsCsv(file: string): PacketRow[] {
  return parsePacketsCsv(readText(file), file);
}

export function readMediaPacketColumns(file: string): MediaPacketColumns {
  return parseMediaPacketColumns(readText(file), file);
}
