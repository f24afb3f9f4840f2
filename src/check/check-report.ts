/** Outputs of `jitterlab check`: a terminal table, JUnit XML (any CI system) and a Markdown summary. */
import { table } from '../report/terminal-table.ts';
import { formatValue } from '../sweep/sweep-table.ts';
import type { CheckOutcome, CheckRow } from './run-check.ts';

const v = (r: CheckRow, x: number | null): string => formatValue(r.measure, x);

export function checkTable(o: CheckOutcome): string {
  const rows = o.scenarios.flatMap((s) => s.rows).map((r) => [r.pass ? 'PASS' : 'FAIL', r.scenario, r.variant, r.measure, v(r, r.value), v(r, r.baseline), r.limits, r.reason]);
  return table(['', 'scenario', 'variant', 'measure', 'value', 'baseline', 'limits', 'reason'], rows);
}

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** JUnit XML: one testsuite per scenario, one testcase per (variant, measure). */
export function checkJunit(o: CheckOutcome): string {
  const total = o.passed + o.failed;
  const time = o.scenarios.reduce((s, x) => s + x.seconds, 0);
  const suites = o.scenarios.map((s) => {
    const fails = s.rows.filter((r) => !r.pass).length;
    const cases = s.rows.map((r) => {
      const name = `${r.variant}.${r.measure}`;
      const head = `    <testcase classname="jitterlab.check.${xml(s.scenario)}" name="${xml(name)}" time="0">`;
      if (r.pass) return `${head}<system-out>${xml(`value ${v(r, r.value)}; baseline ${v(r, r.baseline)}; limits ${r.limits}`)}</system-out></testcase>`;
      return `${head}\n      <failure message="${xml(r.reason)}" type="regression">${xml(`${s.file}: ${name} = ${v(r, r.value)} (baseline ${v(r, r.baseline)}; limits ${r.limits}): ${r.reason}`)}</failure>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(s.scenario)}" tests="${s.rows.length}" failures="${fails}" errors="0" time="${s.seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="jitterlab check" tests="${total}" failures="${o.failed}" errors="0" time="${time.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function checkMarkdown(o: CheckOutcome): string {
  const head = o.failed === 0 ? `### jitterlab check: all ${o.passed} gates passed` : `### jitterlab check: ${o.failed} of ${o.passed + o.failed} gates failed`;
  const lines = [head, '', '| | scenario | variant | measure | value | baseline | limits | reason |', '|---|---|---|---|---:|---:|---|---|'];
  for (const r of o.scenarios.flatMap((s) => s.rows)) {
    lines.push(`| ${r.pass ? '✅' : '❌'} | ${md(r.scenario)} | ${md(r.variant)} | ${md(r.measure)} | ${md(v(r, r.value))} | ${md(v(r, r.baseline))} | ${md(r.limits)} | ${md(r.reason)} |`);
  }
  return `${lines.join('\n')}\n`;
}
