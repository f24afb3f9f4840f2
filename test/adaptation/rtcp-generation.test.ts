import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { resolveJitterBuffer } from '../../src/jitter-buffer/registry.ts';
import { rfc3611BurstGap } from '../../src/metrics/rfc3611-burst-gap.ts';
import { Receiver } from '../../src/receiver/receiver.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';
import { parseRtcp, serializeRtcp } from '../../src/rtp/rtcp.ts';
import type { RtcpReceiverReport } from '../../src/rtp/rtcp-report.ts';
import type { XrVoipMetricsBlock } from '../../src/rtp/rtcp-xr.ts';
import { ReceiverFeedback } from '../../src/sender/adaptation/receiver-feedback.ts';
import { VoipMetricsRecorder } from '../../src/sender/adaptation/voip-metrics-recorder.ts';
import { ReceiverRtcpAgent } from '../../src/sim/receiver-rtcp-agent.ts';

const SSRC = 0x11223344;
const PT = 111;
const TS0 = 4_000_000_000;
const SEQ0 = 65_500;

function rtp(i: number): Uint8Array {
  return serializeRtp({
    version: 2,
    padding: 0,
    marker: false,
    payloadType: PT,
    sequenceNumber: (SEQ0 + i) % 65536,
    timestamp: (TS0 + 960 * i) % 0x100000000,
    ssrc: SSRC,
    csrcs: [],
    extension: null,
    payload: Uint8Array.of(0x08, 1, 2, 3, 4, 5),
  });
}

/** Transit of packet i (ms): a fixed 40 ms plus a known wobble. */
const transit = (i: number): number => 40 + ((i * 7) % 5) * 1.5;

describe('receiver report generation from a known received sequence', () => {
  it('fraction lost, cumulative lost, extended highest seq and jitter match RFC 3550 A.3 / A.8 by hand', async () => {
    const jb = await resolveJitterBuffer({ type: 'fixed', delayMs: 60, capacityFrames: 200 } as never, process.cwd());
    const rx = new Receiver({ sampleRate: 48000, frameMs: 20, mediaPayloadType: PT, jitterBuffer: jb, plc: 'opus', useInbandFec: true });
    const agent = new ReceiverRtcpAgent({ ssrc: 7, mediaSsrc: SSRC, ntpOffsetMs: 3.9e12, reception: () => rx.receptionState() });
    const lostFirst = new Set([3, 4, 5, 20, 41, 42, 60, 77, 78, 90]); // 10 of the first 100
    const lostSecond = new Set([110, 111]); // 2 of the next 50
    const received: number[] = [];
    const feed = (from: number, to: number, lost: Set<number>): void => {
      for (let i = from; i < to; i++) {
        if (lost.has(i)) continue;
        rx.onPacket(rtp(i), 20 * (i + 1) + transit(i));
        received.push(i);
      }
    };
    feed(0, 100, lostFirst);
    rx.onPacket(rtp(50), 20 * 51 + transit(50) + 1); // a duplicate: RFC 3550 counts it as received
    const rr1 = parseRtcp(agent.buildReport(2100))[0] as RtcpReceiverReport;
    feed(100, 150, lostSecond);
    const rr2 = parseRtcp(agent.buildReport(3100))[0] as RtcpReceiverReport;

    // Interarrival jitter by hand: J += (|D| − J) / 16 over received packets in arrival order (48 kHz units).
    let J = 0;
    for (let k = 1; k < received.length; k++) {
      const a = received[k - 1];
      const b = received[k];
      const D = (20 * (b + 1) + transit(b) - (20 * (a + 1) + transit(a))) * 48 - 960 * (b - a);
      J += (Math.abs(D) - J) / 16;
    }

    const b1 = rr1.reports[0];
    expect(b1.ssrc).toBe(SSRC);
    expect(b1.extendedHighestSeq).toBe(SEQ0 + 99); // crosses the 16-bit wrap: cycles = 1
    expect(b1.cumulativeLost).toBe(10 - 1); // the duplicate offsets one loss
    expect(b1.fractionLost).toBe(Math.floor(((100 - 91) * 256) / 100));
    const b2 = rr2.reports[0];
    expect(b2.extendedHighestSeq).toBe(SEQ0 + 149);
    expect(b2.cumulativeLost).toBe(12 - 1);
    expect(b2.fractionLost).toBe(Math.floor((2 * 256) / 50));
    expect(Math.abs(b2.jitter - Math.floor(J))).toBeLessThanOrEqual(1);
    expect(J).toBeGreaterThan(10); // the wobble is visible
    rx.destroy();
  });
});

describe('XR VoIP metrics generation (RFC 3611 4.7)', () => {
  it('loss and discard rates, burst/gap metrics round-trip through the XR serializer', () => {
    const rec = new VoipMetricsRecorder(20);
    const lost = new Set([3, 4, 30, 31, 33, 70]);
    for (let i = 0; i < 100; i++) if (!lost.has(i)) rec.onReceived(1000 + i);
    rec.onDiscarded(1000 + 50);
    rec.onDiscarded(1000 + 3); // never arrived: not a discard
    const codec = CodecConfigSchema.parse({});
    const block = rec.block({
      ssrc: SSRC,
      codec,
      observedBitrateKbps: 24,
      networkDelayMs: 40,
      rttMs: 80,
      jitterBufferMs: 60,
      jitterBufferMaxMs: 80,
      deviceBufferMs: 10,
      plc: 3,
      adaptiveJitterBuffer: false,
    });
    const back = parseRtcp(serializeRtcp([{ type: 'xr', ssrc: 7, blocks: [block] }]))[0];
    expect(back.type).toBe('xr');
    const b = (back as { blocks: XrVoipMetricsBlock[] }).blocks[0];
    expect(b).toEqual(block);
    expect(b.lossRate).toBe(Math.floor((6 * 256) / 100));
    expect(b.discardRate).toBe(Math.floor(256 / 100));
    const flags = Array.from({ length: 100 }, (_, i) => lost.has(i) || i === 50);
    const bg = rfc3611BurstGap(flags, 20, 16);
    expect(b.burstDensity).toBe(bg.burstDensity256);
    expect(b.gapDensity).toBe(bg.gapDensity256);
    expect(b.burstDuration).toBe(Math.round(bg.burstDurationMs));
    expect(b.gapDuration).toBe(Math.round(bg.gapDurationMs));
    expect(b.roundTripDelay).toBe(80);
    expect(b.endSystemDelay).toBe(20 + 60 + 10);
    expect(b.rFactor).toBeGreaterThan(40);
    expect(b.rFactor).toBeLessThanOrEqual(100);
    expect(b.mosCq).toBeGreaterThanOrEqual(10);
    expect(b.mosCq).toBeLessThanOrEqual(50);
    expect(b.mosLq).toBeGreaterThanOrEqual(b.mosCq);
  });

  it('more loss gives a lower R; unknown delay gives 127 (unavailable)', () => {
    const codec = CodecConfigSchema.parse({});
    const ctx = { ssrc: 1, codec, observedBitrateKbps: 24, networkDelayMs: 40, rttMs: 80, jitterBufferMs: 60, jitterBufferMaxMs: 60, deviceBufferMs: 10, plc: 3, adaptiveJitterBuffer: true };
    const r = (lossEvery: number): number => {
      const rec = new VoipMetricsRecorder(20);
      for (let i = 0; i < 200; i++) if (i % lossEvery !== 0) rec.onReceived(i);
      return rec.block(ctx).rFactor;
    };
    expect(r(5)).toBeLessThan(r(50));
    const rec = new VoipMetricsRecorder(20);
    rec.onReceived(1);
    expect(rec.block({ ...ctx, networkDelayMs: null }).rFactor).toBe(127);
    expect(rec.block({ ...ctx, networkDelayMs: null }).mosCq).toBe(127);
  });

  it('the receiver side reads B\'s RTT for the delay and the received payload rate for the codec', () => {
    const fb = new ReceiverFeedback({ ssrc: 7, mediaSsrc: SSRC, codec: CodecConfigSchema.parse({}), transportCcId: 5, deviceBufferMs: 10, plcCode: 3, adaptiveJitterBuffer: false });
    for (let i = 0; i < 50; i++) fb.onRtp(rtp(i), 20 * (i + 1) + 40);
    const noRtt = fb.voipMetrics(1100, { jitterBufferMs: 60, jitterBufferMaxMs: 60, rttMs: null });
    expect(noRtt?.rFactor).toBe(127);
    expect(noRtt?.roundTripDelay).toBe(0);
    const withRtt = fb.voipMetrics(1200, { jitterBufferMs: 60, jitterBufferMaxMs: 60, rttMs: 80 });
    expect(withRtt?.roundTripDelay).toBe(80);
    expect(withRtt?.rFactor).toBeLessThan(127);
    expect(withRtt?.lossRate).toBe(0);
  });
});
