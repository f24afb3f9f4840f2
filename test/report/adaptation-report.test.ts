/**
 * The "Sender adaptation" section of the HTML report: the model's series (change points for
 * settings, bounded for long calls, defensive on malformed input) and, end to end, the capacity
 * drop scenario (shortened) run to a report and loaded in headless Chromium.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium } from '../headless-chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptationModels, adaptationVariantModel, stepChanges, type AdaptationVariantModel } from '../../src/report/html/adaptation-model.ts';
import { renderHtml } from '../../src/report/html/render-html.ts';
import { readResults, renderReport } from '../../src/report/html/render-report.ts';
import { buildReportModel } from '../../src/report/html/report-model.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';

if (!hasChromium) console.warn(`${CHROMIUM} not installed: skipping the headless-browser rendering checks of the adaptation charts`);

/** A columnar adaptation block like src/sender/adaptation/timeline.ts writes, from per-sample functions. */
function timeline(n: number, intervalMs: number, f: (i: number) => Partial<Record<string, number | null>>): Record<string, unknown> {
  const keys = ['estimateKbps', 'lossBasedKbps', 'delayBasedKbps', 'ackedKbps', 'sendRateKbps', 'capacityKbps', 'queueDelayMs', 'networkLoss', 'reportedLoss', 'rttMs', 'codecBitrateKbps', 'fec', 'expectedLossPct', 'red', 'crossTrafficKbps'];
  const cols: Record<string, unknown[]> = Object.fromEntries(keys.map((k) => [k, []]));
  const tMs: number[] = [];
  for (let i = 0; i < n; i++) {
    tMs.push((i + 1) * intervalMs);
    const row = f(i);
    for (const k of keys) cols[k].push(k in row ? row[k] : 0);
  }
  return { intervalMs, tMs, ...cols, summary: { samples: n, codecChanges: 3, meanCodecBitrateKbps: null, bogus: 'text' } };
}

describe('adaptation model', () => {
  it('reduces a step series to its change points plus the last sample', () => {
    const pts = [5, 5, 7, 7, 7, null, null, 5].map((y, i) => ({ x: i, y }));
    expect(stepChanges(pts)).toEqual([
      { x: 0, y: 5 },
      { x: 2, y: 7 },
      { x: 5, y: null },
      { x: 7, y: 5 },
    ]);
    expect(stepChanges([{ x: 1, y: 3 }])).toEqual([{ x: 1, y: 3 }]);
    expect(stepChanges([])).toEqual([]);
  });

  it('bounds a one-hour call: continuous series bucketed with their extremes, settings as exact change points', () => {
    const n = 14_400; // 1 h at 250 ms
    const raw = timeline(n, 250, (i) => ({
      estimateKbps: 30 + 10 * Math.sin(i / 50) + (i === 7001 ? 500 : 0),
      sendRateKbps: 28,
      capacityKbps: i < 7200 ? 64 : i < 9000 ? 16 : null,
      codecBitrateKbps: i < 100 ? 32 : i < 7300 ? 40 : 8,
      fec: i >= 8000 && i < 8400 ? 1 : 0,
      expectedLossPct: i >= 8000 && i < 8400 ? 12.5 : 0,
      networkLoss: i === 8100 ? 0.25 : 0,
      reportedLoss: i < 10 ? null : 0.01,
      rttMs: null,
    }));
    const m = adaptationVariantModel(raw, 'adaptive', 2, 1000)!;
    expect(m.name).toBe('adaptive');
    expect(m.index).toBe(2);
    expect(m.intervalMs).toBe(250);
    for (const s of [m.rates.estimate, m.rates.sendRate, m.network.queueDelayMs, m.network.lossPct]) expect(s.length).toBeLessThanOrEqual(1000);
    // Min/max bucketing keeps the single 1-sample spike and the single lossy interval (as percent).
    expect(Math.max(...m.rates.estimate.map((p) => p.y))).toBeGreaterThan(500);
    expect(m.network.lossPct.find((p) => p.y === 25)?.x).toBe(2025.25);
    expect(m.rates.capacity).toEqual([
      { x: 0.25, y: 64 },
      { x: 1800.25, y: 16 },
      { x: 2250.25, y: null },
      { x: 3600, y: null },
    ]);
    expect(m.codec.bitrateKbps.map((p) => p.y)).toEqual([32, 40, 8, 8]);
    expect(m.codec.fec).toEqual([
      { x: 0.25, y: 0 },
      { x: 2000.25, y: 1 },
      { x: 2100.25, y: 0 },
      { x: 3600, y: 0 },
    ]);
    expect(m.codec.expectedLossPct.map((p) => p.y)).toEqual([0, 12.5, 0, 0]);
    expect(m.codec.red).toHaveLength(2); // never on: first and last sample
    // Optional series: all-null RTT is left out; reported loss keeps its defined samples only.
    expect(m.network.rttMs).toBeNull();
    expect(m.network.reportedLossPct![0]).toEqual({ x: 2.75, y: 1 });
    expect(m.rates.crossTraffic).toBeNull();
    // Only numeric (or null) summary entries are carried.
    expect(m.summary).toEqual({ samples: n, codecChanges: 3, meanCodecBitrateKbps: null });
  });

  it('falls back to bucketing when settings change more often than the point budget', () => {
    const m = adaptationVariantModel(timeline(5000, 100, (i) => ({ estimateKbps: 20, sendRateKbps: 20, codecBitrateKbps: i % 2 ? 10 : 30 })), 'v', 0, 400)!;
    expect(m.codec.bitrateKbps.length).toBeLessThanOrEqual(400);
    expect(new Set(m.codec.bitrateKbps.map((p) => p.y))).toEqual(new Set([10, 30]));
  });

  it('leaves out what it cannot read instead of throwing', () => {
    expect(adaptationVariantModel(null, 'v', 0)).toBeNull();
    expect(adaptationVariantModel({ tMs: [] }, 'v', 0)).toBeNull();
    expect(adaptationVariantModel({ tMs: [250, 'x'], estimateKbps: [1, 2], sendRateKbps: [1, 2] }, 'v', 0)).toBeNull();
    expect(adaptationVariantModel({ tMs: [250, 500], estimateKbps: [1], sendRateKbps: [1, 2] }, 'v', 0)).toBeNull();
    const m = adaptationVariantModel({ tMs: [250, 500], estimateKbps: [10, 12], sendRateKbps: [9, 11], delayBasedKbps: [1, 'a'], capacityKbps: [64] }, 'v', 0)!;
    expect(m.rates.estimate).toEqual([
      { x: 0.25, y: 10 },
      { x: 0.5, y: 12 },
    ]);
    expect(m.rates.delayBased).toBeNull();
    expect(m.rates.capacity).toEqual([]);
    expect(m.codec.bitrateKbps).toEqual([]);
    expect(adaptationModels([{ name: 'a' }, { name: 'b', adaptation: timeline(3, 250, () => ({ estimateKbps: 1 })) }, { name: 'c', adaptation: 'bad' }]).map((x) => [x.name, x.index])).toEqual([['b', 1]]);
  });
});

// The capacity-drop scenario, shortened to 24 s: 64 kbit/s, 16 kbit/s from 8 s to 18 s, then 64 again.
const DROP_AT_S = 8;
const DROP_END_S = 18;
function shortenedCapacityDrop() {
  const file = join(PROJECT_ROOT, 'scenarios/adaptation-capacity-drop.yaml');
  const text = readFileSync(file, 'utf8');
  const short = text.replace(/^durationS: 45$/m, 'durationS: 24').replace('at: 15s, for: 15s', `at: ${DROP_AT_S}s, for: ${DROP_END_S - DROP_AT_S}s`);
  expect(short).not.toBe(text);
  expect(short).toContain(`at: ${DROP_AT_S}s`);
  return parseScenarioText(short, file);
}

interface EmbeddedData {
  phases: Array<{ startS: number; endS: number; label: string }>;
  adaptation: AdaptationVariantModel[];
}
function embedded(html: string): EmbeddedData {
  return JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]) as EmbeddedData;
}

const ADAPT_CANVASES = ['chart-adapt-rates', 'chart-adapt-network', 'chart-adapt-codec', 'chart-adapt-flags'];

let root: string;
let dir: string;
let browser: Browser | null = null;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'jl-adapt-report-'));
  dir = join(root, 'capacity-drop');
  await runToReport(shortenedCapacityDrop(), { outDir: dir });
  if (hasChromium) {
    browser = await launchChromium();
  }
});

afterAll(async () => {
  await browser?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('adaptation section of a capacity-drop report', () => {
  it('embeds the adapting variant only, and its estimate falls after the capacity drop', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<h2>Sender adaptation</h2>');
    for (const id of ADAPT_CANVASES) expect(html).toContain(`id="${id}"`);
    const data = embedded(html);
    expect(data.phases).toEqual([{ label: 'bottleneck 16 kbit/s', startS: DROP_AT_S, endS: DROP_END_S }]);
    expect(data.adaptation.map((a) => [a.name, a.index])).toEqual([['adaptive', 0]]);
    const a = data.adaptation[0];
    // The bottleneck as a step line: 64, then 16 from the first sample in the phase, then 64.
    const cap = a.rates.capacity.filter((p, i, all) => i === 0 || p.y !== all[i - 1].y);
    expect(cap.map((p) => p.y)).toEqual([64, 16, 64]);
    expect(cap[1].x).toBeGreaterThanOrEqual(DROP_AT_S);
    expect(cap[1].x).toBeLessThan(DROP_AT_S + 0.5);
    expect(cap[2].x).toBeGreaterThanOrEqual(DROP_END_S);
    expect(cap[2].x).toBeLessThan(DROP_END_S + 0.5);

    const est = a.rates.estimate;
    const before = est.filter((p) => p.x > 3 && p.x < DROP_AT_S).map((p) => p.y);
    const late = est.filter((p) => p.x > DROP_AT_S + 4 && p.x < DROP_END_S).map((p) => p.y);
    expect(before.length).toBeGreaterThan(10);
    expect(late.length).toBeGreaterThan(10);
    // Above the 16 kbit/s bottleneck before the drop, at most near it once the sender has reacted.
    expect(Math.min(...before)).toBeGreaterThan(32);
    expect(Math.max(...late)).toBeLessThan(24);
    // It reacts within a few seconds of the drop (the queue has to build before the delay trend shows).
    const firstBelow = est.find((p) => p.x >= DROP_AT_S && p.y < 24);
    expect(firstBelow).toBeDefined();
    expect(firstBelow!.x).toBeLessThan(DROP_AT_S + 4);
    // The codec follows: the Opus bitrate after the drop is below what it was before.
    const br = a.codec.bitrateKbps;
    const brAt = (t: number) => [...br].reverse().find((p) => p.x <= t)!.y!;
    expect(brAt(DROP_END_S - 0.5)).toBeLessThan(brAt(DROP_AT_S - 0.5));
    // The queue builds at the drop.
    const qBefore = Math.max(...a.network.queueDelayMs.filter((p) => p.x < DROP_AT_S).map((p) => p.y));
    const qAfter = Math.max(...a.network.queueDelayMs.filter((p) => p.x >= DROP_AT_S && p.x < DROP_AT_S + 4).map((p) => p.y));
    expect(qAfter).toBeGreaterThan(qBefore + 100);
  });

  it('re-renders byte-identically, and a report without adaptation has no such section', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    renderReport(dir);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe(html);
    const model = buildReportModel(readResults(dir), dir);
    const without = renderHtml({ ...model, adaptation: [] });
    expect(without).not.toContain('<h2>Sender adaptation</h2>');
    expect(without).not.toContain('id="chart-adapt-');
  });

  it.runIf(hasChromium)('draws every adaptation chart in headless Chromium with no console errors, on one time axis', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForFunction(() => (window as unknown as { __jitterlabReport?: { ready: boolean } }).__jitterlabReport?.ready === true, null, { timeout: 20_000 });
    const state = await page.evaluate((ids) => {
      type ChartLike = { chartArea: { left: number; right: number }; data: { datasets: Array<{ label: string; data: unknown[] }> } };
      const chartLib = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }).Chart;
      return ids.map((id) => {
        const c = document.getElementById(id) as HTMLCanvasElement | null;
        if (!c) return { id, missing: true, painted: 0, total: 0, labels: [] as string[], points: 0, left: 0, right: 0 };
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
        const ch = chartLib.getChart(c);
        return {
          id,
          missing: false,
          painted,
          total: c.width * c.height,
          labels: ch ? ch.data.datasets.map((s) => s.label) : [],
          points: ch ? ch.data.datasets.reduce((n, s) => n + s.data.length, 0) : 0,
          left: ch ? ch.chartArea.left : 0,
          right: ch ? ch.chartArea.right : 0,
        };
      });
    }, ADAPT_CANVASES);
    await page.close();
    expect(errors).toEqual([]);
    for (const c of state) {
      expect(c.missing, c.id).toBe(false);
      expect(c.total, c.id).toBeGreaterThan(0);
      expect(c.painted, `${c.id} is blank`).toBeGreaterThan(c.total * 0.005);
      expect(c.points, c.id).toBeGreaterThan(0);
    }
    const [rates, network, codec, flags] = state;
    for (const l of ['estimate (combined)', 'delay-based estimate', 'loss-based estimate', 'send rate', 'bottleneck capacity']) expect(rates.labels).toContain(l);
    expect(network.labels).toContain('bottleneck queue delay (max per interval)');
    expect(network.labels).toContain('network loss (% per interval)');
    expect(codec.labels).toEqual(['Opus bitrate', 'expected loss for FEC (%)']);
    expect(flags.labels).toEqual(['in-band FEC on', 'RED on']);
    // The four charts share one plot width, so a moment lines up vertically across them.
    for (const c of state) {
      expect(c.left, c.id).toBeCloseTo(rates.left, 0);
      expect(c.right, c.id).toBeCloseTo(rates.right, 0);
    }
  });
});
