/**
 * The live server's leg engines (issue 17): what crosses the thread boundary (packet blocks,
 * batched mailboxes in order), what threads share (one recording quota, one clock zero, counters
 * added up for /metrics), and a server whose RTP streams are spread over two worker threads
 * playing the same as one whose legs run on its main thread (--workers 0).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { monotonicMs, RealClock } from '../../src/core/clock.ts';
import { PacketBlockWriter, readPacketBlock } from '../../src/live/engine-protocol.ts';
import { Mailbox } from '../../src/live/mailbox.ts';
import { MetricRegistry } from '../../src/live/prometheus.ts';
import { RecordingQuota } from '../../src/live/recording-quota.ts';
import type { RtpStreamInfo } from '../../src/live/rtp-ingress.ts';
import type { LiveServer } from '../../src/live/server.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { sendRtpStream, tempDir, testServer, TOKEN, waitFor, writeScenario } from './helpers.ts';
import { WebSocket } from 'ws';
import { RESTART_LIMIT } from '../../src/live/engine-pool.ts';

const tmp = tempDir('engines');
const servers: LiveServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  tmp.cleanup();
});
const turn = () => new Promise((r) => setImmediate(r));

describe('packet blocks', () => {
  it('carry each packet with its stream id and arrival instant, in order, growing past their first buffer', () => {
    const w = new PacketBlockWriter();
    const sent: Array<[number, number, Uint8Array]> = [];
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: 12 + ((i * 37) % 200) }, (_, k) => (i + k) & 255);
      sent.push([i % 7, 1000.125 + i * 0.5, bytes]);
      w.add(i % 7, 1000.125 + i * 0.5, bytes);
    }
    const { block, n } = w.take();
    expect(n).toBe(300);
    expect(block.byteLength).toBeGreaterThan(16 * 1024);
    const got: Array<[number, number, Uint8Array]> = [];
    readPacketBlock(block, n, (id, at, p) => got.push([id, at, p.slice()]));
    expect(got).toEqual(sent);
    expect(w.take().n).toBe(0);
  });
});

describe('Mailbox', () => {
  it('posts once per event-loop turn and keeps order: packets never overtake the message queued after them', async () => {
    const posts: unknown[][] = [];
    const box = new Mailbox<{ k: string; n?: number }>((batch) => posts.push(batch), (block, n) => ({ k: 'pk', n, bytes: block.byteLength }));
    box.push({ k: 'start' });
    box.packet(1, 0, Uint8Array.of(1, 2, 3));
    box.packet(1, 1, Uint8Array.of(4, 5));
    box.push({ k: 'end' });
    box.packet(2, 2, Uint8Array.of(6));
    expect(posts.length).toBe(0);
    await turn();
    expect(posts.length).toBe(1);
    expect(posts[0].map((m) => (m as { k: string }).k)).toEqual(['start', 'pk', 'end', 'pk']);
    expect((posts[0][1] as { n: number }).n).toBe(2);
    box.close();
    box.push({ k: 'after close' });
    await turn();
    expect(posts.length).toBe(1);
  });
});

describe('what threads share', () => {
  it('one recording quota: threads racing for its places never take more than the limit', async () => {
    const limits = { maxActive: 20_000, maxPerRun: 20_000, maxBytes: 1 << 20, budgetBytes: 1 << 20 };
    const q = new RecordingQuota(limits);
    // Each worker loads the quota's TypeScript through tsx (as the live server's workers can) and
    // takes places as fast as it can; together they try for twice as many as there are.
    const racer = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        (await import(workerData.tsx)).register();
        const { RecordingQuota } = await import(workerData.url);
        const q = RecordingQuota.attach(workerData.limits, workerData.shared);
        let got = 0;
        for (let i = 0; i < workerData.limits.maxActive; i++) if (q.acquire() === null) got++;
        parentPort.postMessage(got);
      })();`;
    const data = { tsx: import.meta.resolve('tsx/esm/api'), url: new URL('../../src/live/recording-quota.ts', import.meta.url).href, limits, shared: q.shared };
    const ws = [0, 1].map(() => new Worker(racer, { eval: true, workerData: data }));
    const got = await Promise.all(ws.map((w) => new Promise<number>((r, j) => (w.once('message', r), w.once('error', j)))));
    await Promise.all(ws.map((w) => w.terminate()));
    expect(got[0] + got[1]).toBe(20_000);
    expect(q.activeCount).toBe(20_000);
    expect(q.acquire()).toMatch(/--max-active-recordings/);
  }, 30_000);

  it('a quota attached in another place sees and limits the same counts', () => {
    const limits = { maxActive: 2, maxPerRun: 3, maxBytes: 1000, budgetBytes: 1500 };
    const a = new RecordingQuota(limits);
    const b = RecordingQuota.attach(limits, a.shared);
    expect(a.acquire()).toBeNull();
    expect(b.acquire()).toBeNull();
    expect(a.acquire()).toMatch(/--max-active-recordings/);
    b.release();
    expect(a.activeCount).toBe(1);
    expect(a.acquire()).toBeNull();
    a.release();
    a.release();
    expect(b.acquire()).toMatch(/--max-recordings/);
    expect(b.activeCount).toBe(0);
    expect(a.charge(0, 900)).toBeNull();
    expect(b.charge(0, 700)).toMatch(/--recording-budget-mb/);
    expect(b.charge(0, 600)).toBeNull();
  });

  it('one clock zero: a RealClock made from another clock\'s zero reads the same time', async () => {
    const a = new RealClock();
    await new Promise((r) => setTimeout(r, 30));
    const b = new RealClock(a.originMonotonicMs);
    const [ta, tb] = [a.now(), b.now()];
    expect(ta).toBeGreaterThanOrEqual(29);
    expect(Math.abs(tb - ta)).toBeLessThan(1);
    expect(Math.abs(b.originMonotonicMs - (monotonicMs() - b.now()))).toBeLessThan(1);
  });

  it('counters of other registries add up by label set on render; gauges stay this registry\'s', () => {
    const mk = () => {
      const r = new MetricRegistry();
      const c = r.counter('x_total', 'x');
      r.gauge('g', 'g', () => [{ labels: {}, value: 3 }]);
      return { r, c };
    };
    const main = mk();
    const e1 = mk();
    const e2 = mk();
    main.c.inc({ kind: 'ws' });
    e1.c.inc({ kind: 'rtp' }, 5);
    e2.c.inc({ kind: 'rtp' }, 2);
    e2.c.inc({ kind: 'ws' }, 10);
    const text = main.r.render([e1.r.counterSnapshot(), e2.r.counterSnapshot()]);
    expect(text).toMatch(/^x_total\{kind="ws"\} 11$/m);
    expect(text).toMatch(/^x_total\{kind="rtp"\} 7$/m);
    expect(text).toMatch(/^g 3$/m);
  });
});

describe('RTP streams on leg engines', () => {
  const scenario = () => writeScenario(tmp.dir, 'engines', 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 200 }\n');

  async function play(workers: number): Promise<{ s: LiveServer; infos: RtpStreamInfo[]; metrics: string }> {
    const s = await testServer(tmp.dir, { scenarioFile: scenario(), rtpPort: 0, rtpIdleMs: 20_000, workers });
    servers.push(s);
    const ssrcs = [0xa1, 0xa2, 0xa3];
    await Promise.all(ssrcs.map((ssrc, i) => sendRtpStream({ port: s.rtpPort!, seconds: 1, ssrc, fromS: i, end: 'bye', rtcpPort: s.rtcpPort!, drop: (k) => k === 10 + i })));
    await waitFor(async () => (await s.ingress!.streams()).filter((x) => x.state === 'ended').length === 3, 3000, 'three ends');
    const infos = (await s.ingress!.streams()).sort((a, b) => a.ssrc - b.ssrc);
    const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { s, infos, metrics: await res.text() };
  }

  it.each([0, 2])('with --workers %i: three streams play, end on BYE, and /metrics adds up every engine', async (workers) => {
    const { s, infos, metrics } = await play(workers);
    expect(s.engines.engines.length).toBe(Math.max(1, workers));
    expect(s.engines.engines[0].thread).toBe(workers === 0 ? 'main' : 'worker');
    expect(infos.map((x) => [x.endedBy, x.packetsIn, x.framesPlayed, x.summary.networkLost])).toEqual([
      ['bye', 49, 50, 1],
      ['bye', 49, 50, 1],
      ['bye', 49, 50, 1],
    ]);
    const played = Number(/^jitterlab_live_frames_played_total\{kind="rtp"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(played).toBe(150);
    const sent = Number(/^jitterlab_live_packets_sent_total\{kind="rtp"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(sent).toBe(3 * 49);
    // Every leg is back off the engines.
    expect(s.engines.engines.map((e) => e.legs)).toEqual(s.engines.engines.map(() => 0));
  }, 20_000);

  it('places new streams on the engine with the fewest legs', async () => {
    const s = await testServer(tmp.dir, { scenarioFile: scenario(), rtpPort: 0, rtpIdleMs: 20_000, workers: 2 });
    servers.push(s);
    const run = Promise.all([0xb1, 0xb2, 0xb3, 0xb4].map((ssrc) => sendRtpStream({ port: s.rtpPort!, seconds: 0.6, ssrc, end: 'bye', rtcpPort: s.rtcpPort! })));
    await waitFor(() => s.ingress!.streamCount === 4, 2000, 'four streams');
    expect(s.engines.engines.map((e) => e.legs)).toEqual([2, 2]);
    const loads = await Promise.all(s.engines.engines.map((e) => e.request({ q: 'load' })));
    expect(loads.map((l) => l.streams)).toEqual([2, 2]);
    await run;
  }, 20_000);
});

describe('jitterlab serve --workers', () => {
  const cli = (args: string[]) => spawn(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), 'serve', '--port', '0', '--no-rtp', '--token', TOKEN, ...args], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });

  it('says where the legs run, and refuses a count out of range with exit code 2', async () => {
    const p = cli(['--workers', '1']);
    let out = '';
    p.stdout!.on('data', (d) => (out += String(d)));
    try {
      await waitFor(() => out.includes('Ctrl-C'), 30_000, `the server to start (${out})`);
      expect(out).toMatch(/^ {2}legs: {5}1 worker thread \(--workers\)$/m);
    } finally {
      // Ctrl-C: the server and its engine stop, and the process exits.
      const exited = new Promise<number | null>((r) => p.on('exit', r));
      p.kill('SIGINT');
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      expect(await exited).toBe(0);
      clearTimeout(t);
    }
    const bad = cli(['--workers', '65']);
    let err = '';
    bad.stderr!.on('data', (d) => (err += String(d)));
    const code = await new Promise<number | null>((r) => bad.on('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(/--workers/);
  }, 40_000);
});

describe('a busy leg engine', () => {
  it('holds up neither /healthz nor /metrics: /metrics shows the counters the engine last sent', async () => {
    // A custom jitter buffer that keeps its engine busy for 600 ms of every 10 playout ticks.
    writeFileSync(
      join(tmp.dir, 'hog-buffer.js'),
      `export function createJitterBuffer(options, host) {
        let n = 0;
        return {
          kind: 'hog',
          insert: () => ({ status: 'buffered' }),
          next: () => { if (++n % 10 === 0) { const end = performance.now() + 600; while (performance.now() < end); } return { op: 'idle' }; },
          state: () => ({ targetDelayMs: 0, levelMs: 0 }),
        };
      }\n`,
    );
    const scenario = writeScenario(tmp.dir, 'hog', 'receiver:\n  jitterBuffer: { module: ./hog-buffer.js }\n');
    const s = await testServer(tmp.dir, { scenarioFile: scenario, rtpPort: 0, rtpIdleMs: 20_000, workers: 1 });
    servers.push(s);
    const run = sendRtpStream({ port: s.rtpPort!, seconds: 3, ssrc: 0xc1 });
    await waitFor(() => s.ingress!.streamCount === 1, 3000, 'the stream');
    await new Promise((r) => setTimeout(r, 1500));
    const times: number[] = [];
    let started = 0;
    for (let i = 0; i < 12; i++) {
      for (const path of ['/healthz', `/metrics?token=${TOKEN}`]) {
        const t0 = performance.now();
        const text = await (await fetch(`${s.url}${path}`)).text();
        times.push(performance.now() - t0);
        if (path !== '/healthz') started = Number(/^jitterlab_live_rtp_streams_started_total (\d+)$/m.exec(text)?.[1]);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await run;
    // The engine is busy most of this time (600 ms stalls); the answers never wait for it.
    expect(Math.max(...times)).toBeLessThan(300);
    expect(started).toBe(1);
  }, 30_000);
});

describe('a leg engine that dies', () => {
  it('takes only its own streams: the server goes on, the slot runs again on a fresh thread, and takes new streams', async () => {
    // A custom jitter buffer that ends its thread when it meets sequence number 4242.
    writeFileSync(
      join(tmp.dir, 'fatal-buffer.js'),
      `export function createJitterBuffer(options, host) {
        return {
          kind: 'fatal',
          insert: (frame) => { if (frame.seq % 65536 === 4242) process.exit(3); return { status: 'buffered' }; },
          next: () => ({ op: 'idle' }),
          state: () => ({ targetDelayMs: 0, levelMs: 0 }),
        };
      }\n`,
    );
    const scenario = writeScenario(tmp.dir, 'fatal', 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { module: ./fatal-buffer.js }\n');
    const log: string[] = [];
    const s = await testServer(tmp.dir, { scenarioFile: scenario, rtpPort: 0, rtpIdleMs: 20_000, workers: 2, log: (l) => log.push(l) });
    servers.push(s);
    const errors0 = s.metrics.internalErrors.get();
    const dead = s.engines.engines[0];
    const first = sendRtpStream({ port: s.rtpPort!, seconds: 0.4, ssrc: 0xdead, initialSeq: 4240 });
    await waitFor(() => dead.isDead, 5000, 'the engine to die');
    await first;
    expect(log.some((l) => l === 'rtp 0x0000dead ended (its leg engine failed)')).toBe(true);
    expect(s.metrics.internalErrors.get() - errors0).toBe(1);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // Its later packets started the SSRC again as a new stream, on the engine still running.
    expect(s.engines.engines[1].legs).toBe(s.ingress!.streamCount);
    const startedTotal = async () => Number(/^jitterlab_live_rtp_streams_started_total (\d+)$/m.exec(await (await fetch(`${s.url}/metrics?token=${TOKEN}`)).text())?.[1]);
    const startedBefore = await startedTotal();
    // The slot runs again; the totals on /metrics keep what the failed engine had counted.
    await waitFor(() => s.engines.engines[0] !== dead && !s.engines.engines[0].isDead, 10_000, 'the slot to run again');
    expect(s.engines.running).toBe(2);
    expect(await startedTotal()).toBeGreaterThanOrEqual(startedBefore);
    const health = (await (await fetch(`${s.url}/healthz`)).json()) as { engines: { running: number; total: number } };
    expect(health.engines).toEqual({ running: 2, total: 2 });
    // The next stream goes to the fresh engine (fewest legs) and plays there.
    const before = s.ingress!.streamCount;
    const run = sendRtpStream({ port: s.rtpPort!, seconds: 0.6, ssrc: 0xa11e, initialSeq: 100 });
    await waitFor(() => s.ingress!.streamCount === before + 1, 2000, 'the next stream');
    expect(s.engines.engines[0].legs).toBe(1);
    await run;
    const info = (await s.ingress!.streams()).find((x) => x.ssrc === 0xa11e)!;
    expect(info.packetsIn).toBe(30);
    expect((await fetch(`${s.url}/metrics?token=${TOKEN}`)).status).toBe(200);
  }, 30_000);

  it(`stays down after failing ${RESTART_LIMIT + 1} times within a minute; with no engine left /healthz answers 503`, async () => {
    const scenario = writeScenario(tmp.dir, 'fatal2', 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { module: ./fatal-buffer.js }\n');
    const s = await testServer(tmp.dir, { scenarioFile: scenario, rtpPort: 0, rtpIdleMs: 20_000, workers: 1 });
    servers.push(s);
    for (let k = 0; k <= RESTART_LIMIT; k++) {
      const engine = s.engines.engines[0];
      expect(engine.isDead).toBe(false);
      await sendRtpStream({ port: s.rtpPort!, seconds: 0.2, ssrc: 0xf00 + k, initialSeq: 4240 });
      await waitFor(() => engine.isDead, 5000, `failure ${k + 1}`);
      if (k < RESTART_LIMIT) await waitFor(() => s.engines.engines[0] !== engine, 10_000, `restart ${k + 1}`);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(s.engines.running).toBe(0);
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { status: string }).status).toBe('no-leg-engine');
    // New streams and members are refused, counted, not placed on a dead engine.
    const dropped0 = s.metrics.malformedRtp.get({ reason: 'no-leg-engine' });
    await sendRtpStream({ port: s.rtpPort!, seconds: 0.2, ssrc: 0xbeef, initialSeq: 10 });
    await waitFor(() => s.metrics.malformedRtp.get({ reason: 'no-leg-engine' }) > dropped0, 2000, 'the refused stream');
    expect(s.ingress!.streamCount).toBe(0);
    const status = await new Promise<number>((resolve, reject) => {
      const c = new WebSocket(`${s.url.replace('http', 'ws')}/ws?room=r1&token=${TOKEN}`);
      c.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      c.on('open', () => reject(new Error('the upgrade was accepted')));
      c.on('error', () => undefined);
    });
    expect(status).toBe(503);
  }, 60_000);
});
