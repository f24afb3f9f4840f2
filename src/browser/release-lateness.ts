/**
 * How late packets left against their schedule: p50 / p99 / max of (actual - scheduled), and the
 * stalls (runs of consecutive releases more than STALL_MS late: the process was held up). A run
 * whose p99 exceeds the trust limit is marked untrusted: its figures describe the host's load as
 * much as the browser.
 */
import { summarize } from '../metrics/percentile.ts';
import type { ReleaseLog } from './realtime-release.ts';

export const STALL_MS = 10;

export interface ReleaseLateness {
  packets: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Runs of consecutive releases later than STALL_MS. */
  stalls: number;
  /** The longest stall's worst lateness (0 without stalls). */
  longestStallMs: number;
  stallThresholdMs: number;
  /** p99 <= the limit. */
  trusted: boolean;
  trustLimitP99Ms: number;
}

export function releaseLateness(log: ReleaseLog, trustLimitP99Ms: number): ReleaseLateness {
  const n = log.actualMs.length;
  const late = new Float64Array(n);
  let stalls = 0;
  let longest = 0;
  let inStall = false;
  for (let i = 0; i < n; i++) {
    late[i] = Math.max(0, log.actualMs[i] - log.scheduledMs[i]);
    if (late[i] > STALL_MS) {
      if (!inStall) stalls++;
      inStall = true;
      longest = Math.max(longest, late[i]);
    } else inStall = false;
  }
  const s = summarize(late);
  const r3 = (x: number | null) => Math.round((x ?? 0) * 1000) / 1000;
  const p99 = r3(s.p99);
  return {
    packets: n,
    p50Ms: r3(s.p50),
    p99Ms: p99,
    maxMs: r3(s.max),
    meanMs: r3(s.mean),
    stalls,
    longestStallMs: r3(longest),
    stallThresholdMs: STALL_MS,
    trusted: n > 0 && p99 <= trustLimitP99Ms,
    trustLimitP99Ms,
  };
}
