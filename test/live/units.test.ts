import { describe, expect, it } from 'vitest';
import { BoundedPeer } from '../../src/live/bounded-peer.ts';
import { MarkerSanitizer } from '../../src/live/marker-sanitizer.ts';
import { MetricRegistry } from '../../src/live/prometheus.ts';
import { AUDIO_FRAME_BYTES, AUDIO_IN, decodeAudioFrame, encodeAudioFrame } from '../../src/live/protocol.ts';
import { ReceptionStats } from '../../src/live/reception-stats.ts';
import { SeqRestartDetector } from '../../src/rtp/seq-restart.ts';
import { TimerWheel, YIELD_AFTER_MS } from '../../src/live/timer-wheel.ts';
import { FakeHost } from './fake-host.ts';
import { OriginPolicy, tokenMatches } from '../../src/live/access.ts';
import { parseClientMessage } from '../../src/live/client-messages.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';
import { liveMos } from '../../src/live/emodel-live.ts';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { emodelForCall, findCodecImpairment } from '../../src/scores/index.ts';

describe('TimerWheel', () => {
  it('runs periodic tasks at first + k * period however late the host timer fires (drift-free)', () => {
    const host = new FakeHost(0.7);
    const wheel = new TimerWheel({ now: host.now }, host, 0);
    const dues: number[] = [];
    const late: number[] = [];
    wheel.lateness = { record: (x) => late.push(x) };
    wheel.every(20, 20, (due) => dues.push(due));
    host.advance(10_000.9);
    expect(dues.length).toBe(500);
    dues.forEach((d, k) => expect(d).toBe(20 + 20 * k));
    // Lateness is the host's own (0.7 ms) within the 1 ms timer granularity, never accumulated:
    // the same on the 500th run as on the first.
    expect(Math.max(...late)).toBeLessThanOrEqual(1.7 + 1e-9);
    expect(Math.min(...late)).toBeGreaterThan(0.7 - 1);
    expect(Math.max(...late.slice(-50))).toBeLessThanOrEqual(Math.max(...late.slice(0, 50)) + 1e-9);
  });

  it('drives many periodic tasks and one-shots in time order with one host timer', () => {
    const host = new FakeHost(0);
    const wheel = new TimerWheel({ now: host.now }, host, 0);
    const order: Array<[number, string]> = [];
    for (let i = 0; i < 200; i++) wheel.every(20, 1 + i * 0.1, (due) => order.push([due, `t${i}`]));
    wheel.schedule(15.05, (at) => order.push([at, 'once']));
    host.advance(100);
    for (let i = 1; i < order.length; i++) expect(order[i][0]).toBeGreaterThanOrEqual(order[i - 1][0]);
    expect(order.filter(([, n]) => n === 't0').length).toBe(5); // due 1, 21, 41, 61, 81
    expect(order.some(([at, n]) => n === 'once' && at === 15.05)).toBe(true);
    expect(host.pendingTimers).toBe(1);
  });

  it('lets the event loop in after a wake-up has run for YIELD_AFTER_MS, then goes on in order', () => {
    const host = new FakeHost(0);
    const wheel = new TimerWheel({ now: host.now }, host, 0);
    const order: string[] = [];
    // Three entries due at 5 whose callbacks take 6 ms each: the wake-up stops after the second.
    for (const name of ['a', 'b', 'c']) wheel.schedule(5, () => (order.push(name), (host.t += 6)));
    // Something else of the event loop (a message) that became ready at 8.
    host.set(() => order.push('message'), 8);
    host.advance(100);
    expect(order).toEqual(['a', 'b', 'message', 'c']);
    expect(YIELD_AFTER_MS).toBe(10);
  });

  it('cancels periodic and one-shot entries', () => {
    const host = new FakeHost(0);
    const wheel = new TimerWheel({ now: host.now }, host, 0);
    let a = 0;
    let b = 0;
    const h = wheel.every(10, 10, () => a++);
    const o = wheel.schedule(35, () => b++);
    host.advance(25);
    h.cancel();
    o.cancel();
    host.advance(100);
    expect(a).toBe(2);
    expect(b).toBe(0);
    wheel.stop();
    expect(host.pendingTimers).toBe(0);
  });
});

describe('Prometheus text format', () => {
  it('renders HELP/TYPE and escapes label values', () => {
    const r = new MetricRegistry();
    const c = r.counter('x_total', 'A counter\nwith a newline and \\ backslash.');
    c.inc({ room: 'a"b\\c\nd' }, 2);
    c.inc({ room: 'a"b\\c\nd' });
    r.gauge('g', 'A gauge.', () => 7.5);
    expect(r.render()).toBe(
      '# HELP x_total A counter\\nwith a newline and \\\\ backslash.\n# TYPE x_total counter\nx_total{room="a\\"b\\\\c\\nd"} 3\n# HELP g A gauge.\n# TYPE g gauge\ng 7.5\n',
    );
  });
});

describe('RFC 3550 A.1 sequence restart', () => {
  it('accepts gaps below MAX_DROPOUT and late packets, drops one big jump, restarts on two sequential', () => {
    const d = new SeqRestartDetector();
    expect(d.check(65530)).toBe('accept');
    expect(d.check(5)).toBe('accept'); // wrap with a gap of 11
    expect(d.check(65534)).toBe('accept'); // late by 7 (< MAX_MISORDER)
    expect(d.check(20000)).toBe('drop');
    expect(d.check(6)).toBe('accept');
    expect(d.check(30000)).toBe('drop');
    expect(d.check(30001)).toBe('restart');
    expect(d.check(30002)).toBe('accept');
  });
});

function rtp(seq: number, ts: number, marker: boolean): Uint8Array {
  return serializeRtp({ version: 2, padding: 0, marker, payloadType: 97, sequenceNumber: seq, timestamp: ts, ssrc: 1, csrcs: [], extension: null, payload: new Uint8Array([0x78, 1, 2]) });
}

describe('MarkerSanitizer', () => {
  it('clears markers on continuous audio and keeps a talkspurt start after silence, also across loss', () => {
    const m = new MarkerSanitizer(960);
    const out: boolean[] = [];
    const feed = (seq: number, ts: number) => out.push((m.apply(rtp(seq, ts, true))[1] & 0x80) !== 0);
    for (let i = 0; i < 5; i++) feed(100 + i, 1000 + 960 * i); // marker on every packet
    feed(107, 1000 + 960 * 7); // two packets lost: ts and seq advance together
    feed(108, 1000 + 960 * 20); // silence of 12 frames (DTX), then speech
    expect(out).toEqual([true, false, false, false, false, false, true]);
    expect(m.cleared).toBe(5);
  });
});

describe('RFC 3550 A.3 reception statistics', () => {
  it('gives cumulative and fraction lost per interval', () => {
    const s = new ReceptionStats();
    for (let seq = 65530; seq < 65536 + 14; seq++) if (seq % 4 !== 0) s.onPacket(seq % 65536); // 20 expected, 5 lost
    const b1 = s.reportBlock(7, 480.4, 0x12345678, 6554);
    expect(b1.extendedHighestSeq).toBe(65536 + 13);
    expect(b1.cumulativeLost).toBe(5);
    expect(b1.fractionLost).toBe(Math.floor((5 * 256) / 20));
    expect(b1.jitter).toBe(480);
    for (let seq = 14; seq < 24; seq++) s.onPacket(seq); // 10 expected, none lost
    const b2 = s.reportBlock(7, 0, 0, 0);
    expect(b2.fractionLost).toBe(0);
    expect(b2.cumulativeLost).toBe(5);
  });
});

describe('BoundedPeer', () => {
  it('drops the peer once its queue would pass the bound, and only once', () => {
    const sent: number[] = [];
    const t = { bufferedAmount: 0, send: (d: Uint8Array | string) => sent.push(typeof d === 'string' ? d.length : d.length) };
    let drops = 0;
    const p = new BoundedPeer(t, 5000, () => drops++);
    expect(p.send(new Uint8Array(2000))).toBe(true);
    t.bufferedAmount = 2000;
    expect(p.send(new Uint8Array(2000))).toBe(true);
    t.bufferedAmount = 4000;
    expect(p.send(new Uint8Array(2000))).toBe(false);
    t.bufferedAmount = 0;
    expect(p.send('x')).toBe(false);
    expect(drops).toBe(1);
    expect(sent).toEqual([2000, 2000]);
  });
});

describe('wire protocol and access', () => {
  it('round-trips audio frames and rejects wrong sizes and types', () => {
    const pcm = Int16Array.from({ length: 960 }, (_, i) => (i * 97) % 65536 - 32768);
    const b = encodeAudioFrame(AUDIO_IN, 0xfffffffe, pcm);
    expect(b.length).toBe(AUDIO_FRAME_BYTES);
    const d = decodeAudioFrame(b);
    expect(d.ok && d.frameNo === 0xfffffffe && d.pcm.every((v, i) => v === pcm[i])).toBe(true);
    expect(decodeAudioFrame(b.subarray(0, 100))).toEqual({ ok: false, reason: 'bad-length' });
    expect(decodeAudioFrame(Uint8Array.of(9, 0, 0))).toEqual({ ok: false, reason: 'unknown-type' });
    expect(decodeAudioFrame(new Uint8Array(0))).toEqual({ ok: false, reason: 'empty' });
  });

  it('validates control messages', () => {
    expect(parseClientMessage('{"type":"settings","lossPct":5}')).toEqual({ ok: true, msg: { type: 'settings', lossPct: 5 } });
    expect(parseClientMessage('{"type":"settings","lossPct":500}').ok).toBe(false);
    expect(parseClientMessage('{"type":"record","on":true,"x":1}').ok).toBe(false);
    expect(parseClientMessage('nope')).toMatchObject({ ok: false, reason: 'bad-json' });
  });

  it('compares tokens exactly and checks origins', () => {
    expect(tokenMatches('abcdefgh', 'abcdefgh')).toBe(true);
    expect(tokenMatches('abcdefgh', 'abcdefgH')).toBe(false);
    expect(tokenMatches('abcdefgh', null)).toBe(false);
    const o = new OriginPolicy([...OriginPolicy.defaults('127.0.0.1', 8080), 'https://lab.example']);
    expect(o.allows('http://127.0.0.1:8080')).toBe(true);
    expect(o.allows('http://localhost:8080')).toBe(true);
    expect(o.allows('https://lab.example')).toBe(true);
    expect(o.allows('http://evil.example')).toBe(false);
    expect(o.allows(undefined)).toBe(true);
  });
});

describe('live E-model', () => {
  it('is G.107 via src/scores with Ta from the delay budget', () => {
    const codec = CodecConfigSchema.parse({ bitrateKbps: 32 });
    const lost = Array.from({ length: 250 }, (_, i) => i % 25 === 0); // 4% isolated loss
    const m = liveMos({ lost, codec, networkDelayMs: 40, jitterBufferMs: 60, deviceBufferMs: 10 })!;
    // The report's scale and entry (wideband for 48 kHz), so a call rates the same live and offline.
    const entry = findCodecImpairment('opus', 'wb', 32)!;
    expect(m.bandwidth).toBe('wb');
    const ref = emodelForCall({ codecEntry: entry, mouthToEarMs: 20 + 6.5 + 40 + 60 + 10, pplPercent: 4, burstR: m.burstR });
    expect(m.mouthToEarMs).toBeCloseTo(136.5, 9);
    expect(m.mosCQ).toBeCloseTo(ref.mosCQ, 12);
    const clean = liveMos({ lost: lost.map(() => false), codec, networkDelayMs: 40, jitterBufferMs: 60, deviceBufferMs: 10 })!;
    expect(clean.mosCQ).toBeGreaterThan(m.mosCQ);
  });
});

describe('TimerWheel after a stall', () => {
  it('makes up missed playout ticks but not missed heartbeats', () => {
    const host = new FakeHost(0);
    const wheel = new TimerWheel({ now: host.now }, host, 0);
    const ticks: number[] = [];
    const beats: number[] = [];
    wheel.every(20, 20, (due) => ticks.push(due));
    wheel.every(300, 300, (due) => beats.push(due), { catchUp: false });
    host.advance(300);
    host.t = 1000; // the event loop was blocked for 700 ms
    host.advance(1000);
    expect(ticks).toEqual(Array.from({ length: 50 }, (_, k) => 20 * (k + 1)));
    expect(beats).toEqual([300, 600]); // 600 ran late once; 900 was skipped, next is 1200
    host.advance(1200);
    expect(beats).toEqual([300, 600, 1200]);
  });
});
