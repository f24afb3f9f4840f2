import { describe, expect, it } from 'vitest';
import { AimdRateControl } from '../../src/sender/adaptation/aimd-rate-control.ts';
import { CodecController } from '../../src/sender/adaptation/codec-controller.ts';
import { adaptationDefaults } from '../../src/sender/adaptation/config.ts';
import { DelayBasedBwe } from '../../src/sender/adaptation/delay-based-bwe.ts';
import { InterArrival } from '../../src/sender/adaptation/inter-arrival.ts';
import { LossBasedBwe } from '../../src/sender/adaptation/loss-based-bwe.ts';
import { OveruseDetector } from '../../src/sender/adaptation/overuse-detector.ts';
import type { PacketResult } from '../../src/sender/adaptation/sent-packet-history.ts';
import { leastSquaresSlope, TrendlineFilter } from '../../src/sender/adaptation/trendline.ts';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { RngStream } from '../../src/core/rng.ts';

const cfg = adaptationDefaults();

describe('packet groups (gcc-02 5.2)', () => {
  it('groups packets sent within 5 ms and reports deltas between the last packets of groups', () => {
    const ia = new InterArrival(5);
    // Groups at send 0 (two packets), 20, 40; arrivals +30 ms, the third group 4 ms late.
    expect(ia.onPacket(0, 30)).toBeNull();
    expect(ia.onPacket(1, 31)).toBeNull();
    expect(ia.onPacket(20, 50)).toBeNull(); // closes group 1 (no previous group yet)
    expect(ia.onPacket(40, 74)).toEqual({ sendDeltaMs: 19, arrivalDeltaMs: 19, arrivalMs: 50 });
    expect(ia.onPacket(60, 90)).toEqual({ sendDeltaMs: 20, arrivalDeltaMs: 24, arrivalMs: 74 });
  });

  it('merges a packet the network released in a burst (arrives < 5 ms later, negative variation)', () => {
    const ia = new InterArrival(5);
    ia.onPacket(0, 100);
    ia.onPacket(20, 200); // held by an outage...
    expect(ia.onPacket(40, 201)).toBeNull(); // ...released together: same group
    expect(ia.onPacket(60, 230)).toEqual({ sendDeltaMs: 40, arrivalDeltaMs: 101, arrivalMs: 201 });
  });
});

describe('trendline filter', () => {
  it('least squares is exact on a line', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 12);
    expect(leastSquaresSlope([1, 1], [0, 5])).toBeNull();
  });

  it('reads a queue growing by s ms per ms as slope s, and gives m = min(n, 60) · s · gain', () => {
    const f = new TrendlineFilter(20, 0.9, 4);
    const s = 0.05; // every 20 ms group arrives 1 ms later than the previous
    let m = 0;
    for (let i = 1; i <= 200; i++) m = f.update(20 + 20 * s, 20, 20 * i * (1 + s));
    // The smoothed accumulated delay is a line with the same slope once the EWMA transient has died out.
    expect(f.slope).toBeCloseTo(s / (1 + s), 3);
    expect(m).toBeCloseTo(60 * (s / (1 + s)) * 4, 2);
  });

  it('gives a zero trend for constant delay', () => {
    const f = new TrendlineFilter();
    for (let i = 1; i <= 50; i++) f.update(20, 20, 20 * i);
    expect(f.modifiedTrend).toBe(0);
  });
});

describe('over-use detector (gcc-02 5.4)', () => {
  it('signals over-use only after the trend stays above the threshold for > 10 ms and does not fall', () => {
    const d = new OveruseDetector();
    expect(d.detect(20, 20, 10, 0)).toBe('normal'); // first sample above: 10 ms counted, counter 1
    expect(d.detect(21, 20, 11, 20)).toBe('overusing');
    expect(d.detect(0, 20, 12, 40)).toBe('normal');
    expect(d.detect(-30, 20, 13, 60)).toBe('underusing');
  });

  it('adapts the threshold by K_d (|m| < th) and K_u (|m| > th) times the elapsed ms', () => {
    const d = new OveruseDetector();
    d.detect(0, 20, 5, 1000); // first update only sets the time
    expect(d.thresholdMs).toBe(12.5);
    d.detect(2, 20, 6, 1050); // |m| < th: th += 0.00018 · (2 − 12.5) · 50
    expect(d.thresholdMs).toBeCloseTo(12.5 + 0.00018 * (2 - 12.5) * 50, 12);
    const th1 = d.thresholdMs;
    d.detect(20, 20, 7, 1100); // |m| > th by < 15 ms: th += 0.01 · (20 − th) · 50
    expect(d.thresholdMs).toBeCloseTo(th1 + 0.01 * (20 - th1) * 50, 12);
    const th2 = d.thresholdMs;
    d.detect(100, 20, 8, 1150); // spike more than 15 ms above: no update
    expect(d.thresholdMs).toBe(th2);
  });

  it('keeps the threshold within [6, 600] ms', () => {
    const d = new OveruseDetector();
    for (let i = 0; i < 2000; i++) d.detect(0, 20, 10, i * 100);
    expect(d.thresholdMs).toBe(6);
  });
});

describe('AIMD rate control (gcc-02 5.5)', () => {
  const o = { beta: 0.85, minBps: 10_000, maxBps: 200_000 };

  it('decreases to beta × the acknowledged rate on over-use, then holds', () => {
    const a = new AimdRateControl(60_000, o);
    a.update('normal', 50_000, 0, 100, 800);
    expect(a.update('overusing', 40_000, 100, 100, 800)).toBeCloseTo(34_000, 6);
    expect(a.state).toBe('hold');
    // Normal: hold → increase; R_hat is at the rate of the decrease, so additively: 2 kbit/s per s for 100 ms.
    expect(a.update('normal', 40_000, 200, 100, 800)).toBeCloseTo(34_200, 6);
  });

  it('increases multiplicatively by 8 % per second far from convergence, bounded by 1.5 R + 10 kbit/s', () => {
    const a = new AimdRateControl(40_000, o);
    a.update('normal', 40_000, 0, 100, 800); // hold → increase
    expect(a.update('normal', 40_000, 1000, 100, 800)).toBeCloseTo(40_000 * 1.08, 6);
    expect(a.update('normal', 40_000, 1500, 100, 800)).toBeCloseTo(40_000 * 1.08 * 1.08 ** 0.5, 6);
    const b = new AimdRateControl(60_000, o);
    b.update('normal', 30_000, 0, 100, 800);
    for (let t = 1000; t < 20_000; t += 1000) b.update('normal', 30_000, t, 100, 800);
    expect(b.estimateBps).toBe(60_000); // never above max(current, 1.5 · 30 + 10 kbit/s = 55)
  });

  it('increases additively near the rate it last decreased at', () => {
    const a = new AimdRateControl(50_000, o);
    a.update('overusing', 40_000, 0, 100, 800); // avg max = 40 kbit/s
    a.update('normal', 40_000, 100, 100, 800); // hold → increase
    const before = a.estimateBps;
    const after = a.update('normal', 40_000, 1100, 100, 800);
    // Half a packet (400 bits) per response time (100 + 100 ms) = 2000 bit/s, for 1 s.
    expect(after - before).toBeCloseTo(2000, 6);
  });

  it('under-use holds', () => {
    const a = new AimdRateControl(50_000, o);
    a.update('underusing', 50_000, 0, 100, 800);
    expect(a.update('underusing', 50_000, 1000, 100, 800)).toBe(50_000);
  });
});

describe('loss-based controller (gcc-02 section 6)', () => {
  it('increases 8 % below 2 %, holds from 2 to 10 %, decreases by (1 − 0.5 p) above 10 %', () => {
    const l = new LossBasedBwe(50_000, cfg.lossBased, 10_000, 200_000);
    expect(l.onLoss(0.01)).toBeCloseTo(54_000, 6);
    expect(l.onLoss(0.05)).toBeCloseTo(54_000, 6);
    expect(l.onLoss(0.2)).toBeCloseTo(54_000 * 0.9, 6);
    for (let i = 0; i < 100; i++) l.onLoss(0.5);
    expect(l.estimateBps).toBe(10_000);
  });
});

describe('delay-based estimate under random loss without congestion', () => {
  it('does not decrease: losses carry no delay signal', () => {
    const bwe = new DelayBasedBwe(cfg.delayBased, 40_000, 10_000, 200_000);
    const rng = new RngStream(7, 'test.loss');
    let seq = 0;
    const start = bwe.state.estimateBps;
    let minEst = start;
    for (let fb = 0; fb < 100; fb++) {
      const results: PacketResult[] = [];
      for (let k = 0; k < 5; k++, seq++) {
        const sendMs = seq * 20;
        const lost = rng.at(seq) < 0.2;
        // Fixed 50 ms path, ±0.5 ms of jitter, no queue.
        results.push({ seq, sendMs, sizeBytes: 100, arrivalMs: lost ? null : sendMs + 50 + (rng.at(seq, 1) - 0.5) });
      }
      const st = bwe.onFeedback(results, fb * 100 + 100, 100);
      expect(st.usage).not.toBe('overusing');
      minEst = Math.min(minEst, st.estimateBps);
    }
    expect(minEst).toBeGreaterThanOrEqual(start);
  });

  it('does decrease when the same packets meet a growing queue', () => {
    const bwe = new DelayBasedBwe(cfg.delayBased, 40_000, 10_000, 200_000);
    let seq = 0;
    for (let fb = 0; fb < 40; fb++) {
      const results: PacketResult[] = [];
      for (let k = 0; k < 5; k++, seq++) {
        const sendMs = seq * 20;
        // The link drains 20 ms of traffic in 24 ms: the queue grows 4 ms per packet.
        results.push({ seq, sendMs, sizeBytes: 100, arrivalMs: 50 + seq * 24 });
      }
      bwe.onFeedback(results, fb * 100 + 100, 100);
    }
    expect(bwe.state.estimateBps).toBeLessThan(40_000 * 0.9);
  });
});

describe('codec controller', () => {
  const codec = CodecConfigSchema.parse({ bitrateKbps: 24, fec: false, expectedLoss: 0, frameMs: 20 });

  it('switches in-band FEC with hysteresis and sets the expected loss from the smoothed report', () => {
    const c = new CodecController(adaptationDefaults({ fec: { smoothing: 0 } }), codec, 48, null);
    c.onLoss(0.01);
    expect(c.settings.fec).toBe(false);
    c.onLoss(0.05);
    expect(c.settings).toMatchObject({ fec: true, expectedLoss: 0.05 });
    c.onLoss(0.01); // between off (0.5 %) and on (2 %): stays on
    expect(c.settings).toMatchObject({ fec: true, expectedLoss: 0.01 });
    c.onLoss(0.001);
    expect(c.settings).toMatchObject({ fec: false, expectedLoss: 0 });
  });

  it('takes the packet overhead off the wire estimate, bounds it, and ignores changes under 5 %', () => {
    const c = new CodecController(adaptationDefaults({ minKbps: 8, maxKbps: 40 }), codec, 48, null);
    // 48 bytes per 20 ms packet = 19.2 kbit/s of headers.
    expect(c.onEstimate((30 + 19.2) * 1000)).toBe(true);
    expect(c.settings.bitrateKbps).toBe(30);
    expect(c.onEstimate((31 + 19.2) * 1000)).toBe(false); // +3.3 %
    expect(c.onEstimate(10 * 1000)).toBe(true);
    expect(c.settings.bitrateKbps).toBe(8);
    expect(c.onEstimate(500 * 1000)).toBe(true);
    expect(c.settings.bitrateKbps).toBe(40);
  });

  it('switches RED by loss with hysteresis when RED is configured, and shares the rate with the copies', () => {
    const c = new CodecController(adaptationDefaults({ red: { onAboveLoss: 0.1, offBelowLoss: 0.03 }, fec: { smoothing: 0 } }), codec, 48, 1);
    c.onLoss(0.0);
    expect(c.settings.red).toBe(false);
    c.onLoss(0.15);
    expect(c.settings.red).toBe(true);
    c.onEstimate((40 + 19.2) * 1000);
    // (40 − (4 · 8 + 8) / 20) / 2 = 19 kbit/s for the primary.
    expect(c.settings.bitrateKbps).toBe(19);
    c.onLoss(0.05);
    expect(c.settings.red).toBe(true);
    c.onLoss(0.02);
    expect(c.settings.red).toBe(false);
  });
});
