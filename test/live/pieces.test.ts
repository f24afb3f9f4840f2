/**
 * The small parts behind issue 15, each against its definition: the sent ledger (what a source
 * sent, skipped, or has not sent yet), the loss tally (BurstR as scores/burst-ratio.ts fits it),
 * RFC 3550 loss by recording period (never negative, adds up), A.1 probation of new SSRCs, the
 * acknowledged send bound, the WebSocket token subprotocol, the recording limits, and the
 * offline scenario of a recording (phases where the settings changed).
 */
import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import type { RemoteInfo } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tokenOf } from '../../src/live/access.ts';
import { BoundedPeer } from '../../src/live/bounded-peer.ts';
import { LossTally } from '../../src/live/loss-tally.ts';
import { PeriodLoss } from '../../src/live/period-loss.ts';
import { wsTokenProtocol } from '../../src/live/protocol.ts';
import { RecordingQuota } from '../../src/live/recording-quota.ts';
import { recordingScenarioYaml } from '../../src/live/recording-scenario.ts';
import type { Period } from '../../src/live/recorded-leg.ts';
import type { LegConfig } from '../../src/live/leg-config.ts';
import { RtpProbation } from '../../src/live/rtp-probation.ts';
import { SentLedger } from '../../src/live/sent-ledger.ts';
import { burstRFromLossSequence } from '../../src/scores/index.ts';
import { ChannelConfigSchema } from '../../src/channel/config.ts';
import { CodecConfigSchema } from '../../src/codec/config.ts';

describe('SentLedger', () => {
  it('tells sent, skipped and not-yet-sent slots apart, across the timestamp and sequence wraps', () => {
    const l = new SentLedger(960);
    const t0 = 0xffffffff - 5 * 960; // the timestamp wraps after frame 5
    const ts = (k: number) => (t0 + k * 960) >>> 0;
    expect(l.classify(ts(0))).toBe('beyond');
    l.sent(65534, ts(0));
    l.sent(65535, ts(1));
    l.sent(0, ts(2)); // sequence wraps
    l.sent(3, ts(5)); // 1 and 2 lost upstream: frames 3 and 4 were sent
    l.sent(4, ts(12)); // frames 6..11 skipped (DTX): no sequence number spent
    l.sent(2, ts(4)); // a late one does not move the newest frame
    expect(l.lastTs).toBe(ts(12));
    expect(l.span).toBe(7);
    expect(l.packets).toBe(6);
    expect([3, 4, 5].map((k) => l.classify(ts(k)))).toEqual(['sent', 'sent', 'sent']);
    expect([6, 8, 11].map((k) => l.classify(ts(k)))).toEqual(['unsent', 'unsent', 'unsent']);
    expect([12, 13, 100].map((k) => l.classify(ts(k)))).toEqual(['sent', 'beyond', 'beyond']);
  });
});

describe('LossTally', () => {
  it('gives the Ppl and BurstR burstRFromLossSequence gives for the stored sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (seq) => {
        const t = new LossTally();
        for (const x of seq) t.push(x);
        expect(t.frames).toBe(seq.length);
        expect(t.lost).toBe(seq.filter(Boolean).length);
        if (seq.length) expect(t.burstR).toBeCloseTo(burstRFromLossSequence(seq), 12);
      }),
    );
  });
});

describe('PeriodLoss', () => {
  it('is never negative and adds up, with reordering across a boundary, duplicates and packets in flight', () => {
    const p = new PeriodLoss();
    p.sent(99, true); // the first packet seen starts the recording's range
    for (let s = 100; s < 110; s++) p.sent(s, s !== 105); // 105 lost in the channel
    for (let s = 99; s < 108; s++) if (s !== 105 && s !== 107) p.arrived(s, true);
    p.newPeriod();
    for (let s = 110; s < 120; s++) p.sent(s, true);
    p.arrived(107, true); // period 1's packet arrives during period 2
    p.arrived(107, true); // and again (a duplicate)
    for (let s = 110; s < 118; s++) p.arrived(s, true);
    p.arrived(108, true);
    const a = p.period(0);
    const b = p.period(1);
    expect(a).toEqual({ expected: 11, received: 9, lost: 1, inFlight: 1 }); // 99..109: 105 lost, 109 still flying
    expect(b).toEqual({ expected: 10, received: 8, lost: 0, inFlight: 2 });
  });
});

describe('RtpProbation (RFC 3550 A.1)', () => {
  const from = (port: number): RemoteInfo => ({ address: '127.0.0.1', port, family: 'IPv4', size: 0 });
  it('makes a source valid after two packets in sequence, and bounds the candidates per sender', () => {
    let dropped = 0;
    const p = new RtpProbation(2, 3, () => dropped++);
    const b = new Uint8Array(1);
    expect(p.offer(1, 10, 111, b, 0, from(1))).toBeNull();
    expect(p.offer(1, 12, 111, b, 1, from(1))).toBeNull(); // not in sequence: starts over
    expect(dropped).toBe(1);
    expect(p.offer(1, 13, 100, b, 2, from(1))).toBeNull(); // in sequence, another payload type: starts over
    expect(p.offer(1, 14, 100, b, 3, from(1))?.seq).toBe(13);
    // One sender floods SSRCs: it fills its own two slots, the rest are refused; another sender is unaffected.
    expect(p.offer(2, 0, 111, b, 4, from(2))).toBeNull();
    const before = dropped;
    for (let ssrc = 100; ssrc < 110; ssrc++) p.offer(ssrc, 0, 111, b, 5, from(3));
    expect(dropped - before).toBe(8);
    expect(p.offer(2, 1, 111, b, 6, from(2))?.ssrc).toBe(2);
    // The flooder's first two still validate (and free their slots for the next).
    expect(p.offer(100, 1, 111, b, 6, from(3))?.ssrc).toBe(100);
    expect(p.offer(101, 1, 111, b, 6, from(3))?.ssrc).toBe(101);
    expect(p.offer(108, 0, 111, b, 6, from(3))).toBeNull();
    expect(p.offer(108, 1, 111, b, 6, from(3))?.ssrc).toBe(108);
    expect(p.offer(65535, 65535, 111, b, 7, from(4))).toBeNull();
    expect(p.offer(65535, 0, 111, b, 8, from(4))?.seq).toBe(65535); // across the wrap
    p.expire(100);
    expect(p.candidates).toBe(0);
  });
});

describe('BoundedPeer', () => {
  it('drops a reader that stops acknowledging even when the kernel takes everything', () => {
    const t = { bufferedAmount: 0, send: () => undefined };
    let drops = 0;
    const p = new BoundedPeer(t, 10_000, () => drops++);
    for (let i = 0; i < 4; i++) expect(p.send(new Uint8Array(2000))).toBe(true);
    p.acknowledge(8000); // a pong to a ping sent after 8000 bytes
    for (let i = 0; i < 4; i++) expect(p.send(new Uint8Array(2000))).toBe(true);
    expect(p.unacknowledged).toBe(8000);
    expect(p.send(new Uint8Array(2001))).toBe(false);
    expect(drops).toBe(1);
  });
});

describe('the WebSocket token subprotocol', () => {
  it('carries any token (hex of its UTF-8 bytes) and is read before the query', () => {
    const token = 'sécret token/with=chars+';
    const proto = wsTokenProtocol(token);
    expect(proto).toMatch(/^jitterlab-token\.[0-9a-f]+$/);
    const req = { headers: { 'sec-websocket-protocol': `jitterlab, ${proto}` } } as unknown as IncomingMessage;
    expect(tokenOf(req, new URL('http://x/ws?token=other'))).toBe(token);
    expect(tokenOf({ headers: {} } as IncomingMessage, new URL('http://x/ws?token=other'))).toBe('other');
  });
});

describe('RecordingQuota', () => {
  it('refuses past the running and per-run counts and the budget, naming the flag', () => {
    const q = new RecordingQuota({ maxActive: 2, maxPerRun: 3, maxBytes: 1000, budgetBytes: 1500 });
    expect(q.acquire()).toBeNull();
    expect(q.acquire()).toBeNull();
    expect(q.acquire()).toMatch(/--max-active-recordings/);
    q.release();
    expect(q.charge(0, 900)).toBeNull();
    expect(q.charge(900, 200)).toMatch(/size limit .*--max-recording-mb/);
    expect(q.charge(0, 700)).toMatch(/--recording-budget-mb/);
    expect(q.acquire()).toBeNull();
    q.release();
    q.release();
    expect(q.acquire()).toMatch(/--max-recordings/);
  });
});

describe('the scenario of a recording', () => {
  const channel = ChannelConfigSchema.parse({ delay: { baseMs: 30 } });
  const cfg = (over: Partial<LegConfig>): LegConfig =>
    ({ preset: 'p', seed: 3, slotMs: 20, channel, phases: [], jitterBufferConfig: { type: 'fixed', delayMs: 40 }, bufferLabel: 'fixed', plc: 'opus', fec: true, codec: CodecConfigSchema.parse({}), deviceBufferMs: 10, ...over }) as LegConfig;
  const period = (startMs: number, sourceMs: number, c: LegConfig, chOrigin = startMs): Period => ({ startMs, sourceStartMs: sourceMs, endMs: 0, sourceEndMs: 0, config: c, channelOriginMs: chOrigin, start: null!, end: null!, tally: new LossTally() });

  it('has one phase per settings change, half a frame after it on the source timeline, and the preset phases shifted into their period', () => {
    const lossy = { ...channel, loss: { ...channel.loss, model: 'bernoulli' as const, rate: 0.2 } };
    const handover = { atMs: 3000, forMs: 1000, set: { delay: { baseMs: 200 } }, transition: 'step' as const, rampMs: 0, direction: 'aToB' as const, label: 'handover' };
    const yaml = recordingScenarioYaml({
      session: 's',
      path: '/x/scenario.yaml',
      sourceFile: 'spoken.wav',
      sourceSamples: 48000 * 10,
      sampleRate: 48000,
      codec: CodecConfigSchema.parse({}),
      periods: [
        period(1000, 0, cfg({})),
        period(3000, 2000, cfg({ channel: lossy })),
        // Back to the preset (with its timeline) at 6 s; its channel started at 5.5 s of the clock.
        period(7000, 6000, cfg({ phases: [handover], jitterBufferConfig: { type: 'adaptive' } as never, bufferLabel: 'adaptive' }), 6500),
      ],
    });
    const doc = parse(yaml) as { durationS: number; phases: Array<{ at: number; for: number; set: { loss?: { rate: number }; delay: { baseMs: number } }; label: string }> };
    expect(doc.durationS).toBe(10);
    expect(doc.phases.map((p) => [p.at, p.for])).toEqual([
      [2.01, 4],
      [6.01, 3.99],
      // The preset's 3 s phase: its channel timeline started at source 6000 - (7000 - 6500) = 5500 ms.
      [8.5, 1],
    ]);
    expect(doc.phases[0].set.loss!.rate).toBe(0.2);
    expect(doc.phases[2].set.delay.baseMs).toBe(200);
    expect(yaml).toMatch(/^# Note: period 3 \(from 6\.01 s\) ran buffer adaptive/m);
  });
});
