/**
 * sweep.html: one self-contained page (inline SVG and CSS, no script, no network) with heatmaps
 * of a measure over the first two varied axes, one per variant side by side so buffers can be
 * compared, on one colour scale per measure (green = better, whichever direction that is). Each
 * cell shows the mean over seeds and ± the sample standard deviation; hovering gives the range.
 * Further axes give one row of heatmaps per combination of their values. The chosen measure is
 * open; every other measure is in a collapsed section below, followed by the table.
 */
import { MEASURES, measureDef, measuresComputed, type MeasureDef } from '../check/measures.ts';
import type { Axis, AxisValue } from './grid.ts';
import type { ComboSummary, Stat } from './summary.ts';
import type { SweepReport } from './sweep-report.ts';
import { formatStat, formatValue } from './sweep-table.ts';

/** Heatmap rows drawn per measure at most (further axes multiply them). */
const MAX_PANELS = 24;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const label = (v: AxisValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Red (worse) → yellow → green (better), t in [0, 1] with 1 = best. */
export function rampColor(t: number): string {
  const stops = [
    [215, 48, 39],
    [254, 224, 139],
    [26, 152, 80],
  ];
  const x = Math.min(1, Math.max(0, t)) * 2;
  const i = Math.min(1, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((a, k) => Math.round(a + f * (stops[i + 1][k] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

interface Scale {
  lo: number;
  hi: number;
  def: MeasureDef;
}

function goodness(s: Scale, x: number): number {
  if (s.hi === s.lo) return 1;
  const t = (x - s.lo) / (s.hi - s.lo);
  return s.def.better === 'higher' ? t : 1 - t;
}

function scaleOf(r: SweepReport, def: MeasureDef): Scale | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of r.summary) {
    for (const v of r.plan.variants) {
      const m = c.variants[v]?.[def.name]?.mean;
      if (m === null || m === undefined) continue;
      lo = Math.min(lo, m);
      hi = Math.max(hi, m);
    }
  }
  return lo <= hi ? { lo, hi, def } : null;
}

function cellTitle(r: SweepReport, c: ComboSummary, variant: string, measure: string, s: Stat | undefined): string {
  const params = r.plan.axes.map((a) => `${a.key} = ${label(c.params[a.key])}`).join('\n');
  const body =
    !s || s.mean === null
      ? 'no result'
      : `mean ${formatValue(measure, s.mean)}, sd ${formatValue(measure, s.sd)}\nmin ${formatValue(measure, s.min)}, max ${formatValue(measure, s.max)}, ${s.n} seed(s)`;
  return `${variant}\n${params}\n${measure}: ${body}`;
}

function heatmapSvg(r: SweepReport, combos: ComboSummary[], variant: string, scale: Scale | null, measure: string): string {
  const ax = r.plan.axes[0];
  const ay: Axis | undefined = r.plan.axes[1];
  const nx = ax.values.length;
  const ny = ay ? ay.values.length : 1;
  const cw = Math.max(34, Math.min(70, Math.floor(560 / nx)));
  const ch = Math.max(22, Math.min(40, Math.floor(360 / ny)));
  const left = 70;
  const top = 24;
  const w = left + nx * cw + 8;
  const h = top + ny * ch + 44;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="hm" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(`${measure} of ${variant}`)}">`);
  parts.push(`<text x="${left}" y="14" class="t">${escapeHtml(variant)}</text>`);
  const byPos = new Map<string, ComboSummary>();
  for (const c of combos) byPos.set(`${c.at[0]},${ay ? c.at[1] : 0}`, c);
  for (let iy = 0; iy < ny; iy++) {
    // Row 0 of the y axis at the bottom, as on a chart.
    const y = top + (ny - 1 - iy) * ch;
    if (ay) parts.push(`<text x="${left - 4}" y="${y + ch / 2 + 4}" class="yl">${escapeHtml(label(ay.values[iy]))}</text>`);
    for (let ix = 0; ix < nx; ix++) {
      const x = left + ix * cw;
      const c = byPos.get(`${ix},${iy}`);
      const s = c?.variants[variant]?.[measure];
      const fill = s && s.mean !== null && scale ? rampColor(goodness(scale, s.mean)) : '#eee';
      const title = c ? cellTitle(r, c, variant, measure, s) : 'not run';
      parts.push(`<g><title>${escapeHtml(title)}</title><rect x="${x}" y="${y}" width="${cw - 1}" height="${ch - 1}" fill="${fill}"/>`);
      if (s && s.mean !== null) {
        const txt = formatValue(measure, s.mean);
        parts.push(`<text x="${x + cw / 2}" y="${y + (s.n > 1 && ch >= 30 ? ch / 2 - 1 : ch / 2 + 4)}" class="v">${escapeHtml(txt)}</text>`);
        if (s.n > 1 && ch >= 30) parts.push(`<text x="${x + cw / 2}" y="${y + ch / 2 + 10}" class="sd">±${escapeHtml(formatValue(measure, s.sd).replace('%', ''))}</text>`);
      }
      parts.push('</g>');
    }
  }
  for (let ix = 0; ix < nx; ix++) parts.push(`<text x="${left + ix * cw + cw / 2}" y="${top + ny * ch + 14}" class="xl">${escapeHtml(label(ax.values[ix]))}</text>`);
  parts.push(`<text x="${left + (nx * cw) / 2}" y="${top + ny * ch + 34}" class="al">${escapeHtml(ax.key)}</text>`);
  if (ay) parts.push(`<text x="12" y="${top + (ny * ch) / 2}" class="al" transform="rotate(-90 12 ${top + (ny * ch) / 2})">${escapeHtml(ay.key)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function legendSvg(scale: Scale, measure: string): string {
  const n = 40;
  const w = 240;
  const stops = Array.from({ length: n }, (_, i) => {
    const x = scale.lo + ((scale.hi - scale.lo) * i) / (n - 1);
    return `<rect x="${(i * w) / n}" y="0" width="${w / n + 0.5}" height="12" fill="${rampColor(goodness(scale, x))}"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w + 120}" height="30" class="legend">${stops}<text x="0" y="26" class="xl0">${escapeHtml(formatValue(measure, scale.lo))}</text><text x="${w}" y="26" class="xl1">${escapeHtml(formatValue(measure, scale.hi))}</text><text x="${w + 6}" y="11" class="xl0">${scale.def.better} is better</text></svg>`;
}

/** Combinations grouped by the values of the axes after the first two. */
function panels(r: SweepReport): Array<{ title: string; combos: ComboSummary[] }> {
  const rest = r.plan.axes.slice(2);
  const groups = new Map<string, { title: string; combos: ComboSummary[] }>();
  for (const c of r.summary) {
    const key = c.at.slice(2).join(',');
    let g = groups.get(key);
    if (!g) {
      g = { title: rest.map((a, k) => `${a.key} = ${label(a.values[c.at[k + 2]])}`).join(', '), combos: [] };
      groups.set(key, g);
    }
    g.combos.push(c);
  }
  return [...groups.values()];
}

function measureSection(r: SweepReport, def: MeasureDef, open: boolean): string {
  const scale = scaleOf(r, def);
  const ps = panels(r);
  const shown = ps.slice(0, MAX_PANELS);
  const rows = shown
    .map(
      (p) =>
        `${p.title ? `<h4>${escapeHtml(p.title)}</h4>` : ''}<div class="row">${r.plan.variants.map((v) => heatmapSvg(r, p.combos, v, scale, def.name)).join('')}</div>`,
    )
    .join('');
  const more = ps.length > shown.length ? `<p class="note">${ps.length - shown.length} more panels of further axes are in sweep.csv.</p>` : '';
  const legend = scale ? legendSvg(scale, def.name) : '<p class="note">no values</p>';
  return `<details${open ? ' open' : ''} class="measure" id="m-${def.name}"><summary><b>${escapeHtml(def.name)}</b> (${escapeHtml(def.unit)}): ${escapeHtml(def.description)}</summary>${legend}${rows}${more}</details>`;
}

function tableHtml(r: SweepReport, measure: string): string {
  const head = [...r.plan.axes.map((a) => a.key), ...r.plan.variants].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = r.summary
    .map((c) => `<tr>${r.plan.axes.map((a) => `<td>${escapeHtml(label(c.params[a.key]))}</td>`).join('')}${r.plan.variants.map((v) => `<td>${escapeHtml(formatStat(measure, c.variants[v]?.[measure]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function sweepHtml(r: SweepReport): string {
  const chosen = measureDef(r.plan.measure) ?? MEASURES[0];
  const others = measuresComputed([chosen.name]).filter((m) => m.name !== chosen.name);
  const status =
    r.status === 'complete'
      ? `${r.pointsDone} points`
      : `${r.status}: ${r.pointsDone} of ${r.pointsExpected} points${r.pointsFailed ? `, ${r.pointsFailed} failed` : ''}`;
  const css = `body{font:14px system-ui,sans-serif;margin:20px;color:#222}h1{font-size:20px}.row{display:flex;flex-wrap:wrap;gap:14px}
svg text{font:11px system-ui,sans-serif}.t{font-weight:bold}.v{text-anchor:middle;font-size:11px}.sd{text-anchor:middle;font-size:9px;fill:#333}
.yl{text-anchor:end}.xl{text-anchor:middle}.al{text-anchor:middle;font-style:italic}.xl1{text-anchor:end}details.measure{margin:12px 0}
summary{cursor:pointer}table{border-collapse:collapse;margin-top:10px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}.note{color:#666}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`sweep: ${r.plan.scenarioName}`)}</title><style>${css}</style></head>
<body>
<h1>Sweep of ${escapeHtml(r.plan.scenarioName)}</h1>
<p>${escapeHtml(r.plan.description)}</p>
<p>${escapeHtml(status)} · ${r.plan.axes.map((a) => `${escapeHtml(a.key)} (${a.values.length})`).join(' × ')} × ${r.plan.seeds.length} seed(s) · ${r.plan.durationS} s calls · variants: ${r.plan.variants.map(escapeHtml).join(', ')} · plan ${escapeHtml(r.plan.hash)}</p>
<p class="note">Cells: mean over seeds, ± sample standard deviation; hover for the range. Green is better.</p>
${measureSection(r, chosen, true)}
${others.map((m) => measureSection(r, m, false)).join('\n')}
<h2>${escapeHtml(chosen.name)} by combination</h2>
${tableHtml(r, chosen.name)}
</body></html>
`;
}
