/**
 * The adaptation loop end to end in the simulator: real Opus encoded online, real RTP/RTCP bytes
 * through the simulated channels, against the loop's defining behaviour.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { loadScenario, parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { runScenario, type ScenarioRun, type VariantResult } from '../../src/sim/run-scenario.ts';
import type { AdaptationTimelineJson } from '../../src/sender/adaptation/timeline.ts';

async function runYaml(yaml: string): Promise<ScenarioRun> {
  return runScenario(parseScenarioText(yaml, join(PROJECT_ROOT, 'test', 'adaptation', 'inline.yaml')));
}

function variant(run: ScenarioRun, name: string): VariantResult {
  const v = run.variants.find((x) => x.name === name);
  if (!v) throw new Error(`no variant ${name}`);
  return v;
}

function timeline(v: VariantResult): AdaptationTimelineJson {
  if (!v.run.adaptation) throw new Error(`variant ${v.name} has no adaptation timeline`);
  return v.run.adaptation;
}

/** Queue delays (ascending) of the packets a variant sent in [from, to) that the queue admitted. */
function queueDelays(v: VariantResult, from: number, to: number): number[] {
  return v.run.packets.filter((p) => p.sendMs >= from && p.sendMs < to && p.networkCause !== 'queue').map((p) => p.queueDelayMs).sort((x, y) => x - y);
}

describe('capacity drop 64 → 16 kbit/s', () => {
  const DROP = 10_000;
  const BACK = 25_000;
  const yaml = `
name: drop
seed: 7
durationS: 30
sender:
  codec: { frameMs: 60, bitrateKbps: 32, fec: false, expectedLoss: 0 }
  adaptation: { minKbps: 6, maxKbps: 40 }
channel:
  delay: { baseMs: 30 }
  link: { rateKbps: 64, queue: { limitPackets: 15 } }
reverseChannel:
  delay: { baseMs: 30 }
phases:
  - { at: ${DROP / 1000}, for: ${(BACK - DROP) / 1000}, set: { link: { rateKbps: 16 } } }
receiver:
  jitterBuffer: { type: fixed, delayMs: 100 }
variants:
  - name: adaptive
  - name: fixed
    sender: { adaptation: null }
report: { visqol: false }
`;
  it('sends below the capacity within a few seconds and drains the queue', async () => {
    const run = await runYaml(yaml);
    const a = variant(run, 'adaptive');
    const tl = timeline(a);
    const at = (t: number): number => tl.tMs.findIndex((x) => x >= t);
    // Before the drop it uses the 64 kbit/s link (well above 16 kbit/s), with no standing queue.
    const before = tl.sendRateKbps.slice(at(4000), at(DROP));
    expect(Math.min(...before)).toBeGreaterThan(25);
    expect(tl.capacityKbps[at(DROP + 1)]).toBe(16);
    // The send rate (1 s window, with all overhead) falls below the new capacity within 3 s.
    const firstBelow = tl.tMs.find((t, i) => t > DROP && tl.sendRateKbps[i] < 16);
    expect(firstBelow).toBeDefined();
    expect(firstBelow! - DROP).toBeLessThanOrEqual(3000);
    // ... the codec bitrate followed the estimate down ...
    expect(Math.min(...tl.codecBitrateKbps.slice(at(DROP), at(BACK)))).toBeLessThan(10);
    // ... and the queue drains: over the last 4 s of the 16 kbit/s phase a packet typically waits
    // about one serialisation time (a 60 ms packet takes ~50-90 ms at 16 kbit/s), the worst case
    // being a probe overshoot of ~100 ms; the fixed-rate sender keeps the drop-tail queue full.
    const tail = queueDelays(a, BACK - 4000, BACK);
    expect(tail[Math.floor(tail.length / 2)]).toBeLessThan(100);
    expect(tail[tail.length - 1]).toBeLessThan(250);
    const fixedTail = queueDelays(variant(run, 'fixed'), BACK - 4000, BACK);
    expect(fixedTail[Math.floor(fixedTail.length / 2)]).toBeGreaterThan(1000);
    // When the capacity comes back, the estimate climbs again.
    expect(tl.estimateKbps[tl.estimateKbps.length - 1]).toBeGreaterThan(Math.min(...tl.estimateKbps.slice(at(DROP), at(BACK))) * 1.3);
    // Transport-wide feedback every 100 ms and receiver reports every ~1 s reached the sender.
    expect(tl.summary.twccFeedbackReceived).toBeGreaterThan(200);
    expect(tl.summary.receiverReportsReceived).toBeGreaterThan(20);
    // The non-adaptive variant has no timeline.
    expect(variant(run, 'fixed').run.adaptation).toBeNull();
  }, 30_000);
});

describe('random loss on an uncongested path', () => {
  const yaml = `
name: loss
seed: 11
durationS: 24
sender:
  codec: { frameMs: 20, bitrateKbps: 24, fec: false, expectedLoss: 0 }
  adaptation: { minKbps: 8, maxKbps: 32 }
channel:
  delay: { baseMs: 40 }
reverseChannel:
  delay: { baseMs: 35 }
phases:
  - { at: 6, for: 10, set: { loss: { model: bernoulli, rate: 0.06 } } }
receiver:
  jitterBuffer: { type: fixed, delayMs: 60 }
report: { visqol: false }
`;
  it('leaves the delay-based estimate put, raises FEC, keeps the bitrate, and measures the true RTT', async () => {
    const run = await runYaml(yaml);
    const v = run.variants[0];
    const tl = timeline(v);
    const at = (t: number): number => tl.tMs.findIndex((x) => x >= t);
    // Losses carry no delay signal: the delay-based estimate never decreases and never sees over-use.
    for (let i = 1; i < tl.delayBasedKbps.length; i++) expect(tl.delayBasedKbps[i]).toBeGreaterThanOrEqual(tl.delayBasedKbps[i - 1]);
    expect(tl.usage.includes(tl.usages.indexOf('overusing'))).toBe(false);
    // The network really lost packets in the episode and the reports said so.
    const lostInEpisode = v.run.packets.filter((p) => p.sendMs >= 6000 && p.sendMs < 16_000 && p.fate === 'lost').length;
    expect(lostInEpisode).toBeGreaterThan(15);
    expect(Math.max(...tl.reportedLoss.map((x) => x ?? 0))).toBeGreaterThan(0.02);
    // FEC switches on during the episode, with the expected loss raised, and off again after it.
    const during = tl.fec.slice(at(9000), at(16_000));
    expect(during.filter((f) => f === 1).length).toBeGreaterThan(during.length / 2);
    expect(Math.max(...tl.expectedLossPct.slice(at(6000), at(17_000)))).toBeGreaterThan(2);
    expect(tl.fec.slice(at(0), at(6000)).every((f) => f === 0)).toBe(true);
    expect(tl.fec[tl.fec.length - 1]).toBe(0);
    // The bitrate does not collapse: it stays within 20% of its pre-episode value.
    const pre = tl.codecBitrateKbps[at(5900)];
    expect(Math.min(...tl.codecBitrateKbps.slice(at(6000)))).toBeGreaterThanOrEqual(0.8 * pre);
    // The RTT from LSR/DLSR equals the simulated round trip: 40 ms + 35 ms plus the two
    // reports' own serialisation (none: no bottleneck), to within the NTP rounding (< 0.1 ms).
    expect(v.run.rtt.senderMs).not.toBeNull();
    expect(Math.abs(v.run.rtt.senderMs! - 75)).toBeLessThan(0.1);
    const rtts = tl.rttMs.filter((x): x is number => x !== null);
    expect(rtts.length).toBeGreaterThan(10);
    for (const r of rtts) expect(Math.abs(r - 75)).toBeLessThan(0.1);
  }, 30_000);
});

describe('competing cross traffic', () => {
  it('the adaptive sender gives way while the on/off flow is on and keeps the queue short', async () => {
    const run = await runScenario(loadScenario(join(PROJECT_ROOT, 'scenarios', 'adaptation-cross-traffic.yaml')));
    const a = variant(run, 'adaptive');
    const f = variant(run, 'fixed');
    const tl = timeline(a);
    // The flow really took capacity: ~64 kbit/s in its on periods, none in its off periods.
    const onIdx = tl.tMs.map((t, i) => [t, i]).filter(([t]) => (t - 5000) % 10_000 > 1500 && (t - 5000) % 10_000 < 5000 && t > 5000).map(([, i]) => i);
    expect(onIdx.length).toBeGreaterThan(20);
    for (const i of onIdx) expect(tl.crossTrafficKbps[i]).toBeGreaterThan(50);
    // While it is on (after a 1.5 s reaction), the call's send rate fits the 32 kbit/s left over (+15%).
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(onIdx.map((i) => tl.sendRateKbps[i]))).toBeLessThan(32 * 1.15);
    // Queueing: the adaptive call's packets wait far less than the fixed-rate call's.
    const p95 = (v: VariantResult): number => {
      const q = v.run.packets.filter((p) => p.sendMs > 5000).map((p) => p.queueDelayMs).sort((x, y) => x - y);
      return q[Math.floor(0.95 * (q.length - 1))];
    };
    expect(p95(a)).toBeLessThan(p95(f) / 2);
    // On 5..10, 15..20, 25..30, 35..40 s: 20 s at one (500 + 28)-byte packet per 66 ms.
    const expected = 20_000 / ((8 * 528) / 64);
    expect(Math.abs(tl.summary.crossTrafficPackets - expected)).toBeLessThan(5);
  }, 30_000);
});

describe('the sender.adaptation schema', () => {
  it('is strict and fills its defaults', () => {
    const s = parseScenarioText('sender: { adaptation: { maxKbps: 40 } }\n', join(PROJECT_ROOT, 'x.yaml'));
    expect(s.config.sender.adaptation).toMatchObject({ maxKbps: 40, minKbps: 6, twccIntervalMs: 100, delayBased: { beta: 0.85, windowGroups: 20 }, fec: { enabled: true } });
    expect(() => parseScenarioText('sender: { adaptation: { maxKbps: 40, bogus: 1 } }\n', join(PROJECT_ROOT, 'x.yaml'))).toThrow(JitterlabError);
    expect(() => parseScenarioText('crossTraffic: [{ rateKbps: -1 }]\n', join(PROJECT_ROOT, 'x.yaml'))).toThrow(JitterlabError);
  });
});
