/**
 * index.html of a report: one self-contained page (Chart.js and the drawing script inlined, the
 * data embedded as JSON; no network, opens from file://) with the WAVs referenced beside it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OPUS_NOTE } from '../../scores/codec-impairments.ts';
import type { Headline, ReportModel, VariantModel } from './report-model.ts';
import { browserSection } from './browser-section.ts';

const require = createRequire(import.meta.url);

/** The Chart.js UMD bundle (defines the global `Chart`), read from node_modules. */
function chartJsSource(): string {
  const main = require.resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

function clientSource(): string {
  return readFileSync(new URL('./report-client.js', import.meta.url), 'utf8');
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Text that is safe inside <script>: no "</script", no "<!--". */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** JSON safe inside <script type="application/json">. */
function jsonSafe(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

type Verdict = 'good' | 'fair' | 'poor' | 'none';

/** MOS 4.03 = R 80 ("satisfied"), MOS 3.60 = R 70 ("some users dissatisfied"), G.107 Annex B. */
export function mosVerdict(mos: number | null): Verdict {
  if (mos === null) return 'none';
  return mos >= 4.03 ? 'good' : mos >= 3.6 ? 'fair' : 'poor';
}
/** G.114: up to 150 ms one-way is acceptable for most applications, beyond 400 ms unacceptable. */
export function delayVerdict(ms: number): Verdict {
  return ms <= 150 ? 'good' : ms <= 400 ? 'fair' : 'poor';
}
export function lossVerdict(fraction: number): Verdict {
  return fraction <= 0.01 ? 'good' : fraction <= 0.05 ? 'fair' : 'poor';
}

const f2 = (x: number | null): string => (x === null ? '–' : x.toFixed(2));
const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

function card(label: string, value: string, verdict: Verdict, note = ''): string {
  return `<div class="card ${verdict}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div>${note ? `<div class="note">${note}</div>` : ''}</div>`;
}

/** How a provisional codec entry's values were chosen: its source without the shared opening. */
function estimateBasis(source: string): string {
  return (source.startsWith(OPUS_NOTE) ? source.slice(OPUS_NOTE.length) : source).trim();
}

/** Ie/Bpl with the scale's subscript: G.107 (nb) writes Ie, G.107.1 Ie,WB, G.107.2 Ie,FB. */
function ieBpl(c: NonNullable<Headline['codec']>): string {
  const sub = c.bandwidth === 'wb' ? ',WB' : c.bandwidth === 'fb' ? ',FB' : '';
  return `Ie${sub} ${c.Ie ?? '–'}, Bpl${sub} ${c.Bpl ?? '–'}`;
}

/**
 * The note under the headline when an E-model value rests on estimated Ie/Bpl: the caveat once,
 * then each estimate used (condition, values, how they were chosen), naming the variants that
 * used it when the variants differ.
 */
export function provisionalNote(variants: readonly VariantModel[]): string {
  const used = new Map<string, { codec: NonNullable<Headline['codec']>; names: string[] }>();
  for (const v of variants) {
    const c = v.headline.codec;
    if (!v.headline.provisional || !c) continue;
    const key = `${c.condition}\0${c.Ie}\0${c.Bpl}`;
    const u = used.get(key);
    if (u) u.names.push(v.name);
    else used.set(key, { codec: c, names: [v.name] });
  }
  if (!used.size) return '';
  const several = used.size > 1;
  const items = [...used.values()]
    .map(({ codec, names }) => `<li><b>${escapeHtml(codec.condition)}</b>${several ? ` (${escapeHtml(names.join(', '))})` : ''}: ${escapeHtml(ieBpl(codec))}. ${escapeHtml(estimateBasis(codec.source))}</li>`)
    .join('');
  return `<div class="warn"><p>E-model values marked <span class="prov">provisional Ie/Bpl</span> rest on codec impairment values (equipment impairment Ie, packet-loss robustness Bpl) that no ITU-T Recommendation publishes for Opus: jitterlab estimates them. Compare variants with one another; do not quote these values as absolute quality.</p><ul>${items}</ul></div>`;
}

function headlineCards(h: Headline): string {
  const prov = h.provisional
    ? `<span class="prov" title="${escapeHtml(h.codec ? `${ieBpl(h.codec)} (estimated; see the note below)` : 'estimated; see the note below')}">provisional Ie/Bpl</span>`
    : '';
  return [
    card('MOS-CQ (E-model)', f2(h.mosCq), mosVerdict(h.mosCq), `${escapeHtml(h.emodelStandard ?? 'not computed')}${h.R !== null ? `, R ${h.R.toFixed(1)}` : ''} ${prov}`),
    card('MOS-LQ (E-model, no delay)', f2(h.mosLq), mosVerdict(h.mosLq)),
    card('MOS (ViSQOL speech)', f2(h.visqolMos), mosVerdict(h.visqolMos), h.vnsim !== null ? `NSIM ${h.vnsim.toFixed(3)}` : 'not computed'),
    card('effective loss', pct(h.effectiveLoss), lossVerdict(h.effectiveLoss), `network ${pct(h.networkLoss)}`),
    card('mouth-to-ear', `${h.mouthToEarMs.toFixed(0)} ms`, delayVerdict(h.mouthToEarMs), 'G.114: ≤150 good, ≤400 limit'),
    card('RFC 3550 jitter', `${h.jitterMs.toFixed(1)} ms`, 'none'),
  ].join('');
}

/** Many variants: one compact row each instead of a block of cards each. */
function headlineTable(variants: ReportModel['variants']): string {
  const cell = (text: string, verdict: Verdict, mark = '') => `<td class="v-${verdict}">${escapeHtml(text)}${mark}</td>`;
  // The provisional mark once in the column head when every E-model value has it, else per value.
  const allProvisional = variants.every((v) => v.headline.provisional);
  const PROV = ' <span class="prov">provisional Ie/Bpl</span>';
  const rows = variants
    .map((v) => {
      const h = v.headline;
      return `<tr><th>${escapeHtml(v.name)}${v.description ? ` <small>${escapeHtml(v.description)}</small>` : ''}</th>${cell(f2(h.mosCq), mosVerdict(h.mosCq), h.provisional && !allProvisional ? PROV : '')}${cell(f2(h.mosLq), mosVerdict(h.mosLq))}${cell(f2(h.visqolMos), mosVerdict(h.visqolMos))}${cell(pct(h.effectiveLoss), lossVerdict(h.effectiveLoss))}${cell(pct(h.networkLoss), 'none')}${cell(`${h.mouthToEarMs.toFixed(0)} ms`, delayVerdict(h.mouthToEarMs))}${cell(`${h.jitterMs.toFixed(1)} ms`, 'none')}</tr>`;
    })
    .join('\n');
  return `<table class="cmp headline-table"><thead><tr><th>variant</th><th>MOS-CQ (E-model)${allProvisional ? PROV : ''}</th><th>MOS-LQ</th><th>ViSQOL MOS</th><th>effective loss</th><th>network loss</th><th>mouth-to-ear (G.114 150/400)</th><th>RFC 3550 jitter</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function comparisonTable(model: ReportModel): string {
  const rows = model.comparison;
  if (!rows || !rows.length) return '';
  const cols: Array<[string, string, (x: unknown) => string]> = [
    ['rank', 'rank', (x) => String(x ?? '')],
    ['variant', 'variant', (x) => String(x ?? '')],
    ...(rows.some((r) => r.receiver) ? [['receiver', 'receiver', (x: unknown) => String(x ?? 'jitterlab')] as [string, string, (x: unknown) => string]] : []),
    ['effectiveLoss', 'eff. loss', (x) => (typeof x === 'number' ? pct(x) : '–')],
    ['concealmentRatio', 'concealed', (x) => (typeof x === 'number' ? pct(x) : '–')],
    ['meanPlayoutDelayMs', 'mean playout delay', (x) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : '–')],
    ['p95PlayoutDelayMs', 'p95 playout delay', (x) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : '–')],
    ['lateDiscarded', 'late', (x) => String(x ?? '–')],
    ['mouthToEarMs', 'mouth-to-ear', (x) => (typeof x === 'number' ? `${x.toFixed(0)} ms` : '–')],
    ['mosEmodel', 'MOS-CQ', (x) => (typeof x === 'number' ? x.toFixed(2) : '–')],
    ['mosVisqol', 'ViSQOL', (x) => (typeof x === 'number' ? x.toFixed(2) : '–')],
  ];
  const head = cols.map((c) => `<th>${escapeHtml(c[1])}</th>`).join('');
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${escapeHtml(c[2](r[c[0]]))}</td>`).join('')}</tr>`).join('\n');
  return `<section><h2>Comparison</h2><p class="hint">Ranked by effective loss, then p95 playout delay; every variant met the same network realization.</p><table class="cmp"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></section>`;
}

function kv(obj: Record<string, unknown> | null): string {
  if (!obj) return '<p class="hint">not available</p>';
  return `<table class="kv">${Object.entries(obj)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === 'number' ? String(Math.round(v * 1e4) / 1e4) : String(v))}</td></tr>`)
    .join('')}</table>`;
}

function variantDetails(v: VariantModel): string {
  const s = v.scores;
  const notes = [s.emodelSkipped ? `E-model not computed: ${escapeHtml(s.emodelSkipped)}` : '', s.visqolSkipped ? `ViSQOL not computed: ${escapeHtml(s.visqolSkipped)}` : '']
    .filter(Boolean)
    .map((n) => `<p class="hint">${n}</p>`)
    .join('');
  return `<div class="details"><h3>${escapeHtml(v.name)}</h3>${notes}
<div class="grid3"><div><h4>RFC 3611 burst/gap, network (Gmin 16)</h4>${kv(v.bursts.burstGapNetwork)}</div>
<div><h4>RFC 3611 burst/gap, after recovery</h4>${kv(v.bursts.burstGapPost)}</div>
<div><h4>Sanity (16 kHz, aligned)</h4>${kv(s.sanity)}</div></div></div>`;
}

/** Summary counters of each adapting variant, one column per variant. */
function adaptationSummary(model: ReportModel): string {
  const keys: string[] = [];
  for (const a of model.adaptation) for (const k of Object.keys(a.summary)) if (!keys.includes(k)) keys.push(k);
  if (!keys.length) return '';
  const fmt = (x: number | null | undefined): string => (typeof x === 'number' ? String(Math.round(x * 1000) / 1000) : '–');
  const head = `<th></th>${model.adaptation.map((a) => `<th>${escapeHtml(a.name)}</th>`).join('')}`;
  const body = keys.map((k) => `<tr><th>${escapeHtml(k)}</th>${model.adaptation.map((a) => `<td>${escapeHtml(fmt(a.summary[k]))}</td>`).join('')}</tr>`).join('');
  return `<table class="kv"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function adaptationSection(model: ReportModel): string {
  if (!model.adaptation.length) return '';
  const adapting = new Set(model.adaptation.map((a) => a.name));
  const still = model.variants.filter((v) => !adapting.has(v.name)).map((v) => escapeHtml(v.name));
  const rows = 2 * model.adaptation.length;
  return `<section><h2>Sender adaptation</h2><p class="hint">What the adapting sender estimated, sent and chose, sampled every ${model.adaptation[0].intervalMs} ms; scenario phases shaded.${still.length ? ` Variant(s) ${still.join(', ')} do not adapt and are not drawn here.` : ''} Rates are on the wire (IP/UDP/RTP headers included); the bottleneck capacity is the channel's link rate (gaps: unlimited).</p>
<h3>Rates</h3><div class="chart tall"><canvas id="chart-adapt-rates"></canvas></div>
<h3>Queue delay and loss</h3><p class="hint">Largest bottleneck queueing delay and the share of the sender's packets the network dropped per sample interval; RTT and the loss the receiver reports reached the sender.</p><div class="chart"><canvas id="chart-adapt-network"></canvas></div>
<h3>Codec settings</h3><p class="hint">Opus target bitrate and the expected-loss percentage given to the encoder for in-band FEC; below, in-band FEC and RED on or off.</p><div class="chart"><canvas id="chart-adapt-codec"></canvas></div>
<div class="chart" style="height:${70 + 26 * rows}px"><canvas id="chart-adapt-flags"></canvas></div>
${adaptationSummary(model)}</section>`;
}

/** More variants than this: the quality view becomes an overview of every variant plus a detail chart of a chosen few. */
export const QUALITY_OVERVIEW_FROM = 4;

/**
 * Quality over time. Up to three variants, one chart overlays every series. From four on, an
 * overview draws each variant as one row of coloured cells on a shared time axis (upper half:
 * E-model MOS-CQ per window; lower half: ViSQOL per patch; one colour scale, the NSIM through
 * ViSQOL's own MOS mapping), under a network-loss row; the detail chart below shows the variants
 * ticked in the picker (by default the best and the worst MOS-CQ), each in its report colour.
 */
function qualitySection(model: ReportModel): string {
  const detail = '<div class="chart tall"><canvas id="chart-quality"></canvas></div>';
  const hint = `E-model MOS per 5 s window of the post-recovery loss, ViSQOL similarity per 0.4 s patch (low values locate damage), network loss per time bin; scenario phases shaded. Same time axis as the packet timeline below.`;
  if (model.variants.length < QUALITY_OVERVIEW_FROM) return `<section><h2>Quality over time</h2><p class="hint">${hint}</p>\n${detail}</section>`;
  const rows = model.variants.length + 1;
  return `<section><h2>Quality over time</h2>
<p class="hint">Every variant on one time axis, one row each: the upper half of a row is the E-model MOS-CQ per 5 s window of its post-recovery loss, the lower half the ViSQOL similarity of each 0.4 s speech patch (gaps: no speech to score); the top row is the network loss per time bin. Dark cells locate damage. Scenario phases are marked above. Click a row, or tick it below, to draw it in the detail chart.</p>
<div class="chart" style="height:${70 + 26 * rows}px"><canvas id="chart-quality-overview"></canvas></div>
<div class="scale-legend" id="quality-scale"></div>
<h3>Detail</h3><p class="hint">${hint}</p>
<div class="variant-picker" id="quality-picker"></div>
${detail}</section>`;
}

export function renderHtml(model: ReportModel): string {
  const multi = model.variants.length > 1;
  const title = `jitterlab: ${model.name}`;
  const headlines =
    model.variants.length > 3
      ? headlineTable(model.variants)
      : model.variants
          .map((v) => `<div class="headline">${multi ? `<h3>${escapeHtml(v.name)}${v.description ? ` <small>${escapeHtml(v.description)}</small>` : ''}</h3>` : ''}<div class="cards">${headlineCards(v.headline)}</div></div>`)
          .join('\n');
  const provNote = provisionalNote(model.variants);
  const packetCharts = model.variants
    .map(
      (v, i) =>
        `<h3>${multi ? escapeHtml(v.name) : 'Packets'}</h3><div class="chart tall"><canvas id="chart-packets-${i}"></canvas></div>`,
    )
    .join('\n');
  const refFiles = [...new Set(model.variants.map((v) => v.wave.reference))];
  const audio = [
    ...refFiles.map(
      (f, k) => `<div class="player"><div class="plabel">reference <small>${escapeHtml(f)}</small></div><audio id="audio-ref-${k}" controls preload="metadata" src="${escapeHtml(f)}"></audio>
<canvas class="wave" data-kind="reference" data-file="${escapeHtml(f)}" data-audio="audio-ref-${k}"></canvas></div>`,
    ),
    ...model.variants.map(
      (v, i) => `<div class="player"><div class="plabel">degraded${multi ? `: ${escapeHtml(v.name)}` : ''} <small>${escapeHtml(v.files.degraded)}</small></div><audio id="audio-deg-${i}" controls preload="metadata" src="${escapeHtml(v.files.degraded)}"></audio>
<canvas class="wave" data-kind="degraded" data-index="${i}" data-audio="audio-deg-${i}"></canvas></div>`,
    ),
  ].join('\n');
  const hasBands = model.variants.some((v) => v.scores.fvnsim.length > 0);
  const pcapLinks = model.variants.filter((v) => v.files.pcap).map((v) => `<a href="${escapeHtml(v.files.pcap)}">${escapeHtml(v.files.pcap)}</a>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#222;background:#fff}
h1{margin:.2em 0}h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}h3{margin:1em 0 .3em}h4{margin:.4em 0}
.meta,.hint{color:#666}.meta code{background:#f4f4f4;padding:0 4px}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border-radius:8px;padding:10px 14px;min-width:150px;background:#f1f1f1;border-left:6px solid #aaa}
.card .label{font-size:12px;color:#555}.card .value{font-size:26px;font-weight:600}.card .note{font-size:12px;color:#555}
.v-good{background:#eef8f0}.v-fair{background:#fdf6e8}.v-poor{background:#fcecec}.card.good{border-color:#2e9e44;background:#eef8f0}.card.fair{border-color:#e69500;background:#fdf6e8}.card.poor{border-color:#d62728;background:#fcecec}
.prov{display:inline-block;background:#fff3cd;border:1px solid #e0b400;border-radius:4px;padding:0 5px;font-size:11px;color:#7a5b00}
.warn{background:#fff8e1;border-left:4px solid #e0b400;padding:6px 10px;margin:10px 0}.warn p{margin:.2em 0}.warn ul{margin:.3em 0;padding-left:1.4em}.warn li{margin:.2em 0}
.chart{position:relative;height:300px;margin:6px 0 14px}.chart.tall{height:360px}.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.grid3{display:grid;grid-template-columns:repeat(3,1fr);gap:16px}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}th:first-child,td:first-child{text-align:left}
table.kv th{text-align:left;font-weight:normal;color:#555}
.player{margin:8px 0 14px}.player audio{width:100%;height:36px}.plabel{font-weight:600}canvas.wave{width:100%;height:80px;display:block;cursor:pointer;border:1px solid #eee}
.scale-legend{display:flex;flex-wrap:wrap;gap:6px 28px;font-size:12px;color:#555;margin:0 0 10px}.scale-legend .ramp{position:relative;width:300px;height:12px;border:1px solid #ccc;margin:2px 14px 16px}
.scale-legend .tick{position:absolute;top:13px;transform:translateX(-50%);white-space:nowrap;font-size:11px}.scale-legend .tick.up{top:auto;bottom:13px}.scale-legend .swatch{display:inline-block;width:28px;height:12px;border:1px solid #ccc;vertical-align:middle}
.scale-legend .ramp.q{margin-top:16px}
.variant-picker{display:flex;flex-wrap:wrap;gap:4px 14px;margin:4px 0 8px;font-size:13px}.variant-picker label{cursor:pointer;white-space:nowrap}.variant-picker .dot{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 2px;vertical-align:middle}
@media (max-width:800px){.grid2,.grid3{grid-template-columns:1fr}}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(model.description)}</p>
<p class="meta">${model.durationS} s call · seed ${model.seed} · ${model.variants.length} variant(s) · scenario <code>${escapeHtml(model.scenarioFile)}</code> · ${escapeHtml(model.tool)}${pcapLinks.length ? ` · capture ${pcapLinks.join(', ')}` : ''}</p>
<section><h2>Headline</h2>${headlines}${provNote}</section>
${comparisonTable(model)}
${browserSection(model.browsers, escapeHtml)}
${qualitySection(model)}
<section><h2>Packet timeline</h2><p class="hint">Network one-way delay of each media packet by send time; the line is the playout deadline (playout time − send time) of each frame: a packet above it arrives too late. Lost packets are marked at the top; recovered and concealed frames at their deadline. Drawn downsampled (min/max per bucket, ≤ ${model.maxPoints} points per series); full data in packets.csv.</p>
${packetCharts}</section>
${adaptationSection(model)}
<section><h2>Jitter buffer</h2><p class="hint">Buffered audio (level) and the buffer's target delay at each playout tick.</p><div class="chart"><canvas id="chart-jb"></canvas></div></section>
<section><h2>Network delay</h2><div class="grid2"><div class="chart"><canvas id="chart-cdf"></canvas></div><div class="chart"><canvas id="chart-hist"></canvas></div></div></section>
<section><h2>Loss bursts</h2><p class="hint">Lengths of runs of consecutive lost packets in the network and of concealed frames after FEC/redundancy recovery; RFC 3611 section 4.7.2 burst/gap metrics below.</p><div class="chart"><canvas id="chart-bursts"></canvas></div>
${model.variants.map((v) => variantDetails(v)).join('\n')}</section>
<section><h2>Latency budget</h2><p class="hint">Mouth-to-ear delay by part, against ITU-T G.114's 150 ms and 400 ms planning limits.</p><div class="chart" style="height:${120 + 40 * model.variants.length}px"><canvas id="chart-latency"></canvas></div></section>
${hasBands ? '<section><h2>ViSQOL per band</h2><div class="chart"><canvas id="chart-bands"></canvas></div></section>' : ''}
<section><h2>Audio</h2><p class="hint">Concealed regions shaded red on the degraded waveform; click a waveform to seek.</p>${audio}</section>
<script type="application/json" id="report-data">${jsonSafe(model)}</script>
<script>${scriptSafe(chartJsSource())}</script>
<script>${scriptSafe(clientSource())}</script>
</body></html>
`;
}
