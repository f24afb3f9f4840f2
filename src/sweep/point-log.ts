/**
 * points.jsonl: the append-only log of finished sweep points, one JSON object a line, written as
 * each point completes (in completion order). It is what survives Ctrl-C or a crash; `--resume`
 * reads it back, and a truncated last line (a write cut short) is ignored.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { IoError } from '../core/errors.ts';
import type { MeasureValues } from '../check/measures.ts';
import type { AxisValue } from './grid.ts';

export interface PointRecord {
  index: number;
  combo: number;
  seed: number;
  params: Record<string, AxisValue>;
  /** Measures per variant name; null when the point failed. */
  variants: Record<string, MeasureValues> | null;
  error: string | null;
}

export class PointLog {
  constructor(readonly file: string) {}

  reset(): void {
    rmSync(this.file, { force: true });
  }

  append(rec: PointRecord): void {
    try {
      appendFileSync(this.file, `${JSON.stringify(rec)}\n`);
    } catch (e) {
      throw new IoError(this.file, `cannot append: ${(e as Error).message}`);
    }
  }

  /** Every complete record; later records of the same point replace earlier ones. */
  read(): Map<number, PointRecord> {
    const out = new Map<number, PointRecord>();
    if (!existsSync(this.file)) return out;
    const lines = readFileSync(this.file, 'utf8').split('\n');
    for (const line of lines) {
      if (line.trim() === '') continue;
      let rec: PointRecord;
      try {
        rec = JSON.parse(line) as PointRecord;
      } catch {
        continue; // an interrupted final write
      }
      if (typeof rec.index === 'number') out.set(rec.index, rec);
    }
    return out;
  }
}
