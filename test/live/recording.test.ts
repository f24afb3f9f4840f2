/**
 * Recordings that add up: a session across three slider changes is saved as four periods whose
 * counters are never negative and sum to the totals (and agree with the channel and with the
 * audio sent), and its scenario re-runs offline with `jitterlab run` as three phases at the
 * times the changes happened. RTP streams are recorded like page sessions. Recording limits
 * (running, per run, bytes) refuse or stop recordings cleanly, and a stopped one is saved.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveServer } from '../../src/live/server.ts';
import { loadScenario, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { bestEnvelopeCorrelation, Client, envelope, fixturePcm, sendRtpStream, tempDir, testServer, TOKEN, waitFor, writeScenario } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = tempDir('recording');
const servers: LiveServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  tmp.cleanup();
});

type Counts = Record<string, number>;
interface Period {
  startS: number;
  sourceStartS: number;
  settings: { lossPct: number | null; lossModel: string };
  channel: Counts;
  w3c: Counts;
  sequence: Counts;
  frames: Counts;
  fecFramesUsed: number;
}
interface Leg {
  channel: Counts;
  w3c: Counts;
  sequence: Counts;
  frames: Counts;
  fecFramesUsed: number;
  periods: Period[];
  emodel: { mosCQ: number } | null;
}
interface Results {
  kind: string;
  schemaVersion: number;
  endedBy: string;
  legs: Leg[];
}

const PRESET = 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 40 }\n';

/**
 * For streams sent from this process: a deep buffer, so what is judged is the recording, not how
 * evenly a loaded machine runs the sender (its legs run on another thread, which keeps time).
 */
const ROOMY_PRESET = 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 200 }\n';

async function start(o: Parameters<typeof testServer>[1] = {}, preset = PRESET) {
  const scenario = writeScenario(tmp.dir, preset === PRESET ? 'rec-test' : 'rec-roomy', preset);
  const log: string[] = [];
  const s = await testServer(tmp.dir, { scenarioFile: scenario, statsIntervalMs: 200, log: (l) => log.push(l), ...o });
  servers.push(s);
  const url = (q: Record<string, string>) => `${s.url.replace('http', 'ws')}/ws?${new URLSearchParams({ token: TOKEN, ...q })}`;
  return { s, log, url };
}

async function member(url: string): Promise<Client> {
  const c = new Client(url);
  await c.opened();
  await waitFor(() => c.of('welcome').length === 1, 3000, 'welcome');
  return c;
}

/** Every count is >= 0 and the totals are the sums over the periods. */
function expectAddsUp(leg: Leg): void {
  for (const block of ['channel', 'w3c', 'sequence', 'frames'] as const) {
    for (const key of Object.keys(leg[block])) {
      let sum = 0;
      for (const p of leg.periods) {
        expect(p[block][key], `${block}.${key}`).toBeGreaterThanOrEqual(0);
        sum += p[block][key];
      }
      expect(leg[block][key], `${block}.${key} = sum over periods`).toBe(sum);
    }
  }
  expect(leg.fecFramesUsed).toBe(leg.periods.reduce((s, p) => s + p.fecFramesUsed, 0));
}

function jitterlabRun(file: string, out: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js'), 'run', file, '--out', out, '--no-html'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += String(d)));
    p.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe('a recording across three slider changes', () => {
  it('has four periods that add up, and re-runs offline with three phases', async () => {
    const { s, url } = await start();
    const a = await member(url({ room: 'rec', name: 'ann' }));
    a.ws.send(JSON.stringify({ type: 'record', on: true }));
    await waitFor(() => a.of('recording').length === 1, 2000, 'recording on');
    const speech = a.speak(fixturePcm(0, 4.4));
    const changes = [10, 30, 0];
    for (const [i, loss] of changes.entries()) {
      await sleep(i === 0 ? 1000 : 1100);
      a.ws.send(JSON.stringify({ type: 'settings', lossPct: loss }));
    }
    await speech;
    await sleep(300);
    a.ws.send(JSON.stringify({ type: 'record', on: false }));
    await waitFor(() => a.of('recording').length === 2, 3000, 'recording saved');
    const saved = a.of('recording')[1];
    expect(saved.files).toEqual(['heard.wav', 'spoken-ann-1.wav', 'scenario.yaml', 'results.json']);
    const dir = saved.dir!;
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
    expect(r).toMatchObject({ kind: 'jitterlab-live-session', schemaVersion: 2, endedBy: 'stopped' });
    const leg = r.legs[0];
    expect(leg.periods.map((p) => p.settings.lossPct)).toEqual([0, 10, 30, 0]);
    expectAddsUp(leg);
    // The channel saw one packet per frame spoken while recording (no DTX in this preset).
    const spoken = readWavMono(join(dir, 'spoken-ann-1.wav'));
    expect(leg.channel.sent).toBe(spoken.samples.length / 960);
    expect(leg.channel.sent).toBeGreaterThan(200);
    // Lossless periods lost nothing; the 30 % one did; RFC 3550 loss by period agrees with the channel.
    const lost = leg.periods.map((p) => p.channel.lost);
    expect(lost[0]).toBe(0);
    expect(lost[3]).toBe(0);
    expect(lost[2]).toBeGreaterThan(3);
    for (const p of leg.periods) {
      expect(p.sequence.lost).toBe(p.channel.lost);
      expect(p.w3c.packetsLost).toBe(p.channel.lost);
      expect(p.sequence.inFlight).toBe(0);
    }
    expect(leg.w3c.packetsReceived).toBe(leg.channel.delivered);

    // The scenario: the first period's channel, then three phases where the sliders moved.
    const scenarioFile = join(dir, 'scenario.yaml');
    const sc = loadScenario(scenarioFile);
    expect(sc.phases.map((p) => p.set.loss)).toEqual([
      { model: 'bernoulli', rate: 0.1, meanBurstPackets: expect.any(Number) },
      { model: 'bernoulli', rate: 0.3, meanBurstPackets: expect.any(Number) },
      { model: 'none', rate: 0, meanBurstPackets: expect.any(Number) },
    ].map((l) => expect.objectContaining({ model: l.model, rate: l.rate })));
    // At the source audio's positions of the changes (about 1, 2.1 and 3.2 s into the speech).
    const at = sc.phases.map((p) => p.atMs / 1000);
    expect(at[0]).toBeCloseTo(leg.periods[1].sourceStartS + 0.01, 2);
    for (let i = 0; i < 3; i++) expect(at[i]).toBeGreaterThan([0.8, 1.9, 3.0][i]);
    for (let i = 0; i < 3; i++) expect(at[i]).toBeLessThan([1.4, 2.5, 3.6][i]);
    // And it re-runs offline, phases and all.
    const out = join(tmp.dir, 'offline', 'rerun');
    const run = await jitterlabRun(scenarioFile, out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const offline = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { scenario: { phases: unknown[] } };
    expect(offline.scenario.phases).toHaveLength(3);
    a.ws.close();
    void s;
  }, 40_000);
});

describe('RTP stream recordings', () => {
  it('records a stream like a page session: playout, its source as sent, results and a scenario', async () => {
    const { s, log } = await start({ rtpPort: 0, recordRtp: true, rtpIdleMs: 600 }, ROOMY_PRESET);
    const ssrc = 0x00c0ffee;
    const sent = await sendRtpStream({ port: s.rtpPort!, seconds: 2, ssrc, fromS: 3, drop: (k) => k % 25 === 7 });
    await waitFor(() => log.some((l) => l.startsWith('recording saved:')), 4000, 'the recording saved at the end of the stream');
    const line = log.find((l) => l.startsWith('recording saved:'))!;
    expect(line).toMatch(/\(heard\.wav, source\.wav, scenario\.yaml, results\.json\): the stream ended \(idle\)$/);
    const dir = /^recording saved: (.*?) \(/.exec(line)![1];
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results & { listener: { name: string } };
    const leg = r.legs[0];
    expect(leg.periods).toHaveLength(1);
    expectAddsUp(leg);
    expect(leg.channel.sent).toBe(sent.sent);
    // 4 sequence numbers never reached the ingress: lost, by sequence number.
    expect(leg.sequence.lost).toBe(sent.frames - sent.sent);
    expect(leg.frames.played).toBe(sent.frames);
    // source.wav is the stream as sent (the 4 lost frames concealed), heard.wav its playout.
    const source = readWavMono(join(dir, 'source.wav'));
    expect(source.samples.length).toBe(sent.frames * 960);
    const ref = envelope(fixturePcm(3, 2));
    const pcm = (x: { samples: Float32Array }) => Int16Array.from(x.samples, (v) => Math.round(v * 32767));
    expect(bestEnvelopeCorrelation(envelope(pcm(source)), ref, 5, 50).r).toBeGreaterThan(0.95);
    const heard = readWavMono(join(dir, 'heard.wav'));
    expect(bestEnvelopeCorrelation(envelope(pcm(heard)), ref, 20, 50).r).toBeGreaterThan(0.9);
    // heard.wav ends where the stream's audio ends: the concealment played until the idle end is not in it.
    expect(heard.samples.length).toBe(sent.frames * 960);
    // The E-model rates the codec the sender used (ffmpeg-like bitrates vary): the measured one.
    expect(leg.emodel).not.toBeNull();
    const sc = loadScenario(join(dir, 'scenario.yaml'));
    expect(sc.sourceFile).toBe(join(dir, 'source.wav'));
    expect(existsSync(sc.sourceFile)).toBe(true);
  }, 20_000);

  it('records on request from the API, and a settings change starts a new period', async () => {
    const { s } = await start({ rtpPort: 0, rtpIdleMs: 5000 });
    const ssrc = 0x1234;
    const api = (path: string, body: unknown) =>
      fetch(`${s.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const run = sendRtpStream({ port: s.rtpPort!, seconds: 2.4, ssrc });
    await waitFor(() => s.ingress!.stream(ssrc) !== null, 2000, 'the stream');
    const on = await api('/api/rtp/record', { ssrc, on: true });
    expect(on.status).toBe(200);
    expect((await api('/api/rtp/record', { ssrc: 999, on: true })).status).toBe(404);
    await sleep(700);
    const change = await api('/api/rtp/settings', { ssrc, lossPct: 20 });
    expect(change.status).toBe(200);
    expect(await change.json()).toMatchObject({ applied: 1, settings: { lossPct: 20 } });
    await sleep(700);
    const off = await api('/api/rtp/record', { ssrc, on: false });
    expect(off.status).toBe(200);
    const body = (await off.json()) as { dir: string; files: string[] };
    expect(body.files).toContain('results.json');
    const leg = (JSON.parse(readFileSync(join(body.dir, 'results.json'), 'utf8')) as Results).legs[0];
    expect(leg.periods.map((p) => p.settings.lossPct)).toEqual([0, 20]);
    expectAddsUp(leg);
    expect((await api('/api/rtp/record', { ssrc, on: false })).status).toBe(409);
    await run;
  }, 20_000);
});

describe('recording limits', () => {
  it('refuses past the running and per-run counts, and stops cleanly at the size limit with the files saved', async () => {
    // 150 000 bytes of audio: heard + spoken at 96 kB/s each, about 0.8 s.
    const { url, log } = await start({ recordingLimits: { maxActive: 1, maxPerRun: 2, maxBytes: 150_000 } });
    const a = await member(url({ room: 'lim-a', name: 'a' }));
    const b = await member(url({ room: 'lim-b', name: 'b' }));
    a.ws.send(JSON.stringify({ type: 'record', on: true }));
    await waitFor(() => a.of('recording').length === 1, 2000, 'a recording');
    b.ws.send(JSON.stringify({ type: 'record', on: true }));
    await waitFor(() => b.of('error').length === 1, 2000, 'b refused');
    expect(b.of('error')[0]).toMatchObject({ code: 'recording-refused', message: 'recording refused: 1 recordings are running (--max-active-recordings)' });
    await a.speak(fixturePcm(0, 1.5));
    await waitFor(() => a.of('recording').length === 2, 2000, 'a stopped at its limit');
    const stopped = a.of('recording')[1];
    expect(stopped.on).toBe(false);
    expect(stopped.reason).toBe('recording stopped at its size limit of 0.14 MB of audio (--max-recording-mb)');
    expect(log.some((l) => l.startsWith(`recording saved: ${stopped.dir}`) && l.endsWith('(--max-recording-mb)'))).toBe(true);
    const heard = readWavMono(join(stopped.dir!, 'heard.wav'));
    const spoken = readWavMono(join(stopped.dir!, 'spoken-a-1.wav'));
    expect((heard.samples.length + spoken.samples.length) * 2).toBeLessThanOrEqual(150_000);
    expect((heard.samples.length + spoken.samples.length) * 2).toBeGreaterThan(150_000 - 2 * 1920);
    const r = JSON.parse(readFileSync(join(stopped.dir!, 'results.json'), 'utf8')) as Results;
    expect(r.endedBy).toBe(stopped.reason);
    // The slot is free again: b records (the run's second), then a third is refused.
    b.ws.send(JSON.stringify({ type: 'record', on: true }));
    await waitFor(() => b.of('recording').length === 1, 2000, 'b recording');
    b.ws.send(JSON.stringify({ type: 'record', on: false }));
    await waitFor(() => b.of('recording').length === 2, 2000, 'b saved');
    a.ws.send(JSON.stringify({ type: 'record', on: true }));
    await waitFor(() => a.of('error').length === 1, 2000, `a refused (a's events: ${JSON.stringify(a.events.filter((e) => e.type !== 'stats'))})`);
    expect(a.of('error')[0].message).toBe('recording refused: this run has started its 2 recordings (--max-recordings)');
    a.ws.close();
    b.ws.close();
  }, 20_000);
});
