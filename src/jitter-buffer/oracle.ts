import type { z } from 'zod';
import { JitterlabError } from '../core/errors.ts';
import type { OracleJbSchema } from './config.ts';
import { ScheduledPlayoutBuffer } from './scheduled-playout.ts';
import type { JbFrame, JitterBuffer, JitterBufferHost } from './types.ts';

export type OracleJbOptions = z.output<typeof OracleJbSchema>;

export interface OracleChoice {
  /** Playout offset: frame ts plays at ts/clockRate x 1000 + offsetMs on the receiver clock. */
  offsetMs: number;
  /** Offset above the smallest transit of the trace (the fastest frame's virtual send reference). */
  delayMs: number;
  received: number;
  /** Received frames arriving after their playout time at this offset. */
  lateCount: number;
  allowedLate: number;
}

/**
 * The smallest fixed playout offset whose late-loss rate among received frames is at most
 * `lateLossRate` (Moon, Kurose, Towsley 1998, offline bound with one playout point). With
 * transits T = arrival - ts/clockRate sorted ascending and k = floor(rate x N) frames allowed
 * late, it is the order statistic T_(N-k): exactly k' <= k transits exceed it, and any smaller
 * offset leaves at least k + 1 frames late. A frame arriving exactly at its playout time is on time.
 */
export function oracleChoice(
  trace: ReadonlyArray<{ timestamp: number; arrivalMs: number | null }>,
  clockRate: number,
  lateLossRate: number,
): OracleChoice {
  const transits: number[] = [];
  for (const t of trace) if (t.arrivalMs !== null) transits.push(t.arrivalMs - (t.timestamp * 1000) / clockRate);
  const n = transits.length;
  if (n === 0) return { offsetMs: 0, delayMs: 0, received: 0, lateCount: 0, allowedLate: 0 };
  transits.sort((a, b) => a - b);
  const allowed = Math.floor(lateLossRate * n + 1e-9);
  const offsetMs = transits[Math.max(0, n - 1 - allowed)];
  let lateCount = 0;
  for (const t of transits) if (t > offsetMs) lateCount++;
  return { offsetMs, delayMs: offsetMs - transits[0], received: n, lateCount, allowedLate: allowed };
}

/**
 * The offline reference: one playout offset for the whole call, chosen from the realized trace
 * (no per-talkspurt optimisation, so it bounds every fixed-offset buffer, not the adaptive ones'
 * per-talkspurt choices). Tick quantisation only delays playout, so its realized late-loss rate
 * stays within the allowed rate.
 */
export class OracleJitterBuffer extends ScheduledPlayoutBuffer {
  readonly kind = 'oracle';
  readonly choice: OracleChoice;

  constructor(opts: OracleJbOptions, host: JitterBufferHost) {
    super(host, Number.MAX_SAFE_INTEGER);
    if (host.trace === null) throw new JitterlabError('scenario', 'oracle needs an offline run');
    this.choice = oracleChoice(host.trace, host.clockRate, opts.lateLossRate);
  }

  protected observe(frame: JbFrame, nowMs: number): void {
    void frame;
    void nowMs;
  }

  protected initialOffsetMs(): number {
    return this.choice.offsetMs;
  }

  protected talkspurtOffsetMs(): number {
    return this.choice.offsetMs;
  }

  targetDelayMs(): number {
    return this.choice.delayMs;
  }
}

export function createOracle(opts: OracleJbOptions, host: JitterBufferHost): JitterBuffer {
  return new OracleJitterBuffer(opts, host);
}
