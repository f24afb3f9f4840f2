/**
 * A live leg on a fake clock (deterministic): what was never sent is not counted. A stream that
 * stops leaves no concealment in the window, the E-model or the W3C counters; a DTX-like gap
 * (timestamps skipped, no sequence numbers spent) is not loss in the window; packets lost before
 * the leg are. Replaced channels and receivers keep adding to the leg's totals.
 */
import { describe, expect, it } from 'vitest';
import { LiveCatalog } from '../../src/live/catalog.ts';
import { LiveLeg } from '../../src/live/leg.ts';
import { LiveMetrics } from '../../src/live/live-metrics.ts';
import { TimerWheel } from '../../src/live/timer-wheel.ts';
import { OpusPacketizer } from '../../src/rtp/opus-packetizer.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';
import { FakeHost } from './fake-host.ts';
import { opusPayloads, tempDir, writeScenario } from './helpers.ts';

const payloads = opusPayloads(0, 150);

async function setup(channel = 'delay: { baseMs: 20 }') {
  const tmp = tempDir('leg');
  const file = writeScenario(tmp.dir, 'leg-test', `channel:\n  ${channel}\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 40 }\n`);
  const catalog = await LiveCatalog.load(tmp.dir, file);
  tmp.cleanup();
  const host = new FakeHost();
  const clock = new TimerWheel({ now: host.now }, host, 0);
  const leg = new LiveLeg(clock, catalog.resolve(catalog.defaultSettings()), { payloadType: 111, kind: 'rtp', metrics: new LiveMetrics() });
  const tick = clock.every(20, 20, (due) => leg.tick(due));
  return { host, clock, leg, catalog, tick };
}

/** Frame k goes out at k * 20 ms unless skipped; `seqFor` says which sequence number it takes. */
function sender(seqFor: (k: number) => number | null) {
  const pk = new OpusPacketizer({ payloadType: 111, ssrc: 1, initialSeq: 0, initialTimestamp: 4_294_000_000 });
  return (k: number): Uint8Array | null => {
    const seq = seqFor(k);
    if (seq === null) return null;
    const p = pk.packetize({ payload: payloads[k % payloads.length], timestampOffset48k: k * 960, talkspurtStart: false });
    return serializeRtp({ ...p, sequenceNumber: seq & 0xffff });
  };
}

describe('a live leg', () => {
  it('stops counting at the last frame of a stream that stops', async () => {
    const { host, leg } = await setup();
    const send = sender((k) => k);
    for (let k = 0; k < 100; k++) {
      host.advance(k * 20 + 3);
      leg.onRtp(send(k)!, host.now());
    }
    host.advance(100 * 20 + 3000); // three seconds of nothing: the receiver conceals on
    expect(leg.window.snapshot(host.now(), leg.config.codec, 0).concealedLastS).toBe(0);
    const c = leg.counters();
    expect(c.concealedSamples).toBe(0);
    expect(c.concealmentEvents).toBe(0);
    expect(c.totalSamplesReceived).toBe(100 * 960);
    expect(leg.loss.frames).toBe(100);
    expect(leg.loss.lost).toBe(0);
    const snap = leg.snapshot(2000 + 1000);
    expect(snap.effectiveLossPct).toBe(0);
    expect(snap.mos!.pplPercent).toBe(0);
    expect(leg.playedPastLastFrame).toBe(true);
    leg.close();
    expect(leg.unsentFrames).toBeGreaterThan(140);
  });

  it('counts loss before the leg as loss and a skipped stretch (DTX) as nothing', async () => {
    const { host, leg } = await setup();
    // Frames 20 and 21 lost upstream (their sequence numbers spent); frames 50-69 never sent
    // (timestamps skipped, sequence numbers not spent); the stream goes on to frame 99.
    const send = sender((k) => (k === 20 || k === 21 ? null : k >= 50 && k < 70 ? null : k < 70 ? k : k - 20));
    for (let k = 0; k < 100; k++) {
      host.advance(k * 20 + 3);
      const b = send(k);
      if (b) leg.onRtp(b, host.now());
    }
    host.advance(100 * 20 + 200);
    // Frame 21 may come back from frame 22's in-band FEC; frame 20 cannot.
    expect(leg.loss.lost).toBeGreaterThanOrEqual(1);
    expect(leg.loss.lost).toBeLessThanOrEqual(2);
    expect(leg.loss.frames).toBe(80);
    const c = leg.counters();
    expect(c.packetsLost).toBe(2);
    // The fixed buffer conceals the skipped stretch until the next packet arrives, then plays
    // comfort noise: the concealed part is audio never sent, left out of the window; W3C counts
    // what the receiver did.
    expect(leg.unsentFrames).toBeGreaterThan(10);
    expect(leg.unsentFrames + c.comfortNoiseSamples / 960).toBe(20);
    expect(c.concealedSamples / 960).toBe(leg.loss.lost + leg.unsentFrames);
  });

  it('keeps totals across a new channel and a new receiver', async () => {
    const { host, leg, catalog } = await setup();
    const send = sender((k) => k);
    const s0 = catalog.defaultSettings();
    for (let k = 0; k < 150; k++) {
      host.advance(k * 20 + 3);
      if (k === 50) leg.reconfigure(catalog.resolve({ ...s0, lossPct: 20 }));
      if (k === 100) leg.reconfigure(catalog.resolve({ ...s0, lossPct: 20, buffer: 'adaptive' }));
      leg.onRtp(send(k)!, host.now());
    }
    host.advance(150 * 20 + 500);
    const ch = leg.channelTotals();
    expect(ch.sent).toBe(150);
    expect(ch.delivered + ch.lost).toBe(150);
    expect(ch.lost).toBeGreaterThan(5);
    expect(leg.channelStats().sent).toBe(100); // the current channel: since frame 50
    const t = leg.totalCounters();
    expect(t.packetsReceived).toBe(ch.delivered);
    expect(t.totalSamplesReceived).toBeGreaterThan(leg.counters().totalSamplesReceived);
  });
});
