/**
 * Rooms over real WebSockets with Node clients (no browser): loopback alone, two members hearing
 * each other through their own legs, join/leave events, settings from the page and the HTTP API,
 * and bad input of every kind refused and counted while the room keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LiveServer } from '../../src/live/server.ts';
import { AUDIO_FRAME_BYTES, AUDIO_IN } from '../../src/live/protocol.ts';
import { bestEnvelopeCorrelation, Client, envelope, fixturePcm, tempDir, testServer, TOKEN, waitFor, writeScenario } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What an upgrade attempt got: the HTTP status of a refusal, or 101. */
function upgradeStatus(url: string, opts: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, opts);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

const tmp = tempDir('rooms');
let server: LiveServer;
let wsUrl: (q: Record<string, string>) => string;

beforeAll(async () => {
  const scenario = writeScenario(tmp.dir, 'rooms-test', 'channel:\n  delay: { baseMs: 25 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 40 }\n');
  // Two leg engines: the rooms of these tests spread over both (a room lives whole on one).
  server = await testServer(tmp.dir, { scenarioFile: scenario, maxMessageBytes: 8192, heartbeatMs: 1000, statsIntervalMs: 200, workers: 2 });
  wsUrl = (q) => `${server.url.replace('http', 'ws')}/ws?${new URLSearchParams(q)}`;
}, 30_000);

afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

describe('rooms', () => {
  it('loops a lone member back, then routes each member to the other with join/leave events', async () => {
    const a = new Client(wsUrl({ token: TOKEN, room: 'r1', name: 'alice' }));
    await a.opened();
    await waitFor(() => a.of('welcome').length === 1, 6000, 'welcome');
    const welcome = a.of('welcome')[0];
    expect(welcome.members.map((m) => m.name)).toEqual(['alice']);
    expect(welcome.effective).toMatchObject({ preset: 'rooms-test', buffer: 'fixed', baseDelayMs: 25, lossPct: 0 });
    await a.speak(fixturePcm(0, 1.2));
    await sleep(200);
    // Alone: alice hears herself after the path (25 ms) and the buffer (40 ms).
    const self = envelope(Int16Array.from(a.audio.flatMap((f) => Array.from(f))));
    expect(bestEnvelopeCorrelation(self, envelope(fixturePcm(0, 1.2)), 20, 40).r).toBeGreaterThan(0.9);

    const b = new Client(wsUrl({ token: TOKEN, room: 'r1', name: 'bob' }));
    await b.opened();
    await waitFor(() => a.of('member-joined').length === 1 && b.of('welcome').length === 1, 6000, 'join events');
    expect(a.of('member-joined')[0].member.name).toBe('bob');
    expect(server.hub.legCount()).toBe(2); // alice←bob and bob←alice; the self loop is gone
    b.audio.length = 0;
    a.audio.length = 0;
    await b.speak(fixturePcm(3, 1.2));
    await sleep(200);
    const heardByA = envelope(Int16Array.from(a.audio.flatMap((f) => Array.from(f))));
    expect(bestEnvelopeCorrelation(heardByA, envelope(fixturePcm(3, 1.2)), 20, 40).r).toBeGreaterThan(0.9);
    // Bob does not hear himself once he has company (only silence-free frames count).
    const bobLoud = b.audio.filter((f) => f.some((v) => Math.abs(v) > 100)).length;
    expect(bobLoud).toBe(0);
    // Statistics reach the page for the charts.
    await waitFor(() => a.of('stats').some((s) => s.legs.length === 1 && s.legs[0].speaker.name === 'bob' && s.legs[0].netDelayMs !== null), 6000, 'stats');
    expect(a.of('stats').at(-1)!.legs[0].netDelayMs).toBeCloseTo(25, 0);

    b.ws.close();
    await waitFor(() => a.of('member-left').length === 1, 6000, 'leave event');
    expect(a.of('member-left')[0]).toMatchObject({ member: { name: 'bob' }, reason: 'closed' });
    expect(server.hub.legCount()).toBe(1); // alice loops back again
    a.ws.close();
    await waitFor(() => server.hub.roomSizes().length === 0, 6000, 'room gone');
  }, 20_000);

  it('applies settings from the page and from the token-guarded API to the listener', async () => {
    const a = new Client(wsUrl({ token: TOKEN, room: 'r2', name: 'carol' }));
    await a.opened();
    await waitFor(() => a.of('welcome').length === 1, 6000, 'welcome');
    a.ws.send(JSON.stringify({ type: 'settings', lossPct: 12.5, jitterMs: 30 }));
    await waitFor(() => a.of('settings').length === 1, 6000, 'settings event');
    expect(a.of('settings')[0].effective).toMatchObject({ lossPct: 12.5, jitterMs: 30, lossModel: 'bernoulli' });
    const member = a.of('welcome')[0].you.id;
    const buffers = server.catalog.bufferTypes().filter((t) => t !== 'fixed');
    const res = await fetch(`${server.url}/api/settings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 'r2', member, ...(buffers.length ? { buffer: buffers[0] } : {}), lossPct: 0 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ applied: 1 });
    await waitFor(() => a.of('settings').length === 2, 6000, 'second settings event');
    expect(a.of('settings')[1].effective).toMatchObject({ lossPct: 0, buffer: buffers[0] ?? 'fixed' });
    const rooms = (await (await fetch(`${server.url}/api/rooms?token=${TOKEN}`)).json()) as { rooms: Array<{ name: string; members: Array<{ settings: { lossPct: number } }> }> };
    expect(rooms.rooms.find((r) => r.name === 'r2')!.members[0].settings.lossPct).toBe(0);
    a.ws.send(JSON.stringify({ type: 'settings', preset: 'no-such-preset' }));
    await waitFor(() => a.of('error').length === 1, 6000, 'error event');
    expect(a.of('error')[0].code).toBe('bad-settings');
    a.ws.close();
  }, 20_000);
});

describe('rooms on two leg engines', () => {
  it('places two rooms on the two engines; each plays on its own, /api/rooms and /metrics gather both', async () => {
    const x = new Client(wsUrl({ token: TOKEN, room: 'e1', name: 'xavier' }));
    const y = new Client(wsUrl({ token: TOKEN, room: 'e2', name: 'yara' }));
    await Promise.all([x.opened(), y.opened()]);
    await waitFor(() => x.of('welcome').length === 1 && y.of('welcome').length === 1, 6000, 'welcomes');
    // One self-loop leg on each engine.
    expect(server.engines.engines.map((e) => e.legs)).toEqual([1, 1]);
    const loads = await Promise.all(server.engines.engines.map((e) => e.request({ q: 'load' })));
    expect(loads.map((l) => l.members)).toEqual([1, 1]);
    const played0 = Number(/^jitterlab_live_frames_played_total\{kind="ws"\} (\d+)$/m.exec(await (await fetch(`${server.url}/metrics?token=${TOKEN}`)).text())![1]);
    await Promise.all([x.speak(fixturePcm(0, 1.2)), y.speak(fixturePcm(3, 1.2))]);
    await sleep(200);
    // Each hears themselves, from their own engine.
    for (const [c, from] of [[x, 0], [y, 3]] as const) {
      const heard = envelope(Int16Array.from(c.audio.flatMap((f) => Array.from(f))));
      expect(bestEnvelopeCorrelation(heard, envelope(fixturePcm(from, 1.2)), 20, 40).r).toBeGreaterThan(0.9);
    }
    const rooms = (await (await fetch(`${server.url}/api/rooms?token=${TOKEN}`)).json()) as { rooms: Array<{ name: string; members: Array<{ name: string }> }> };
    expect(rooms.rooms.map((r) => [r.name, r.members.map((m) => m.name)])).toEqual([
      ['e1', ['xavier']],
      ['e2', ['yara']],
    ]);
    // Frames played on both engines add up on /metrics: 1.2 s each (60 frames) at least.
    const played1 = Number(/^jitterlab_live_frames_played_total\{kind="ws"\} (\d+)$/m.exec(await (await fetch(`${server.url}/metrics?token=${TOKEN}`)).text())![1]);
    expect(played1 - played0).toBeGreaterThanOrEqual(2 * 55);
    x.ws.close();
    y.ws.close();
    await waitFor(() => server.hub.roomSizes().length === 0, 6000, 'rooms gone');
    expect(server.engines.engines.map((e) => e.legs)).toEqual([0, 0]);
  }, 20_000);
});

describe('bad input', () => {
  it('refuses missing or wrong tokens and foreign origins on the upgrade, and counts them', async () => {
    const before = { token: server.metrics.rejected.get({ reason: 'token' }), origin: server.metrics.rejected.get({ reason: 'origin' }) };
    expect(await upgradeStatus(wsUrl({ room: 'x' }))).toBe(401);
    expect(await upgradeStatus(wsUrl({ room: 'x', token: 'wrong-token' }))).toBe(401);
    expect(await upgradeStatus(wsUrl({ room: 'x', token: TOKEN }), { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl({ room: 'x', token: TOKEN }), { origin: server.url })).toBe(101);
    expect(await upgradeStatus(wsUrl({ room: '../etc', token: TOKEN }))).toBe(400);
    expect(server.metrics.rejected.get({ reason: 'token' }) - before.token).toBe(2);
    expect(server.metrics.rejected.get({ reason: 'origin' }) - before.origin).toBe(1);
  });

  it('guards the HTTP API: token, origin, body size and JSON', async () => {
    const u = `${server.url}/api/settings`;
    const post = (body: string, headers: Record<string, string> = {}) => fetch(u, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, ...headers }, body });
    expect((await fetch(`${server.url}/api/rooms`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/rooms`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${server.url}/api/rooms?token=${TOKEN}`, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await post('x'.repeat(20_000))).status).toBe(413);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify({ room: 'r', lossPct: 900 }))).status).toBe(400);
    expect(server.metrics.rejected.get({ reason: 'size' })).toBe(1);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // /metrics is for token holders unless --public opens it.
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toMatch(/^jitterlab_live_rejected_requests_total\{reason="size"\} 1$/m);
  });

  it('answers malformed and oversized messages with errors or a close, counts them, and keeps serving the room', async () => {
    const good = new Client(wsUrl({ token: TOKEN, room: 'r3', name: 'good' }));
    const bad = new Client(wsUrl({ token: TOKEN, room: 'r3', name: 'bad' }));
    await Promise.all([good.opened(), bad.opened()]);
    await waitFor(() => bad.of('welcome').length === 1 && good.of('member-joined').length === 1, 6000, 'both joined');
    const inv = server.metrics.invalidMessages;
    const before = inv.total();
    bad.ws.send(new Uint8Array(100)); // type 0
    bad.ws.send(Uint8Array.of(AUDIO_IN, 0, 0, 0)); // too short for an audio frame
    bad.ws.send(new Uint8Array(AUDIO_FRAME_BYTES).fill(2)); // audio-out frame from a client
    bad.ws.send('{"type":"settings","lossPct":"lots"}');
    bad.ws.send('this is not json');
    await waitFor(() => bad.of('error').length === 5, 6000, 'five error events');
    expect(bad.of('error').map((e) => e.code)).toEqual(['unknown-type', 'bad-length', 'unknown-type', 'bad-message', 'bad-json']);
    expect(bad.ws.readyState).toBe(WebSocket.OPEN);
    // Faster than real time: frames beyond one second of credit are refused.
    // (300 in a burst: even if a loaded machine spreads their handling over seconds, most are refused.)
    for (let i = 0; i < 300; i++) bad.sendFrame(new Int16Array(960));
    await waitFor(() => inv.get({ reason: 'rate' }) >= 60, 8000, 'rate-limited frames');
    // Oversized (over maxMessageBytes = 8 KiB): the connection is closed with 1009.
    bad.ws.send(new Uint8Array(20_000));
    await waitFor(() => bad.closeCode !== null, 6000, 'close of the oversized sender');
    expect(bad.closeCode).toBe(1009);
    expect(inv.get({ reason: 'oversized' })).toBe(1);
    expect(inv.total() - before).toBeGreaterThanOrEqual(5 + 60 + 1);
    await waitFor(() => good.of('member-left').length === 1, 6000, 'room told');
    // The other member is still served: alone again, it hears itself.
    good.audio.length = 0;
    await good.speak(fixturePcm(6, 0.6));
    await waitFor(() => good.audio.length > 20, 5000, "good's own audio back");
    good.ws.close();
  }, 20_000);

  it('opens /metrics and the GET API without the token only as --public says, and caps connections', async () => {
    const get = (srv: LiveServer, path: string) => fetch(`${srv.url}${path}`).then((r) => r.status);
    const post = (srv: LiveServer) => fetch(`${srv.url}/api/settings`, { method: 'POST', body: '{"room":"x"}' }).then((r) => r.status);
    const metricsOnly = await testServer(tmp.dir, { publicRead: 'metrics', maxConnections: 2 });
    const read = await testServer(tmp.dir, { publicRead: 'read' });
    try {
      expect(await get(server, '/metrics')).toBe(401);
      expect(await get(metricsOnly, '/metrics')).toBe(200);
      expect(await get(metricsOnly, '/api/rooms')).toBe(401);
      expect(await get(read, '/metrics')).toBe(200);
      expect(await get(read, '/api/rooms')).toBe(200);
      expect(await get(read, '/api/rtp')).toBe(200);
      expect(await post(read)).toBe(401); // changing things always takes the token
      expect(await fetch(`${read.url}/api/rooms`, { headers: { Origin: 'http://evil.example' } }).then((r) => r.status)).toBe(403);
      // Two connections at most: the third upgrade is refused with 503.
      const url = `${metricsOnly.url.replace('http', 'ws')}/ws?token=${TOKEN}`;
      const a = new Client(url);
      const b = new Client(url);
      await Promise.all([a.opened(), b.opened()]);
      expect(await upgradeStatus(url)).toBe(503);
      expect(metricsOnly.metrics.rejected.get({ reason: 'connections' })).toBe(1);
      a.ws.close();
      await waitFor(() => a.closeCode !== null, 6000, 'close');
      await sleep(50);
      expect(await upgradeStatus(url)).toBe(101);
      b.ws.close();
    } finally {
      await metricsOnly.close();
      await read.close();
    }
  }, 20_000);

  it('does not drop peers for the pongs a stall of the server kept unread', async () => {
    const srv = await testServer(tmp.dir, { heartbeatMs: 300 });
    try {
      const c = new Client(`${srv.url.replace('http', 'ws')}/ws?token=${TOKEN}&room=stall`);
      await c.opened();
      await sleep(400);
      // This process (server and client) stalls for 1.5 s: five heartbeat periods.
      const until = performance.now() + 1500;
      while (performance.now() < until) {
        /* busy */
      }
      await sleep(500);
      expect(srv.metrics.heartbeatDrops.total()).toBe(0);
      expect(c.closeCode).toBeNull();
      c.ws.close();
    } finally {
      await srv.close();
    }
  }, 10_000);

  it('drops a peer that misses heartbeat pongs and tells its room', async () => {
    const ok = new Client(wsUrl({ token: TOKEN, room: 'r4', name: 'ok' }));
    const deaf = new Client(wsUrl({ token: TOKEN, room: 'r4', name: 'deaf' }), { autoPong: false });
    await Promise.all([ok.opened(), deaf.opened()]);
    const drops = server.metrics.heartbeatDrops.total();
    await waitFor(() => ok.of('member-left').length === 1, 8000, 'heartbeat drop');
    expect(ok.of('member-left')[0]).toMatchObject({ member: { name: 'deaf' }, reason: 'heartbeat' });
    expect(server.metrics.heartbeatDrops.total() - drops).toBe(1);
    expect(ok.ws.readyState).toBe(WebSocket.OPEN); // the one that answers pings stays
    ok.ws.close();
  }, 10_000);
});
