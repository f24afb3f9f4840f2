/** Compact terminal tables for run summaries and variant comparisons. */
import type { Results } from './results.ts';

export function table(header: string[], rows: Array<Array<string>>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(2)}%`);
const ms = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${x.toFixed(1)}`);
const n2 = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(2) : '-');

export function summaryTable(res: Results): string {
  const header = ['variant', 'sent', 'net loss', 'eff. loss', 'FEC rec', 'late', 'jitter ms', 'net p95', 'playout p95', 'M2E ms', 'MOS-CQ', 'ViSQOL'];
  const rows = res.variants.map((v) => {
    const browser = v.browser as { trusted?: boolean } | undefined;
    const p = v.playout as typeof v.playout & { recovered: { fec: number; red: number; parity: number; rtx: number }; lateDiscarded: number };
    const sc = (v.scores ?? {}) as { emodel?: { mosCq?: number }; visqol?: { mos?: number } };
    return [
      browser ? `${v.name}${browser.trusted ? ' (browser)' : ' (browser, untrusted)'}` : v.name,
      String(v.network.packetsSent),
      pct(v.network.lossRate),
      pct(v.playout.effectiveLoss),
      // A browser does not tell what its FEC rebuilt.
      browser ? '-' : String(p.recovered.fec + p.recovered.red + p.recovered.parity + p.recovered.rtx),
      String(p.lateDiscarded),
      ms(v.network.rfc3550JitterMs),
      ms(v.network.delayMs.p95),
      ms(v.playout.playoutDelayMs.p95),
      ms(v.latency.mouthToEarMs),
      n2(sc.emodel?.mosCq),
      n2(sc.visqol?.mos),
    ];
  });
  return table(header, rows);
}

export function comparisonTable(res: Results): string | null {
  if (!res.comparison) return null;
  const header = ['rank', 'variant', 'eff. loss', 'conceal', 'mean delay', 'p95 delay', 'late', 'MOS-CQ'];
  const rows = res.comparison.map((r) => [
    String(r.rank),
    r.receiver ? `${String(r.variant)} (${String(r.receiver)})` : String(r.variant),
    pct(r.effectiveLoss as number),
    pct(r.concealmentRatio as number),
    ms(r.meanPlayoutDelayMs as number),
    ms(r.p95PlayoutDelayMs as number),
    String(r.lateDiscarded ?? '-'),
    n2(r.mosEmodel),
  ]);
  return table(header, rows);
}
