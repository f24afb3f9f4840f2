/** The calibration table for the terminal and as Markdown (the README publishes it). */
import type { ReceiverFigures } from './agreement.ts';
import type { Calibration } from './run-calibration.ts';

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function pair(b: number, o: number, fmt: (x: number) => string): string {
  return `${fmt(b)} / ${fmt(o)}`;
}

export const CALIBRATION_COLUMNS = ['condition', 'target ms (browser / ours)', 'buffer delay ms', 'concealed %', 'accelerate ms', 'decelerate ms', 'lateness p99 / max ms', 'agrees'];

export function calibrationRows(c: Calibration): string[][] {
  return c.rows.map((r) => {
    const b: ReceiverFigures = r.browser.mean;
    const o = r.ours;
    const ok = r.agree.target && r.agree.concealed ? 'yes' : [r.agree.target ? '' : 'target', r.agree.concealed ? '' : 'concealed'].filter(Boolean).join(', ') + ' off';
    return [
      r.label,
      pair(b.targetMs, o.targetMs, f1),
      pair(b.bufferDelayMs, o.bufferDelayMs, f1),
      pair(b.concealedPct, o.concealedPct, f2),
      pair(b.accelerateMs, o.accelerateMs, (x) => x.toFixed(0)),
      pair(b.decelerateMs, o.decelerateMs, (x) => x.toFixed(0)),
      `${f2(r.browser.lateness.p99Ms)} / ${f1(r.browser.lateness.maxMs)}${r.browser.lateness.trusted ? '' : ' (untrusted)'}${r.browser.trustedRuns && r.browser.trustedRuns.length > 1 ? ` ${r.browser.trustedRuns.filter(Boolean).length}/${r.browser.trustedRuns.length} trusted` : ''}`,
      ok,
    ];
  });
}

export function calibrationMarkdown(c: Calibration): string {
  const rows = calibrationRows(c);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(CALIBRATION_COLUMNS), line(CALIBRATION_COLUMNS.map(() => '---')), ...rows.map(line)].join('\n');
}

export function calibrationSummary(c: Calibration): string {
  const bad = c.rows.filter((r) => !(r.agree.target && r.agree.concealed));
  const load = c.machine.loadAverage1m;
  return `${c.rows.length - bad.length} of ${c.rows.length} conditions agree (target within 10% or 5 ms, concealed within 0.5 pp); ${c.durationS} s calls, seed ${c.seed}, browser figures the mean of the trusted ones of ${c.repeat} run(s) per condition${c.reusedFrom ? ` reused from ${c.reusedFrom}` : ''}; ${c.machine.cpus} cores, 1-min load ${Math.min(...load).toFixed(2)}–${Math.max(...load).toFixed(2)}`;
}
