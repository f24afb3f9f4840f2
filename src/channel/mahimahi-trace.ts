/**
 * Mahimahi link traces (mm-link(1); Netravali et al., USENIX ATC 2015): one line per delivery
 * opportunity, the line being a millisecond timestamp; each opportunity can carry 1500 bytes,
 * shared by several small packets; a repeated timestamp is several opportunities; an opportunity
 * nobody uses is lost. The trace repeats with a period equal to its last timestamp unless it
 * runs once. A file containing only "1" is 12 Mbit/s.
 */
import { readFileSync } from 'node:fs';
import { IoError, ScenarioError } from '../core/errors.ts';

/** Bytes one delivery opportunity carries (mahimahi's PACKET_SIZE). */
export const MAHIMAHI_OPPORTUNITY_BYTES = 1500;

export class MahimahiTrace {
  /** Period of the loop: the last timestamp (ms). */
  readonly periodMs: number;

  constructor(
    readonly file: string,
    /** Non-decreasing opportunity timestamps (ms). */
    readonly timesMs: Float64Array,
  ) {
    this.periodMs = timesMs[timesMs.length - 1];
  }

  get length(): number {
    return this.timesMs.length;
  }

  /** Time of global opportunity q (loop n = floor(q / length)); Infinity past the end when not looping. */
  opportunityMs(q: number, loop: boolean): number {
    const n = this.timesMs.length;
    if (!loop) return q < n ? this.timesMs[q] : Infinity;
    const k = Math.floor(q / n);
    return this.timesMs[q - k * n] + k * this.periodMs;
  }

  /** Global index of the first opportunity at or after t (may be past the end when not looping). */
  firstAtOrAfter(t: number, loop: boolean): number {
    const n = this.timesMs.length;
    const search = (local: number): number => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.timesMs[mid] >= local) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    if (!loop) return search(t);
    const k = Math.max(0, Math.floor(t / this.periodMs));
    // Entries at the very end of the previous loop (time = period) fall exactly on k * period.
    if (k > 0) {
      const prev = search(t - (k - 1) * this.periodMs);
      if (prev < n) return (k - 1) * n + prev;
    }
    // Within loop k some entry is >= t, since t - k * period < period = the last timestamp.
    return k * n + search(t - k * this.periodMs);
  }

  /** Mean capacity in kbit/s (opportunities x 1500 bytes over the period). */
  meanRateKbps(): number {
    return (this.timesMs.length * MAHIMAHI_OPPORTUNITY_BYTES * 8) / this.periodMs;
  }
}

/** Parse a trace: one non-negative integer millisecond timestamp per line, non-decreasing. */
export function parseMahimahiTrace(text: string, file: string): MahimahiTrace {
  const times: number[] = [];
  const lines = text.split(/\r?\n/);
  let prev = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (!/^\d+$/.test(line)) throw new ScenarioError(file, '', i + 1, `expected a millisecond timestamp, got ${JSON.stringify(line.slice(0, 30))}`);
    const v = Number(line);
    if (!Number.isSafeInteger(v)) throw new ScenarioError(file, '', i + 1, `timestamp ${line} is too large`);
    if (v < prev) throw new ScenarioError(file, '', i + 1, `timestamp ${v} is before the previous one (${prev})`);
    times.push(v);
    prev = v;
  }
  if (times.length === 0) throw new ScenarioError(file, '', null, 'empty trace (no delivery opportunities)');
  if (times[times.length - 1] <= 0) throw new ScenarioError(file, '', null, 'the last timestamp must be positive (it is the period of the trace)');
  return new MahimahiTrace(file, Float64Array.from(times));
}

/** Read and parse a trace file; `path` is already resolved by the caller. */
export function loadMahimahiTrace(path: string): MahimahiTrace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new IoError(path, `cannot read mahimahi trace: ${(e as Error).message}`);
  }
  return parseMahimahiTrace(text, path);
}
