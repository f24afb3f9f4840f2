/**
 * The live server under abuse, over loopback, bounded in time: `jitterlab serve` runs as its own
 * process while an ffmpeg RTP stream plays through it and, at the same time, garbage datagrams
 * hit both UDP ports (500 a second each), 1000 SSRCs send valid-looking Opus (three packets each, enough to pass
 * probation), WebSocket clients send malformed and oversized messages, six clients stop reading
 * a room where someone speaks, and a room is filled to its member limit and one more tries to
 * join. The real stream must play without concealment, /healthz must answer within 100 ms at
 * the 99th percentile, and the server's memory must stay bounded (the figures are printed).
 *
 * Timing is judged only when it is evidence about the server: a control process that does
 * nothing but keep a 20 ms timer measures how late this machine runs an idle process meanwhile.
 * When other jobs hold the CPU (control p99 over 10 ms; an idle machine's is 1-3 ms) the timing figures are printed as
 * inconclusive and everything else is still checked (shared-machine research note 5: a run
 * whose scheduling lateness is large is not evidence about what it measures).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { summarize } from '../../src/metrics/percentile.ts';
import { AUDIO_FRAME_BYTES, AUDIO_IN, CLOSE_ROOM_FULL } from '../../src/live/protocol.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { Client, FIXTURE, fixturePcm, opusPayloads, tempDir, TOKEN, waitFor, writeScenario } from './helpers.ts';

const FFMPEG = '/usr/bin/ffmpeg';
const hasFfmpeg = existsSync(FFMPEG);
if (!hasFfmpeg) console.warn(`live abuse test skipped: ${FFMPEG} not found (apt-get install ffmpeg)`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = tempDir('abuse');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  tmp.cleanup();
});

/** `jitterlab serve` in its own process; resolves with its HTTP URL and RTP port once it listens. */
async function serve(args: string[]): Promise<{ proc: ChildProcess; url: string; rtpPort: number; rtcpPort: number; out: string[] }> {
  const proc = spawn(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), 'serve', '--port', '0', '--rtp-port', '0', '--token', TOKEN, ...args], {
    cwd: tmp.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JITTERLAB_TOKEN: '' },
  });
  children.push(proc);
  const out: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d) => {
    buf += String(d);
    const lines = buf.split('\n');
    buf = lines.pop()!;
    out.push(...lines);
  });
  proc.stderr!.on('data', (d) => out.push(`stderr: ${String(d)}`));
  await waitFor(() => out.some((l) => l.startsWith('Ctrl-C')), 30_000, `the server to start (${out.join(' | ')})`);
  const url = /page:\s+(http:\/\/[^/]+)\//.exec(out.join('\n'))![1];
  const rtp = /RTP in:\s+udp:\/\/[^:]+:(\d+) \(RTCP (\d+)\)/.exec(out.join('\n'))!;
  return { proc, url, rtpPort: Number(rtp[1]), rtcpPort: Number(rtp[2]), out };
}

/** CPU seconds (user + system) the process has used. */
function cpuS(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** The kernel's UDP receive-buffer overflows (system-wide, /proc/net/snmp). */
function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const keys = lines[0].split(/\s+/);
  return Number(lines[1].split(/\s+/)[keys.indexOf('RcvbufErrors')]);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** A process that only keeps a 20 ms timer: how late the machine runs an idle process (ms, per wake-up). */
const CONTROL = `
const late = [];
let next = performance.now() + 20;
const tick = () => { late.push(performance.now() - next); next += 20; setTimeout(tick, Math.max(0, next - performance.now())); };
setTimeout(tick, 20);
process.on('SIGTERM', () => { process.stdout.write(JSON.stringify(late)); process.exit(0); });
`;

function control(): { stop(): Promise<number[]> } {
  const p = spawn(process.execPath, ['-e', CONTROL], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += String(d)));
  return {
    stop: () =>
      new Promise((resolve) => {
        p.once('exit', () => resolve(out ? (JSON.parse(out) as number[]) : []));
        p.kill('SIGTERM');
      }),
  };
}

/** Garbage and SSRC floods from a worker thread, so the test's own event loop stays free to measure. */
const FLOOD = `
const { workerData, parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const { rtpPort, rtcpPort, payloads, seconds } = workerData;
let seed = 12345;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
const socks = [0, 1, 2, 3].map(() => dgram.createSocket('udp4'));
let sent = 0;
const t0 = Date.now();
let ssrc = 0;
function tick() {
  if (Date.now() - t0 > seconds * 1000 && ssrc >= 1000) {
    for (const s of socks) s.close();
    parentPort.postMessage({ sent, ssrcs: ssrc });
    return;
  }
  // 10 garbage datagrams to each port every 20 ms (500 per second per port).
  for (let i = 0; i < 10; i++) {
    const a = Buffer.alloc(8 + (rnd() % 200)); for (let k = 0; k < a.length; k++) a[k] = rnd();
    socks[i & 3].send(a, rtpPort, '127.0.0.1');
    const b = Buffer.alloc(8 + (rnd() % 100)); for (let k = 0; k < b.length; k++) b[k] = rnd();
    if (i % 3 === 0) { b[0] = 0x80; b[1] = 200; } // looks like an RTCP SR
    socks[i & 3].send(b, rtcpPort, '127.0.0.1');
    sent += 2;
  }
  // 5 new SSRCs every 20 ms (1000 in 4 s), three valid Opus packets in sequence each.
  for (let i = 0; i < 5 && ssrc < 1000; i++, ssrc++) {
    for (let k = 0; k < 3; k++) {
      const p = Buffer.alloc(12 + payloads[k].length);
      p[0] = 0x80; p[1] = 111; p.writeUInt16BE((ssrc * 7 + k) & 0xffff, 2); p.writeUInt32BE((k * 960) >>> 0, 4); p.writeUInt32BE((0xabc00000 + ssrc) >>> 0, 8);
      p.set(payloads[k], 12);
      socks[ssrc & 3].send(p, rtpPort, '127.0.0.1');
      sent++;
    }
  }
  setTimeout(tick, 20);
}
tick();
`;

/** A WebSocket client that completes the handshake and then never reads again. */
function slowReader(url: string, room: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(
        `GET /ws?room=${room}&name=slow&token=${TOKEN} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    s.once('data', (d) => {
      if (!String(d).startsWith('HTTP/1.1 101')) return reject(new Error(`slow reader refused: ${String(d).split('\r\n')[0]}`));
      s.pause(); // never read again: the kernel buffers fill, no pong is ever sent
      resolve(s);
    });
    s.on('error', () => undefined);
  });
}

describe.runIf(hasFfmpeg)('the live server under abuse', () => {
  it('keeps a real stream clean, /healthz fast and memory bounded', async () => {
    // The real stream's path: 20 ms network, a fixed 200 ms buffer (what is judged is what the
    // abuse does to the stream, not the scheduling jitter of a shared machine's ffmpeg).
    const scenario = writeScenario(tmp.dir, 'abuse', 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 200 }\n');
    const srv = await serve(['--scenario', scenario, '--max-room-members', '8', '--max-connections', '32', '--rtp-idle', '1.5']);
    const pid = srv.proc.pid!;
    const machine = control();
    await sleep(500);
    const rssStart = rssMb(pid);
    const cpu0 = cpuS(pid);
    const rcvbuf0 = udpRcvbufErrors();
    const t0 = performance.now();
    const rss: number[] = [];
    const rssTimer = setInterval(() => rss.push(rssMb(pid)), 200);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const health: number[] = [];
    let probing = true;
    let maxRtpStreams = 0;
    const gauge = setInterval(() => {
      void fetch(`${srv.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
        .then((r) => r.text())
        .then((t) => (maxRtpStreams = Math.max(maxRtpStreams, Number(/^jitterlab_live_streams\{kind="rtp"\} (\d+)$/m.exec(t)?.[1] ?? 0))));
    }, 500);
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const req = request(`${srv.url}/healthz`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve());
          });
          req.on('error', reject);
          req.end();
        });
        health.push(performance.now() - t0);
        await sleep(50);
      }
    })();

    // The real stream: ffmpeg, 12 s of speech.
    const ff = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-re', '-t', '12', '-i', FIXTURE, '-c:a', 'libopus', '-f', 'rtp', `rtp://127.0.0.1:${srv.rtpPort}`], { stdio: 'ignore' });
    children.push(ff);
    const ffDone = new Promise<number>((r) => ff.on('exit', (c) => r(c ?? -1)));
    await sleep(1500);

    // UDP: garbage on both ports and 1000 SSRCs, for 6 s.
    const flood = new Worker(FLOOD, { eval: true, workerData: { rtpPort: srv.rtpPort, rtcpPort: srv.rtcpPort, payloads: opusPayloads(0, 3), seconds: 6 } });
    const flooded = new Promise<{ sent: number; ssrcs: number }>((r) => flood.once('message', r));

    // WebSocket: malformed and oversized messages.
    const wsUrl = (q: Record<string, string>) => `${srv.url.replace('http', 'ws')}/ws?${new URLSearchParams({ token: TOKEN, ...q })}`;
    const bad = new Client(wsUrl({ room: 'bad', name: 'bad' }));
    await bad.opened();
    for (let i = 0; i < 50; i++) {
      bad.ws.send('{"type":"settings","lossPct":"lots"}');
      bad.ws.send('not json at all');
      bad.ws.send(new Uint8Array(AUDIO_FRAME_BYTES - 2).fill(AUDIO_IN));
      bad.ws.send(new Uint8Array(100));
    }
    const big = new Client(wsUrl({ room: 'bad', name: 'big' }));
    await big.opened();
    big.ws.send(new Uint8Array(200_000));

    // Slow readers: six clients stop reading a room where someone speaks.
    const speaker = new Client(wsUrl({ room: 'slow', name: 'talker' }));
    await speaker.opened();
    const readers = await Promise.all(Array.from({ length: 6 }, () => slowReader(srv.url, 'slow')));
    const talking = speaker.speak(fixturePcm(0, 9));

    // A room at its member limit: eight members, the ninth is refused with a reason.
    const full: Client[] = [];
    for (let i = 0; i < 8; i++) {
      const c = new Client(wsUrl({ room: 'full', name: `m${i}` }));
      await c.opened();
      full.push(c);
    }
    const ninth = new Client(wsUrl({ room: 'full', name: 'late' }));
    await ninth.opened();
    await waitFor(() => ninth.closeCode !== null, 3000, 'the ninth member refused');
    expect(ninth.closeCode).toBe(CLOSE_ROOM_FULL);
    expect(ninth.of('error')[0]).toMatchObject({ code: 'room-full', message: "room 'full' is full (8 members, --max-room-members)" });

    const fl = await flooded;
    expect(fl.ssrcs).toBe(1000);
    await talking;
    expect(await ffDone).toBe(0);
    const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
    type Stream = { payloadType: number; state: string; packetsIn: number; counters: { concealedSamples: number; totalSamplesReceived: number; packetsDiscarded: number }; summary: { concealedPct: number } };
    const rtpStreams = async () => ((await (await fetch(`${srv.url}/api/rtp`, auth)).json()) as { streams: Stream[] }).streams;
    // The stream ends 1.5 s after its last packet.
    for (let i = 0; i < 40 && !(await rtpStreams()).some((x) => x.payloadType === 97 && x.state === 'ended'); i++) await sleep(250);
    probing = false;
    await probe;
    clearInterval(gauge);
    clearInterval(rssTimer);

    const metrics = await (await fetch(`${srv.url}/metrics`, auth)).text();
    const metric = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? Number.NaN);
    const streams = await rtpStreams();
    const real = streams.filter((s) => s.payloadType === 97);
    const h = summarize(health);
    const noise = summarize(await machine.stop());
    const quiet = noise.p99! <= 10;
    const cpuPct = (100 * (cpuS(pid) - cpu0)) / ((performance.now() - t0) / 1000);
    const peak = Math.max(...rss);
    const line = `abuse: /healthz n=${h.count} p50 ${h.p50!.toFixed(1)} ms p99 ${h.p99!.toFixed(1)} ms max ${h.max!.toFixed(1)} ms; server RSS ${rssStart.toFixed(0)} MB at start, peak ${peak.toFixed(0)} MB; ` +
      `UDP flood ${fl.sent} datagrams; RTP streams at once: at most ${maxRtpStreams}; slow readers dropped: ${metric(/^jitterlab_live_send_queue_drops_total (\d+)$/m)}; server CPU ${cpuPct.toFixed(0)} % of a core; UDP receive-buffer overflows ${udpRcvbufErrors() - rcvbuf0}; ` +
      `tick lateness p99 ${metric(/^jitterlab_live_tick_lateness_ms\{quantile="0.99"\} (\S+)$/m).toFixed(1)} ms max ${metric(/^jitterlab_live_tick_lateness_ms\{quantile="1"\} (\S+)$/m).toFixed(1)} ms`;
    console.log(`${line}; machine: an idle process's timer ran late p99 ${noise.p99!.toFixed(1)} ms max ${noise.max!.toFixed(1)} ms${quiet ? '' : ' (other jobs hold the CPU: timing inconclusive)'}`);

    // The real stream was served: one stream, every packet taken, ended.
    expect(real).toHaveLength(1);
    expect(real[0].state).toBe('ended');
    expect(real[0].packetsIn, metrics.split('\n').filter((l) => l.startsWith('jitterlab_live_malformed') || l.startsWith('jitterlab_live_rtp')).join('; ') + JSON.stringify(real[0].summary)).toBeGreaterThanOrEqual(590);
    // ...and, on a machine that runs it in time, without concealment.
    if (quiet) {
      expect(real[0].counters.packetsDiscarded).toBe(0);
      expect(real[0].summary.concealedPct).toBe(0);
    }
    // The flood never had more streams running than the cap (and a quarter of it per sender address).
    expect(maxRtpStreams).toBeGreaterThan(16);
    expect(maxRtpStreams).toBeLessThanOrEqual(64);
    expect(metric(/^jitterlab_live_malformed_rtp_total\{reason="too-many-streams"\} (\d+)$/m)).toBeGreaterThan(0);
    // Bad WebSocket input was counted; the oversized sender closed; the slow readers dropped.
    expect(metric(/^jitterlab_live_invalid_messages_total\{reason="oversized"\} (\d+)$/m)).toBe(1);
    expect(big.closeCode).toBe(1009);
    expect(metric(/^jitterlab_live_send_queue_drops_total (\d+)$/m)).toBe(6);
    expect(metric(/^jitterlab_live_rejected_requests_total\{reason="room-full"\} (\d+)$/m)).toBe(1);
    // /healthz answered fast throughout (when the machine let it); memory stayed bounded.
    expect(h.count).toBeGreaterThan(30);
    if (quiet) expect(h.p99!).toBeLessThan(100);
    expect(peak - rssStart).toBeLessThan(150);
    expect(srv.proc.exitCode).toBeNull();

    for (const c of [bad, big, speaker, ninth, ...full]) c.ws.close();
    for (const r of readers) r.destroy();
    agent.destroy();
    srv.proc.kill('SIGTERM');
    await new Promise((r) => srv.proc.once('exit', r));
  }, 60_000);
});
