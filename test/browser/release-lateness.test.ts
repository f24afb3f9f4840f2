import { describe, expect, it } from 'vitest';
import { releaseLateness, STALL_MS } from '../../src/browser/release-lateness.ts';
import { releaseInRealTime } from '../../src/browser/realtime-release.ts';

describe('release lateness', () => {
  it('percentiles of actual - scheduled, stalls as runs above the threshold, trust by p99', () => {
    const n = 200;
    const scheduledMs = Float64Array.from({ length: n }, (_, i) => i * 20);
    const actualMs = Float64Array.from(scheduledMs, (t, i) => t + (i === 50 || i === 51 ? STALL_MS + 5 : i === 120 ? STALL_MS + 30 : 0.5));
    const l = releaseLateness({ scheduledMs, actualMs }, 3);
    expect(l.p50Ms).toBe(0.5);
    expect(l.maxMs).toBe(STALL_MS + 30);
    expect(l.stalls).toBe(2);
    expect(l.longestStallMs).toBe(STALL_MS + 30);
    // 3 of 200 above: p99 (type 7) interpolates into the stalls.
    expect(l.p99Ms).toBeGreaterThan(3);
    expect(l.trusted).toBe(false);
    const calm = releaseLateness({ scheduledMs, actualMs: Float64Array.from(scheduledMs, (t) => t + 0.25) }, 3);
    expect(calm.trusted).toBe(true);
    expect(calm.stalls).toBe(0);
  });

  it('releases in order, never before the instant, and logs each release', async () => {
    const atMs = Float64Array.from([5, 5, 12, 30, 31]);
    const sent: number[] = [];
    const t0 = performance.now();
    const log = await releaseInRealTime({ atMs }, t0, { send: (i) => sent.push(i) }, () => performance.now());
    expect(sent).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < atMs.length; i++) expect(log.actualMs[i]).toBeGreaterThanOrEqual(atMs[i]);
  });
});
