import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { BottleneckLink, serializationMs, wireBytes, type LinkSettings } from '../../src/channel/bottleneck-link.ts';
import { parseMahimahiTrace } from '../../src/channel/mahimahi-trace.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channel, sendStream } from './helpers.ts';

const base: LinkSettings = {
  rateKbps: 64,
  cellBytes: 0,
  cellOverheadBytes: 0,
  overheadBytes: 28,
  limitPackets: null,
  limitBytes: null,
  trace: null,
  traceLoop: true,
};

describe('bottleneck link', () => {
  it('serialisation time 8 len / rate, with overhead and netem cells', () => {
    expect(wireBytes(172, 28)).toBe(200);
    expect(serializationMs(200, 64)).toBe(25);
    // ATM-like: 53-byte cells carrying 48: ceil(200/48) = 5 cells of 53.
    expect(wireBytes(172, 28, 48, 5)).toBe(265);
    const link = new BottleneckLink();
    const r = link.admit(0, 172, { ...base, cellBytes: 48, cellOverheadBytes: 5 });
    expect(r.admitted && r.exitMs).toBeCloseTo((8 * 265) / 64, 12);
  });

  it('below capacity: no queueing (queue delay = one serialisation time)', () => {
    // 172 + 28 = 200 bytes every 20 ms = 80 kbit/s on a 100 kbit/s link: tx 16 ms.
    const ds = sendStream(channel({ link: { rateKbps: 100 } }), 500, { sizeBytes: 172 });
    for (const d of ds) {
      expect(d.delivered).toBe(true);
      expect(d.queueDelayMs).toBeCloseTo(16, 9);
    }
  });

  it('above capacity: queue delay builds linearly, then drop-tail at the packet limit', () => {
    // 80 kbit/s offered to 64 kbit/s: each packet adds 25 - 20 = 5 ms of backlog.
    const ds = sendStream(channel({ link: { rateKbps: 64, queue: { limitPackets: 20 } } }), 2000, { sizeBytes: 172 });
    for (let i = 0; i < 10; i++) expect(ds[i].queueDelayMs).toBeCloseTo(25 + 5 * i, 9);
    const drops = ds.filter((d) => d.cause === 'queue').length;
    // Long run: delivered throughput = capacity, so drops = 1 - 64/80 = 20 % of packets.
    expect(drops / ds.length).toBeGreaterThan(0.18);
    expect(drops / ds.length).toBeLessThan(0.21);
    const maxQ = Math.max(...ds.filter((d) => d.delivered).map((d) => d.queueDelayMs));
    // At most 20 packets in the system: 20 x 25 ms.
    expect(maxQ).toBeLessThanOrEqual(20 * 25 + 1e-9);
    expect(maxQ).toBeGreaterThan(19 * 25);
    for (const d of ds) if (!d.delivered) expect(d.deliveries).toHaveLength(0);
  });

  it('byte limit counts the wire bytes of waiting and in-service packets', () => {
    const link = new BottleneckLink();
    const s = { ...base, limitBytes: 500 };
    expect(link.admit(0, 172, s).admitted).toBe(true);
    expect(link.admit(0, 172, s).admitted).toBe(true);
    expect(link.admit(0, 172, s).admitted).toBe(false); // 600 > 500
    expect(link.backlog(25)).toEqual({ packets: 1, bytes: 200 });
    expect(link.admit(25, 172, s).admitted).toBe(true);
  });

  it('FIFO: exit = max(arrival, previous exit) + tx', () => {
    const link = new BottleneckLink();
    const a = link.admit(0, 172, base);
    const b = link.admit(10, 172, base);
    const c = link.admit(100, 172, base);
    expect([a, b, c].map((r) => (r.admitted ? r.exitMs : NaN))).toEqual([25, 50, 125]);
  });
});

describe('mahimahi trace', () => {
  it('parses one timestamp per line and loops with the last timestamp as period', () => {
    const t = parseMahimahiTrace('1\n', 'one.trace');
    expect(t.meanRateKbps()).toBe(12000); // "a file containing only 1 is 12 Mbit/s"
    const u = parseMahimahiTrace('5\n5\n10\n', 'u');
    expect([0, 1, 2, 3, 4, 5].map((q) => u.opportunityMs(q, true))).toEqual([5, 5, 10, 15, 15, 20]);
    expect(u.opportunityMs(3, false)).toBe(Infinity);
    expect(u.firstAtOrAfter(11, true)).toBe(3);
    expect(u.firstAtOrAfter(10, true)).toBe(2);
  });

  it('rejects malformed traces with scenario errors naming the line', () => {
    for (const [text, re] of [
      ['', /empty/],
      ['3\n2\n', /:2: .*before/],
      ['1\nabc\n', /:2: /],
      ['0\n', /positive/],
      ['-1\n', /:1: /],
    ] as const) {
      let err: unknown;
      try {
        parseMahimahiTrace(text, 'f.trace');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(JitterlabError);
      expect((err as JitterlabError).kind).toBe('scenario');
      expect((err as JitterlabError).message).toMatch(re);
    }
  });

  it('packets share 1500-byte opportunities and wait for the next one', () => {
    const trace = parseMahimahiTrace('10\n20\n30\n40\n', 't');
    const s: LinkSettings = { ...base, rateKbps: null, trace, overheadBytes: 0 };
    const link = new BottleneckLink();
    const exits = [0, 0, 0, 0].map(() => {
      const r = link.admit(0, 600, s);
      return r.admitted ? r.exitMs : NaN;
    });
    // 600 + 600 fit in the 10 ms opportunity; the third spans 10 (300) and 20 (300); the fourth ends at 20.
    expect(exits).toEqual([10, 10, 20, 20]);
    // Unused bytes are lost: a packet arriving after the 20 ms opportunity waits for 30.
    const r = link.admit(25, 100, s);
    expect(r.admitted && r.exitMs).toBe(30);
    // Run once: beyond the end nothing leaves, the packet is dropped.
    const once = new BottleneckLink();
    expect(once.admit(41, 100, { ...s, traceLoop: false }).admitted).toBe(false);
  });

  it('trace mode through the channel, from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jl-mm-'));
    const f = join(dir, 'link.trace');
    // One opportunity every 40 ms (300 kbit/s); two 728-byte wire packets (1456 <= 1500) per 40 ms.
    writeFileSync(f, '40\n');
    const ds = sendStream(channel({ link: { trace: { format: 'mahimahi', file: f } } }), 100, { sizeBytes: 700 });
    for (let i = 0; i < ds.length; i++) {
      expect(ds[i].delivered).toBe(true);
      const arrival = ds[i].deliveries[0].arrivalMs;
      expect(arrival % 40).toBe(0);
      expect(arrival).toBeGreaterThanOrEqual(i * 20);
    }
    expect(() => channel({ link: { trace: { format: 'mahimahi', file: join(dir, 'missing') } } })).toThrow(expect.objectContaining({ kind: 'io' }));
  });
});
