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

const numOrNull = (s: string): number | null => (s === '' ? null : Number(s));

/**
 * One pass over the text, without splitting it into line and field arrays: a one-hour call is
 * 180k rows, and split() would hold millions of short strings at once (the report's peak memory).
 * The few distinct words (kind, fate, cause) are shared rather than kept per row.
 */
export function parsePacketsCsv(text: string, file: string): PacketRow[] {
  const firstEnd = text.indexOf('\n');
  const header = text.slice(0, firstEnd < 0 ? text.length : firstEnd).trim().split(',');
  // colOf[i] = which required column field i is (-1: not needed).
  const colOf = new Int8Array(header.length).fill(-1);
  for (let r = 0; r < REQUIRED.length; r++) {
    const i = header.indexOf(REQUIRED[r]);
    if (i < 0) throw new IoError(file, `packets.csv has no '${REQUIRED[r]}' column`);
    colOf[i] = r;
  }
  const words = new Map<string, string>();
  const word = (w: string): string => {
    const known = words.get(w);
    if (known !== undefined) return known;
    words.set(w, w);
    return w;
  };
  const f: string[] = new Array(REQUIRED.length).fill('');
  const out: PacketRow[] = [];
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
      const [kind, seq, frame, sizeBytes, send, arrival, fate, cause, playout, duplicated, reordered] = f;
      const sendMs = send === '' ? Number.NaN : Number(send);
      if (!Number.isFinite(sendMs)) throw new IoError(file, `line ${lineNo}: bad send_ms '${send}'`);
      out.push({
        kind: word(kind),
        seq: Number(seq),
        frame: Number(frame),
        sizeBytes: Number(sizeBytes),
        sendMs,
        arrivalMs: numOrNull(arrival),
        fate: word(fate),
        cause: word(cause),
        playoutMs: numOrNull(playout),
        duplicated: duplicated === '1',
        reordered: reordered === '1',
      });
    }
    pos = end + 1;
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
