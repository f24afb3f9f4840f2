/**
 * A browser variant's raw logs as CSV, beside its packets.csv: release.csv (every packet's
 * scheduled and actual release, the evidence that the run kept the simulation's timing) and
 * browser-stats.csv (every getStats() inbound-rtp sample, cumulative W3C counters).
 */
import { W3C_KEYS, type BrowserLog } from '../browser/browser-run.ts';

const f = (x: number): string => (Math.round(x * 1000) / 1000).toString();

export function releaseCsv(log: BrowserLog): string {
  const rows = ['seq,scheduled_ms,released_ms,lateness_ms'];
  const { scheduledMs, actualMs } = log.release;
  for (let i = 0; i < scheduledMs.length; i++) rows.push(`${log.seq[i]},${f(scheduledMs[i])},${f(actualMs[i])},${f(actualMs[i] - scheduledMs[i])}`);
  return `${rows.join('\n')}\n`;
}

export function browserStatsCsv(log: BrowserLog): string {
  const rows = [['t_ms', ...W3C_KEYS].join(',')];
  for (const s of log.stats) rows.push([f(s.tMs), ...W3C_KEYS.map((k) => (typeof s[k] === 'number' ? String(s[k]) : ''))].join(','));
  return `${rows.join('\n')}\n`;
}
