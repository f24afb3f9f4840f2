/**
 * End to end: the quickstart scenario and a two-variant scenario with a phase are run to reports
 * in a temporary directory; results.json carries the scores, index.html renders in headless
 * Chromium from file://, call.pcap agrees with tshark, reports/index.html lists the runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium } from '../headless-chromium.ts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { Rfc3550Jitter } from '../../src/metrics/rfc3550-jitter.ts';
import { extractRtpStream, readCaptureFile } from '../../src/pcap/index.ts';
import { readPacketsCsv } from '../../src/report/html/read-packets-csv.ts';
import { PCAP_EPOCH_MS } from '../../src/report/pcap-export.ts';
import { readResults, renderReport } from '../../src/report/html/render-report.ts';
import { listRuns, writeReportIndex } from '../../src/report/report-index.ts';
import type { Results } from '../../src/report/results.ts';
import { runToReport } from '../../src/report/write-run.ts';
import { loadScenario, PROJECT_ROOT } from '../../src/scenario/load.ts';

const TSHARK = '/usr/bin/tshark';
const hasTshark = existsSync(TSHARK);
if (!hasChromium) console.warn(`${CHROMIUM} not installed: skipping the headless-browser rendering checks of the HTML report`);
if (!hasTshark) console.warn(`${TSHARK} not installed: skipping the Wireshark cross-check of call.pcap`);

const MULTI_YAML = `name: twovariants
description: two buffers on one network, a lossy phase in the middle
seed: 11
durationS: 8
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 30, jitterMs: 10, distribution: normal }
  loss: { model: gilbert, rate: 0.01, meanBurstPackets: 2 }
  duplicate: { prob: 0.05 }
phases:
  - { at: 3s, for: 2s, label: lossy, set: { loss: { model: gilbert, rate: 0.2, meanBurstPackets: 3 } } }
receiver:
  jitterBuffer: { type: fixed, delayMs: 60 }
variants:
  - name: deep
  - name: shallow
    receiver: { jitterBuffer: { type: fixed, delayMs: 20 } }
`;

let root: string;
let quick: string;
let multi: string;
let quickResults: Results;
let multiStdout = '';
let browser: Browser | null = null;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'jl-report-'));
  quick = join(root, 'quickstart');
  multi = join(root, 'twovariants');
  const sc = loadScenario(join(PROJECT_ROOT, 'scenarios/quickstart.yaml'));
  quickResults = (await runToReport(sc, { outDir: quick, pcap: true })).results;
  // The two-variant run goes through the CLI, as `npm start` would.
  const yaml = join(root, 'twovariants.yaml');
  writeFileSync(yaml, MULTI_YAML);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    multiStdout += String(chunk);
    return true;
  });
  try {
    const code = await main(['run', yaml, '--out', multi, '--pcap']);
    expect(code).toBe(0);
  } finally {
    spy.mockRestore();
  }
  if (hasChromium) {
    browser = await launchChromium();
  }
});

afterAll(async () => {
  await browser?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('scores in results.json', () => {
  it('has E-model, ViSQOL and sanity scores for the quickstart call', () => {
    const v = quickResults.variants[0];
    const s = v.scores as { emodel: Record<string, unknown> & { windows: unknown[] }; visqol: Record<string, unknown> & { patches: Array<{ endS: number }> }; sanity: Record<string, number> };
    expect(s.emodel.standard).toBe('ITU-T G.107.1');
    expect(s.emodel.provisional).toBe(true);
    expect(s.emodel.pplPercent).toBeCloseTo(v.playout.effectiveLoss * 100, 4);
    expect(s.emodel.taMs).toBeCloseTo(v.latency.mouthToEarMs, 4);
    expect(s.emodel.mosCq as number).toBeGreaterThan(1);
    expect(s.emodel.mosCq as number).toBeLessThanOrEqual(4.5);
    expect(s.emodel.windows).toHaveLength(4); // 20 s in 5 s windows
    // 2 % bursty loss with FEC and a 60 ms buffer: mild damage, ViSQOL sees it as a high score below identity.
    expect(s.visqol.mos as number).toBeGreaterThan(4);
    expect(s.visqol.vnsim as number).toBeLessThan(1);
    expect(s.visqol.patches.length).toBeGreaterThan(20);
    expect(s.visqol.patches[s.visqol.patches.length - 1].endS).toBeLessThanOrEqual(20.01);
    // The degraded WAV is padded to line up with the reference frame by frame.
    expect(s.sanity.lagMs).toBe(0);
    expect(Math.abs(s.sanity.levelOffsetDb)).toBeLessThan(1);
  });

  it('ranks variants with their MOS in the comparison rows', () => {
    const r = readResults(multi);
    expect(r.comparison).toHaveLength(2);
    for (const row of r.comparison!) {
      expect(typeof row.mosEmodel).toBe('number');
      expect(typeof row.mosVisqol).toBe('number');
    }
  });
});

describe('HTML report', () => {
  it('is one self-contained file that references only the files beside it, and re-renders identically', () => {
    const html = readFileSync(join(quick, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<(script|img|link|audio|source)[^>]+(src|href)="(https?:)?\/\//i);
    expect(html).toContain('new Chart(');
    for (const m of html.matchAll(/<audio[^>]+src="([^"]+)"/g)) expect(existsSync(join(quick, m[1]))).toBe(true);
    renderReport(quick);
    expect(readFileSync(join(quick, 'index.html'), 'utf8')).toBe(html);
  });

  it('`run` ends its output with the path of index.html', () => {
    const lines = multiStdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(`Report: ${join(multi, 'index.html')}`);
  });

  async function load(dir: string) {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) external.push(r.url());
    });
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    await page.waitForFunction(() => (window as unknown as { __jitterlabReport?: { ready: boolean } }).__jitterlabReport?.ready === true, null, { timeout: 20_000 });
    const state = await page.evaluate(async () => {
      const canvases = [...document.querySelectorAll('canvas')].map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let painted = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
        return { id: c.id || c.className, painted, total: c.width * c.height };
      });
      const audio = await Promise.all(
        [...document.querySelectorAll('audio')].map(
          (a) =>
            new Promise<{ src: string; readyState: number; duration: number }>((res) => {
              const done = () => res({ src: a.getAttribute('src') ?? '', readyState: a.readyState, duration: a.duration });
              if (a.readyState >= 1) return done();
              a.addEventListener('loadedmetadata', done);
              a.addEventListener('error', done);
              a.load();
            }),
        ),
      );
      const chartLib = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: unknown[] } } | undefined } }).Chart;
      const datasets: Record<string, number> = {};
      for (const c of document.querySelectorAll('canvas')) {
        const ch = chartLib.getChart(c as HTMLCanvasElement);
        if (ch) datasets[c.id] = ch.data.datasets.length;
      }
      const rows = document.querySelectorAll('table.cmp tbody tr').length;
      return { canvases, audio, datasets, rows, report: (window as unknown as { __jitterlabReport: { charts: number; waves: number } }).__jitterlabReport };
    });
    await page.close();
    return { errors, external, ...state };
  }

  it.runIf(hasChromium)('renders the quickstart report in headless Chromium: no errors, every chart drawn, audio loads', async () => {
    const r = await load(quick);
    expect(r.errors).toEqual([]);
    expect(r.external).toEqual([]);
    const ids = r.canvases.map((c) => c.id);
    for (const id of ['chart-quality', 'chart-packets-0', 'chart-jb', 'chart-cdf', 'chart-hist', 'chart-bursts', 'chart-latency', 'chart-bands']) expect(ids).toContain(id);
    expect(r.canvases.filter((c) => c.id === 'wave')).toHaveLength(2);
    for (const c of r.canvases) {
      expect(c.total, c.id).toBeGreaterThan(0);
      expect(c.painted, `${c.id} is blank`).toBeGreaterThan(c.total * 0.005);
    }
    expect(r.report.charts).toBe(r.canvases.length - r.report.waves);
    expect(r.audio.map((a) => a.src).sort()).toEqual(['degraded.wav', 'reference.wav']);
    for (const a of r.audio) {
      expect(a.readyState, a.src).toBeGreaterThanOrEqual(1);
      expect(a.duration).toBeCloseTo(20, 0);
    }
  });

  it.runIf(hasChromium)('with several variants: comparison table, overlaid curves, one timeline and one player per variant', async () => {
    const r = await load(multi);
    expect(r.errors).toEqual([]);
    expect(r.external).toEqual([]);
    expect(r.rows).toBe(2);
    expect(r.datasets['chart-jb']).toBe(4); // level + target per variant
    expect(r.datasets['chart-cdf']).toBe(2);
    expect(r.datasets['chart-packets-1']).toBeGreaterThan(0);
    for (const c of r.canvases) expect(c.painted, `${c.id} is blank`).toBeGreaterThan(c.total * 0.005);
    expect(r.audio.map((a) => a.src).sort()).toEqual(['reference.wav', 'variants/deep/degraded.wav', 'variants/shallow/degraded.wav']);
    for (const a of r.audio) expect(a.readyState, a.src).toBeGreaterThanOrEqual(1);
    const html = readFileSync(join(multi, 'index.html'), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]) as { phases: Array<{ label: string; startS: number; endS: number }> };
    expect(data.phases).toEqual([{ label: 'lossy', startS: 3, endS: 5 }]);
  });
});

describe('reports/index.html', () => {
  it('lists every run with its headline numbers and a link to its report', () => {
    const file = writeReportIndex(root)!;
    const html = readFileSync(file, 'utf8');
    const runs = listRuns(root);
    expect(runs.map((r) => r.dir).sort()).toEqual(['quickstart', 'twovariants']);
    expect(html).toContain('href="quickstart/index.html"');
    expect(html).toContain('href="twovariants/index.html"');
    const q = runs.find((r) => r.dir === 'quickstart')!;
    expect(q.mosCq).toBe((quickResults.variants[0].scores as { emodel: { mosCq: number } }).emodel.mosCq);
    expect(html).toContain(q.mosCq!.toFixed(2));
  });
});

describe('call.pcap', () => {
  it.runIf(hasTshark)('agrees with results.json in tshark: packets, loss and RFC 3550 jitter', () => {
    const v = quickResults.variants[0];
    expect(v.files.pcap).toBe('call.pcap');
    const out = execFileSync(TSHARK, ['-n', '-r', join(quick, 'call.pcap'), '-q', '-z', 'rtp,streams'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    const ssrc = `0x${quickResults.rtp.ssrc.toString(16).padStart(8, '0')}`;
    const line = out.split('\n').find((l) => l.toLowerCase().includes(ssrc));
    expect(line, out).toBeDefined();
    // Start End SrcIP SrcPort DstIP DstPort SSRC Payload Pkts Lost (pct) MinΔ MeanΔ MaxΔ MinJ MeanJ MaxJ [Problems]
    const cols = line!.trim().split(/\s+/);
    expect(cols[7].toLowerCase()).toBe('opus'); // the SDP told Wireshark the payload type
    const media = readPacketsCsv(join(quick, 'packets.csv'))
      .filter((p) => p.kind === 'media')
      .sort((a, b) => a.sendMs - b.sendMs);
    const received = media.filter((p) => p.arrivalMs !== null);
    const dups = media.filter((p) => p.duplicated).length;
    expect(Number(cols[8])).toBe(received.length + dups);
    // tshark counts loss between the first and last sequence number it saw, minus every copy.
    const first = media.findIndex((p) => p.arrivalMs !== null);
    const last = media.length - 1 - [...media].reverse().findIndex((p) => p.arrivalMs !== null);
    const lostInside = media.slice(first, last + 1).filter((p) => p.arrivalMs === null).length;
    expect(Number(cols[9])).toBe(lostInside - dups);
    expect(lostInside + first + (media.length - 1 - last)).toBe(v.network.lostInNetwork);

    // RFC 3550 A.8 jitter, running, in arrival order, from packets.csv (what results.json reports at the end).
    const est = new Rfc3550Jitter(48000);
    const series: number[] = [];
    for (const p of [...received].sort((a, b) => a.arrivalMs! - b.arrivalMs! || a.sendMs - b.sendMs)) {
      est.update(p.arrivalMs!, p.frame * 960);
      series.push(est.jitterMs);
    }
    // results.json's jitter is the final estimate; packets.csv holds times rounded to 1 us.
    expect(series[series.length - 1]).toBeCloseTo(v.network.rfc3550JitterMs, 3);
    // tshark runs the same estimator in arrival order but on the pcap's 1 us timestamps and prints
    // ms with 3 decimals; ours works in 48 kHz timestamp units from float ms. The rounding moves
    // each transit by < 1 us, so max and mean agree to the printed precision (0.002 ms allowed).
    // tshark's mean skips the first packet (its jitter is 0 by definition).
    const maxJ = Math.max(...series);
    const meanJ = series.slice(1).reduce((a, b) => a + b, 0) / (series.length - 1);
    expect(Math.abs(Number(cols[16]) - maxJ)).toBeLessThan(0.002);
    expect(Math.abs(Number(cols[15]) - meanJ)).toBeLessThan(0.002);
  });

  it('carries every received copy at its arrival time, duplicates included, per variant with several', () => {
    const r = readResults(multi);
    let dupsSeen = 0;
    for (const v of r.variants) {
      expect(v.files.pcap).toBe(`variants/${v.name}/call.pcap`);
      const stream = extractRtpStream(readCaptureFile(join(multi, v.files.pcap)), { ssrc: r.rtp.ssrc });
      const media = readPacketsCsv(join(multi, v.files.packets)).filter((p) => p.kind === 'media');
      const received = media.filter((p) => p.arrivalMs !== null);
      const dups = media.filter((p) => p.duplicated).length;
      const info = v.pcap!;
      // The second copies the channel replay could time are written; the rest are counted as omitted.
      expect(info.duplicates + info.duplicatesOmitted).toBe(dups);
      dupsSeen += info.duplicates;
      expect(stream.packets).toHaveLength(received.length + info.duplicates);
      expect(info.packets).toBe(stream.packets.length + 1); // + the INVITE
      expect(info.syntheticPayloads).toBe(0);
      // Each packet's first copy arrives when packets.csv says (capture clock starts at PCAP_EPOCH_MS).
      const firstBySeq = new Map<number, number>();
      for (const p of stream.packets) if (!firstBySeq.has(p.seq)) firstBySeq.set(p.seq, p.arrivalMs - PCAP_EPOCH_MS);
      for (const p of received) expect(Math.abs(firstBySeq.get(p.seq)! - p.arrivalMs!)).toBeLessThan(0.002);
      // Capture order is arrival order.
      for (let k = 1; k < stream.packets.length; k++) expect(stream.packets[k].arrivalMs).toBeGreaterThanOrEqual(stream.packets[k - 1].arrivalMs);
    }
    expect(dupsSeen).toBeGreaterThan(0); // 5 % duplication over 2 x 400 packets, most timed by the replay
  });
});
