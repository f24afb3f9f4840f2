/**
 * Rooms across server instances (`jitterlab serve --redis`), over loopback with a throw-away
 * redis-server: instance A in this process, instance B a `jitterlab serve` child process. Two
 * Node WebSocket members of one room, one on each instance, speak at once as the page does
 * (20 ms frames in real time) and each hears the other; the member limit counts both instances;
 * a Redis restart is survived (entries re-created, audio still crossing); SIGKILL of B removes
 * its member from A's room within the stated time (ttl + heartbeat). Bad --redis values fail
 * with one line before anything listens. The legs run on leg engines of every layout: A on one
 * worker thread, B on two, and the Redis-outage test's first instance on its main thread
 * (--workers 0); the link to Redis is on each main thread, the rooms on the engines.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import type { LiveServer } from '../../src/live/server.ts';
import { DEFAULT_REDIS_HEARTBEAT_MS, DEFAULT_REDIS_TTL_MS } from '../../src/live/redis/presence-timing.ts';
import { freePort, redisAvailable, TestRedis } from '../redis/redis-server.ts';
import { bestEnvelopeCorrelation, Client, envelope, fixturePcm, tempDir, testServer, TOKEN, waitFor, writeScenario } from './helpers.ts';

const CLI = join(PROJECT_ROOT, 'src', 'cli', 'jitterlab.js');
const available = redisAvailable();
if (!available) console.warn('redis-rooms.test: redis-server not installed (apt-get install redis-server): skipped');

const tmp = tempDir('redis-rooms');
const children: ChildProcess[] = [];
let redis: TestRedis;
let a: LiveServer;
let scenario: string;

beforeAll(async () => {
  if (!available) return;
  redis = await TestRedis.start();
  // A deep fixed buffer: what is tested is the crossing, not how a buffer copes with the stalls of a loaded machine.
  scenario = writeScenario(tmp.dir, 'cross-test', 'channel:\n  delay: { baseMs: 25 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 200 }\n');
  a = await testServer(tmp.dir, { scenarioFile: scenario, maxRoomMembers: 2, statsIntervalMs: 200, redis: { url: redis.url } });
}, 30_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await a?.close();
  await redis?.stop();
  tmp.cleanup();
});

/** `jitterlab serve` in its own process; resolves with its URL once it listens. */
async function serve(args: string[]): Promise<{ proc: ChildProcess; url: string; out: string[] }> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--no-rtp', '--token', TOKEN, ...args], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const out: string[] = [];
  proc.stdout!.on('data', (d) => out.push(...String(d).split('\n')));
  proc.stderr!.on('data', (d) => out.push(`stderr: ${String(d)}`));
  await waitFor(() => out.some((l) => l.startsWith('Ctrl-C')) || proc.exitCode !== null, 30_000, `the server to start (${out.join(' | ')})`);
  const m = /page:\s+(http:\/\/[^/]+)\//.exec(out.join('\n'));
  if (!m) throw new Error(`serve did not start: ${out.join(' | ')}`);
  return { proc, url: m[1], out };
}

const wsUrl = (base: string, q: Record<string, string>) => `${base.replace('http', 'ws')}/ws?${new URLSearchParams({ token: TOKEN, ...q })}`;
const heard = (c: Client) => envelope(Int16Array.from(c.audio.flatMap((f) => Array.from(f))));
const metricsOf = async (url: string) => (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
/**
 * A page's microphone: 20 ms frames in real time without pause (silence when nothing is said), as
 * the page sends them, so a speaker's RTP clock and its arrivals stay together between phrases.
 */
class Mic {
  private readonly queue: Int16Array[] = [];
  private stopped = false;
  private drained: (() => void) | null = null;

  constructor(private readonly c: Client) {
    void this.run();
  }

  private async run(): Promise<void> {
    const silence = new Int16Array(960);
    const t0 = performance.now();
    for (let i = 0; !this.stopped; i++) {
      const f = this.queue.shift() ?? silence;
      if (this.c.ws.readyState === WebSocket.OPEN) this.c.sendFrame(f);
      if (this.queue.length === 0) this.drained?.();
      const wait = t0 + (i + 1) * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Resolves once the last frame of `pcm` is sent. */
  say(pcm: Int16Array): Promise<void> {
    for (let i = 0; (i + 1) * 960 <= pcm.length; i++) this.queue.push(pcm.subarray(i * 960, (i + 1) * 960));
    return new Promise((r) => (this.drained = r));
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Whether `c` was told that `name` is in its room (in the welcome or as a join since). */
const knows = (c: Client, name: string) => [...(c.of('welcome')[0]?.members ?? []), ...c.of('member-joined').map((e) => e.member)].some((m) => m.name === name);
const metric = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);

describe.runIf(available)('serve --redis', () => {
  it('fails with one line when Redis is not there or the URL is wrong', async () => {
    const dead = await freePort();
    const r1 = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--no-rtp', '--redis', `redis://127.0.0.1:${dead}`], { cwd: tmp.dir, encoding: 'utf8', timeout: 60_000 });
    expect(r1.status).toBe(1);
    expect(r1.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^jitterlab: redis://127\\.0\\.0\\.1:${dead}: Redis is not reachable: .*ECONNREFUSED`))]);
    expect(r1.stdout).toBe('');
    const r2 = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--no-rtp', '--redis', 'http://127.0.0.1:6379'], { cwd: tmp.dir, encoding: 'utf8', timeout: 60_000 });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/^jitterlab: --redis: expected redis:\/\/host:port\[\/db\], got ".*" \(scheme \w+ is not redis\)$/m);
  }, 60_000);

  it('shares a room across two instances: each member hears the other; the limit counts both; a Redis restart and a killed instance are survived', async () => {
    const b = await serve(['--scenario', scenario, '--max-room-members', '2', '--workers', '2', '--redis', redis.url]);
    expect(b.out.join('\n')).toMatch(/rooms:\s+shared through redis:\/\/127\.0\.0\.1:\d+ \(instance slot \d+\)/);
    const alice = new Client(wsUrl(a.url, { room: 'x', name: 'alice' }));
    await alice.opened();
    await waitFor(() => alice.of('welcome').length === 1, 6000, 'alice welcome');
    const bob = new Client(wsUrl(b.url, { room: 'x', name: 'bob' }));
    await bob.opened();
    await waitFor(() => bob.of('welcome').length === 1 && alice.of('member-joined').length === 1, 6000, 'bob welcome and join on A');
    expect(bob.of('welcome')[0].members.map((m) => m.name).sort()).toEqual(['alice', 'bob']);
    expect(alice.of('member-joined')[0].member.name).toBe('bob');
    // Member ids are unique across instances (each instance has its own range).
    expect(bob.of('welcome')[0].you.id).not.toBe(alice.of('welcome')[0].you.id);
    await waitFor(() => a.hub.legCount() === 1, 6000, "alice's leg from bob (her self loop gone)");
    const micA = new Mic(alice);
    const micB = new Mic(bob);

    // The limit (2) counts both instances: a third member on A is turned away.
    const carol = new Client(wsUrl(a.url, { room: 'x', name: 'carol' }));
    await carol.opened();
    await waitFor(() => carol.closeCode !== null, 6000, 'carol refused');
    expect(carol.closeCode).toBe(4001);
    expect(carol.of('error')[0]?.code).toBe('room-full');

    // Both speak at once; each hears the other through their own leg on their own instance.
    alice.audio.length = 0;
    bob.audio.length = 0;
    await Promise.all([micA.say(fixturePcm(0, 1.6)), micB.say(fixturePcm(3, 1.6))]);
    await new Promise((r) => setTimeout(r, 400));
    const aliceHeard = bestEnvelopeCorrelation(heard(alice), envelope(fixturePcm(3, 1.6)), 25, 40);
    const bobHeard = bestEnvelopeCorrelation(heard(bob), envelope(fixturePcm(0, 1.6)), 25, 40);
    console.log(`redis-rooms: envelope correlation across instances: alice heard bob r=${aliceHeard.r.toFixed(3)}, bob heard alice r=${bobHeard.r.toFixed(3)}`);
    expect(aliceHeard.r).toBeGreaterThan(0.85);
    expect(bobHeard.r).toBeGreaterThan(0.85);
    // And not their own voice.
    expect(bestEnvelopeCorrelation(heard(alice), envelope(fixturePcm(0, 1.6)), 25, 40).r).toBeLessThan(aliceHeard.r - 0.2);

    // /metrics: cross-instance traffic both ways, the remote member of each room.
    const ma = await metricsOf(a.url);
    const mb = await metricsOf(b.url);
    const media = (t: string, dir: string) => metric(t, new RegExp(`^jitterlab_live_redis_messages_total\\{direction="${dir}",kind="media"\\} (\\d+)$`, 'm'));
    // 1.6 s of speech is 80 frames, one RTP packet each.
    for (const [t, dir] of [[ma, 'in'], [ma, 'out'], [mb, 'in'], [mb, 'out']] as const) expect(media(t, dir)).toBeGreaterThanOrEqual(70);
    expect(metric(ma, /^jitterlab_live_redis_bytes_total\{direction="in",kind="media"\} (\d+)$/m)).toBeGreaterThan(70 * 20);
    expect(ma).toMatch(/^jitterlab_live_remote_members\{room="x"\} 1$/m);
    expect(mb).toMatch(/^jitterlab_live_remote_members\{room="x"\} 1$/m);
    expect(ma).toMatch(/^jitterlab_live_redis_up 1$/m);
    const rooms = (await (await fetch(`${a.url}/api/rooms`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { rooms: Array<{ name: string; members: Array<{ name: string }>; remoteMembers: Array<{ name: string }> }> };
    expect(rooms.rooms.map((r) => [r.name, r.members.map((m) => m.name), r.remoteMembers.map((m) => m.name)])).toEqual([['x', ['alice'], ['bob']]]);

    // Redis restarts (its data is gone): both instances re-create their presence and entries.
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    await redis.restart();
    await probe.connect();
    const t0 = Date.now();
    while (Date.now() - t0 < 10_000 && (await probe.hlen('jitterlab:live:room:x').catch(() => 0)) !== 2) await new Promise((r) => setTimeout(r, 100));
    expect(await probe.hlen('jitterlab:live:room:x')).toBe(2);
    await waitFor(() => a.metrics.registry.render().includes('jitterlab_live_redis_reconnects_total 1'), 10_000, 'A reconnected');
    alice.audio.length = 0;
    await waitFor(() => a.hub.legCount() === 1, 10_000, 'alice hears bob again');
    await micB.say(fixturePcm(6, 1.2));
    await new Promise((r) => setTimeout(r, 400));
    expect(bestEnvelopeCorrelation(heard(alice), envelope(fixturePcm(6, 1.2)), 25, 40).r).toBeGreaterThan(0.85);
    // A restart shorter than the expiry is no leave for anyone.
    expect(alice.of('member-left')).toEqual([]);

    // B dies without a word: bob leaves A's room within ttl + heartbeat (plus slack for a loaded machine).
    const leftBefore = alice.of('member-left').length;
    micB.stop();
    b.proc.kill('SIGKILL');
    const killedAt = Date.now();
    const stated = DEFAULT_REDIS_TTL_MS + DEFAULT_REDIS_HEARTBEAT_MS;
    await waitFor(() => alice.of('member-left').length > leftBefore, stated + 3000, 'bob to leave A');
    const took = Date.now() - killedAt;
    console.log(`redis-rooms: a SIGKILLed instance's member left the other instance's room after ${took} ms (stated bound ${stated} ms)`);
    expect(took).toBeLessThanOrEqual(stated + 1500);
    expect(alice.of('member-left').at(-1)).toMatchObject({ member: { name: 'bob' }, reason: 'instance-gone' });
    expect(a.hub.legCount()).toBe(1); // alice alone: her self loop again
    expect(await probe.hlen('jitterlab:live:room:x')).toBe(1);
    probe.disconnect();
    micA.stop();
    alice.ws.close();
    await waitFor(() => a.hub.roomSizes().length === 0, 6000, 'room gone');
  }, 60_000);

  it('keeps local rooms going while Redis is away: remote members leave after the expiry and come back with Redis', async () => {
    const own = await TestRedis.start();
    const logs: string[] = [];
    const fast = { url: own.url, heartbeatMs: 300, ttlMs: 1500 };
    const x = await testServer(tmp.dir, { scenarioFile: scenario, redis: fast, workers: 0, log: (l) => logs.push(`x: ${l}`) });
    const y = await testServer(tmp.dir, { scenarioFile: scenario, redis: fast, log: (l) => logs.push(`y: ${l}`) });
    try {
      const dora = new Client(wsUrl(x.url, { room: 'z', name: 'dora' }));
      const emil = new Client(wsUrl(y.url, { room: 'z', name: 'emil' }));
      await Promise.all([dora.opened(), emil.opened()]);
      await waitFor(() => knows(dora, 'emil') && knows(emil, 'dora') && x.hub.legCount() === 1 && y.hub.legCount() === 1, 6000, 'both in the room');
      const micD = new Mic(dora);
      const micE = new Mic(emil);
      await own.stop();
      // Both lose the other after the expiry (1.5 s) and hear themselves again: the local rooms go on.
      const lost = (c: Client, name: string) => c.of('member-left').some((e) => e.member.name === name && e.reason === 'redis-lost');
      await waitFor(() => lost(dora, 'emil') && lost(emil, 'dora'), 6000, 'remote members to leave');
      expect(logs.some((l) => /^x: redis redis:\/\/127\.0\.0\.1:\d+: connection lost; local rooms go on/.test(l))).toBe(true);
      dora.audio.length = 0;
      await micD.say(fixturePcm(1, 1.2));
      await new Promise((r) => setTimeout(r, 400));
      // (0.8 here and below: two servers and their clients share this process on a loaded machine.)
      expect(bestEnvelopeCorrelation(heard(dora), envelope(fixturePcm(1, 1.2)), 25, 40).r).toBeGreaterThan(0.8);
      // Redis is back (empty): presence and entries are re-created, the room is shared again.
      const joined = [dora.of('member-joined').length, emil.of('member-joined').length];
      await own.restart();
      await waitFor(() => dora.of('member-joined').length > joined[0] && emil.of('member-joined').length > joined[1], 10_000, 'members back');
      expect([dora.of('member-joined').at(-1)!.member.name, emil.of('member-joined').at(-1)!.member.name]).toEqual(['emil', 'dora']);
      await waitFor(() => x.hub.legCount() === 1 && y.hub.legCount() === 1, 6000, 'legs across instances again');
      expect(logs.some((l) => /^y: redis .*: connected again/.test(l))).toBe(true);
      dora.audio.length = 0;
      await micE.say(fixturePcm(4, 1.2));
      await new Promise((r) => setTimeout(r, 400));
      expect(bestEnvelopeCorrelation(heard(dora), envelope(fixturePcm(4, 1.2)), 25, 40).r).toBeGreaterThan(0.8);
      micE.stop();
      // A graceful stop (Ctrl-C) tells the other instances at once: no expiry to wait for.
      const left = dora.of('member-left').length;
      const stoppedAt = Date.now();
      await y.close();
      await waitFor(() => dora.of('member-left').length > left, 2000, 'emil to leave on a graceful stop');
      expect(Date.now() - stoppedAt).toBeLessThan(1000);
      expect(dora.of('member-left').at(-1)).toMatchObject({ member: { name: 'emil' }, reason: 'server-shutdown' });
      micD.stop();
      dora.ws.close();
    } finally {
      await x.close();
      await y.close();
      await own.stop();
    }
  }, 45_000);

  it("runs a shared room on the engine it is placed on: remote speakers' packets go there, and their legs count in the placement", async () => {
    const p = await testServer(tmp.dir, { scenarioFile: scenario, workers: 2, redis: { url: redis.url } });
    const q = await testServer(tmp.dir, { scenarioFile: scenario, redis: { url: redis.url } });
    const [e0, e1] = p.engines.engines;
    const clients: Client[] = [];
    const join = async (url: string, room: string, name: string) => {
      const c = new Client(wsUrl(url, { room, name }));
      clients.push(c);
      await c.opened();
      await waitFor(() => c.of('welcome').length === 1, 6000, `${name} welcome`);
      return c;
    };
    try {
      await join(p.url, 'first', 'fay'); // engine 0
      const gus = await join(p.url, 'shared', 'gus'); // the engine with the fewest legs: engine 1
      expect([e0.legs, e1.legs]).toEqual([1, 1]);
      const hal = await join(q.url, 'shared', 'hal');
      await waitFor(() => knows(gus, 'hal') && knows(hal, 'gus') && p.hub.legCount() === 2 && q.hub.legCount() === 1, 6000, 'gus and hal in one room');
      const ida = await join(q.url, 'shared', 'ida');
      // gus hears hal and ida: two legs on engine 1, for speakers on another instance.
      await waitFor(() => e1.legs === 2, 6000, "engine 1's legs to both remote speakers");
      expect(e0.legs).toBe(1);
      const micG = new Mic(gus);
      const micH = new Mic(hal);
      const micI = new Mic(ida);
      gus.audio.length = 0;
      hal.audio.length = 0;
      await Promise.all([micH.say(fixturePcm(2, 1.6)), micG.say(fixturePcm(5, 1.6))]);
      await new Promise((r) => setTimeout(r, 400));
      const gusHeard = bestEnvelopeCorrelation(heard(gus), envelope(fixturePcm(2, 1.6)), 25, 40).r;
      const halHeard = bestEnvelopeCorrelation(heard(hal), envelope(fixturePcm(5, 1.6)), 25, 40).r;
      console.log(`redis-rooms: a room on engine 1 of 2: gus heard hal r=${gusHeard.toFixed(3)}, hal heard gus r=${halHeard.toFixed(3)}`);
      // (0.8: two servers and their clients share this process on a loaded machine.)
      expect(gusHeard).toBeGreaterThan(0.8);
      expect(halHeard).toBeGreaterThan(0.8);
      micI.stop();
      ida.ws.close();
      await waitFor(() => e1.legs === 1 && gus.of('member-left').some((e) => e.member.name === 'ida'), 6000, 'ida gone from engine 1');
      micH.stop();
      hal.ws.close();
      micG.stop();
      // Alone again: gus hears himself, on the same engine.
      await waitFor(() => gus.of('member-left').some((e) => e.member.name === 'hal') && e1.legs === 1 && p.hub.legCount() === 2, 6000, 'gus alone');
      const rooms = (await (await fetch(`${p.url}/api/rooms`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { rooms: Array<{ name: string; remoteMembers: unknown[] }> };
      expect(rooms.rooms.map((r) => [r.name, r.remoteMembers.length])).toEqual([['first', 0], ['shared', 0]]);
    } finally {
      for (const c of clients) c.ws.close();
      await p.close();
      await q.close();
    }
  }, 40_000);

  it('takes the last place in a room once: a member admitted on a stale count is refused by the count in Redis', async () => {
    const p = await testServer(tmp.dir, { scenarioFile: scenario, maxRoomMembers: 1, redis: { url: redis.url } });
    const q = await testServer(tmp.dir, { scenarioFile: scenario, maxRoomMembers: 1, redis: { url: redis.url } });
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await probe.connect();
    try {
      const first = new Client(wsUrl(p.url, { room: 'solo', name: 'first' }));
      await first.opened();
      await waitFor(() => first.of('welcome').length === 1, 6000, 'first welcome');
      const t0 = Date.now();
      while (Date.now() - t0 < 5000 && (await probe.hlen('jitterlab:live:room:solo')) !== 1) await new Promise((r) => setTimeout(r, 50));
      // As if both had connected in the same instant: q admits on what it knew before (nobody).
      q.redis!.prepare = async () => undefined;
      const second = new Client(wsUrl(q.url, { room: 'solo', name: 'second' }));
      await second.opened();
      await waitFor(() => second.closeCode !== null, 6000, 'second refused');
      expect(second.closeCode).toBe(4001);
      expect(second.of('error').map((e) => e.code)).toEqual(['room-full']);
      expect(q.metrics.rejected.get({ reason: 'room-full' })).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(first.of('member-joined')).toEqual([]);
      expect(await probe.hvals('jitterlab:live:room:solo')).toEqual([expect.stringContaining('"first"')]);
      first.ws.close();
    } finally {
      probe.disconnect();
      await p.close();
      await q.close();
    }
  }, 30_000);
});
