/**
 * The "Quality over time" view with many variants (compare-buffers has 14, and one more is coming):
 * one overlaid chart had ~60 legend entries and could not be read (issue 16). A 15-variant run is
 * rendered and loaded in headless Chromium: an overview with one row per variant on the shared
 * time axis, a colour-scale legend, and a detail chart of a chosen few (best and worst MOS-CQ by
 * default) whose legend stays short, driven by a picker and by clicks on the overview's rows.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html/render-report.ts';
import { nsimForMos } from '../../src/report/html/report-model.ts';
import type { Results } from '../../src/report/results.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { similarityToQuality } from '../../src/scores/index.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../headless-chromium.ts';

if (!hasChromium) console.warn(`${CHROMIUM} not installed: skipping the headless-browser checks of the many-variant quality view`);

const BUFFERS = [20, 40, 60, 80, 100, 120, 160].map((d) => `  - { name: fixed-${d}, receiver: { jitterBuffer: { type: fixed, delayMs: ${d} } } }`);
const YAML = `name: many
description: fifteen variants on one bursty path
seed: 7
durationS: 6
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 40, jitterMs: 15, distribution: paretonormal, correlation: 0.3 }
  loss: { model: gilbertElliott, p: 0.03, r: 0.3, lossGood: 0.005, lossBad: 0.7 }
phases:
  - { at: 2s, for: 2s, label: storm, set: { delay: { jitterMs: 40 } } }
receiver:
  jitterBuffer: { type: neteq }
variants:
${BUFFERS.join('\n')}
  - { name: adaptive, receiver: { jitterBuffer: { type: adaptive } } }
  - { name: ramjee, receiver: { jitterBuffer: { type: ramjee, algorithm: 4 } } }
  - { name: neteq }
  - { name: pjsip, receiver: { jitterBuffer: { type: pjsip } } }
  - { name: plc-silence, receiver: { plc: silence, fec: false } }
  - { name: plc-repeat, receiver: { plc: repeat, fec: false } }
  - { name: plc-pitch, receiver: { plc: pitch, fec: false } }
  - { name: plc-opus, receiver: { plc: opus, fec: false } }
report: { html: true, visqol: true }
`;

let root: string;
let dir: string;
let results: Results;
let browser: Browser | null = null;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'jl-many-'));
  dir = join(root, 'many');
  results = (await runToReport(parseScenarioText(YAML, join(PROJECT_ROOT, 'scenarios', 'many.yaml')), { outDir: dir })).results;
  if (hasChromium) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

interface ChartView {
  datasets: Array<{ label: string; n: number; hidden: boolean }>;
  legendItems: number;
  legendHeight: number;
  area: { left: number; right: number; top: number; bottom: number };
  yTicks: string[];
}

async function open(reportDir: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(join(reportDir, 'index.html')).href);
  await page.waitForFunction(() => (window as unknown as { __jitterlabReport?: { ready: boolean } }).__jitterlabReport?.ready === true, null, { timeout: 20_000 });
  return { page, errors };
}

function chartView(page: Page, id: string): Promise<ChartView> {
  return page.evaluate((canvasId) => {
    type C = {
      data: { datasets: Array<{ label: string; data: unknown[]; hidden?: boolean }> };
      legend: { legendItems?: unknown[]; height: number; options: { display: boolean } };
      chartArea: { left: number; right: number; top: number; bottom: number };
      scales: { y: { ticks: Array<{ label: string }> } };
    };
    const lib = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): C | undefined } }).Chart;
    const c = lib.getChart(document.getElementById(canvasId) as HTMLCanvasElement)!;
    return {
      datasets: c.data.datasets.map((d) => ({ label: d.label, n: d.data.length, hidden: d.hidden === true })),
      legendItems: c.legend.options.display === false ? 0 : (c.legend.legendItems ?? []).length,
      legendHeight: c.legend.options.display === false ? 0 : c.legend.height,
      area: { left: c.chartArea.left, right: c.chartArea.right, top: c.chartArea.top, bottom: c.chartArea.bottom },
      yTicks: c.scales.y.ticks.map((t) => String(t.label)),
    };
  }, id);
}

/** Variants whose series the detail chart draws (from its "name: what" labels). */
/** The chart's view once two readings 50 ms apart give the same plot area (a re-layout has finished). */
async function settledView(page: Page, id: string): Promise<ChartView> {
  let view = await chartView(page, id);
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(50);
    const next = await chartView(page, id);
    if (JSON.stringify(next.area) === JSON.stringify(view.area)) return next;
    view = next;
  }
  return view;
}

function shownIn(view: ChartView): string[] {
  return [...new Set(view.datasets.map((d) => /^(.+?): E-model MOS-CQ/.exec(d.label)?.[1]).filter((x): x is string => !!x))];
}

describe('the quality view of a 15-variant report', () => {
  const names = () => results.variants.map((v) => v.name);
  const mosCq = (name: string) => (results.variants.find((v) => v.name === name)!.scores as { emodel: { mosCq: number } }).emodel.mosCq;

  it('has the colour scale ticks at the NSIM that ViSQOL maps to each MOS', () => {
    for (const mos of [2, 3, 3.6, 4.03, 4.5]) expect(similarityToQuality(nsimForMos(mos))).toBeCloseTo(mos, 4);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('id="chart-quality-overview"');
  });

  it.runIf(hasChromium)('draws one overview row per variant, and a detail chart of the best and the worst with a short legend', async () => {
    const { page, errors } = await open(dir);
    const overview = await chartView(page, 'chart-quality-overview');
    expect(overview.yTicks).toEqual(['network loss', ...names()]);
    expect(overview.legendItems).toBe(0);
    const byLabel = Object.fromEntries(overview.datasets.map((d) => [d.label, d.n]));
    const windows = results.variants.reduce((s, v) => s + (v.scores as { emodel: { windows: unknown[] } }).emodel.windows.length, 0);
    const patches = results.variants.reduce((s, v) => s + (v.scores as { visqol: { patches: unknown[] } }).visqol.patches.length, 0);
    expect(byLabel).toEqual({ 'not computed': 0, 'E-model MOS-CQ': windows, 'ViSQOL patch similarity': patches, 'network loss': 6 });

    const detail = await chartView(page, 'chart-quality');
    const sorted = [...names()].sort((a, b) => mosCq(b) - mosCq(a));
    expect(shownIn(detail).sort()).toEqual([sorted[0], sorted[sorted.length - 1]].sort());
    // Three series per variant shown, the network loss, a concealment bar per variant: 9 entries, not 60.
    expect(detail.legendItems).toBeLessThanOrEqual(10);
    expect(detail.legendHeight).toBeLessThan(80);
    // One time axis: a moment lines up between the overview and the detail.
    expect(Math.abs(overview.area.left - detail.area.left)).toBeLessThanOrEqual(1);
    expect(Math.abs(overview.area.right - detail.area.right)).toBeLessThanOrEqual(1);
    expect(await page.locator('#quality-scale .tick').count()).toBe(2 * 6 + 5);
    expect(await page.locator('#quality-picker input:checked').count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.runIf(hasChromium)('adds a variant ticked in the picker and removes one clicked in the overview', async () => {
    const { page, errors } = await open(dir);
    const before = shownIn(await chartView(page, 'chart-quality'));
    const extra = names().find((n) => !before.includes(n))!;
    await page.locator(`#quality-picker input[data-index="${names().indexOf(extra)}"]`).check();
    expect(shownIn(await chartView(page, 'chart-quality')).sort()).toEqual([...before, extra].sort());
    // A click on the row of a shown variant takes it out of the detail and unticks it. The tick
    // above re-lays out both charts (their time axes are aligned again): the overview's geometry
    // is read once it has settled, and the detail is read until the click has reached it.
    const overview = await settledView(page, 'chart-quality-overview');
    const row = names().indexOf(before[0]) + 1;
    const rowY = overview.area.top + ((row + 0.5) / (names().length + 1)) * (overview.area.bottom - overview.area.top);
    await page.locator('#chart-quality-overview').click({ position: { x: (overview.area.left + overview.area.right) / 2, y: rowY } });
    await expect.poll(async () => shownIn(await chartView(page, 'chart-quality')).sort(), { timeout: 5000 }).toEqual([before[1], extra].sort());
    expect(await page.locator(`#quality-picker input[data-index="${row - 1}"]`).isChecked()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.runIf(hasChromium)('shows a variant without a series (e.g. no ViSQOL) as a hatched "not computed" band, not a gap', async () => {
    const copy = join(root, 'no-visqol');
    cpSync(dir, copy, { recursive: true });
    const file = join(copy, 'results.json');
    const r = JSON.parse(readFileSync(file, 'utf8')) as Results;
    (r.variants[3].scores as { visqol: unknown }).visqol = null;
    writeFileSync(file, JSON.stringify(r));
    renderReport(copy);
    const { page, errors } = await open(copy);
    const overview = await chartView(page, 'chart-quality-overview');
    expect(overview.datasets.find((d) => d.label === 'not computed')!.n).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
