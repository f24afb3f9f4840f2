import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PcapParseError } from '../../src/pcap/errors.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { createChannelPath } from '../../src/sim/channel-factory.ts';
import { runScenario, type VariantResult } from '../../src/sim/run-scenario.ts';
import { ChannelConfigSchema } from '../../src/channel/config.ts';
import { referenceStream, writeRtpCapture } from './capture.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'jitterlab-replay-e2e-'));
const LOST = new Set([5, 6, 17, 33]);

function mediaArrivals(v: VariantResult): Array<{ frame: number; sendMs: number; arrivalMs: number | null; cause: string | null }> {
  return v.run.packets
    .filter((p) => p.kind === 'media')
    .map((p) => ({ frame: p.frameIndex, sendMs: p.sendMs, arrivalMs: p.arrivalMs, cause: p.networkCause }))
    .sort((a, b) => a.frame - b.frame);
}

describe('a pcap of an RTP stream replayed through two buffers side by side', () => {
  it('gives both variants exactly the captured network, with the scenario audio as payload', async () => {
    const dir = tmp();
    const cap = join(dir, 'call.pcap');
    const { packets, extra } = referenceStream(60, LOST);
    writeRtpCapture(cap, packets);
    const f = join(dir, 'replay.yaml');
    writeFileSync(
      f,
      `name: replay-two
durationS: 1
channel:
  delay: { baseMs: 30 }
  replay: { format: pcap, file: ${JSON.stringify(cap)}, ssrc: ${0x1234abcd} }
variants:
  - { name: fixed20, receiver: { jitterBuffer: { type: fixed, delayMs: 20 } } }
  - { name: fixed80, receiver: { jitterBuffer: { type: fixed, delayMs: 80 } } }
`,
    );
    const run = await runScenario(loadScenario(f));
    const [a, b] = run.variants;
    const minExtra = Math.min(...extra.filter((_, k) => !LOST.has(k)));
    const arrA = mediaArrivals(a);
    expect(arrA).toHaveLength(50);
    for (const p of arrA) {
      if (LOST.has(p.frame)) expect(p).toMatchObject({ arrivalMs: null, cause: 'replay' });
      else expect(p.arrivalMs! - p.sendMs).toBeCloseTo(extra[p.frame] - minExtra + 30, 3);
    }
    expect(mediaArrivals(b)).toEqual(arrA);
    expect(a.aggregates.network.lossRate).toBeCloseTo(4 / 50, 12);
    expect(a.aggregates.network.reordered).toBeGreaterThan(0);
    // The capture's payload is junk; what plays is the scenario's own Opus audio.
    expect(b.aggregates.playout.framesNormal).toBeGreaterThan(40);
    // The buffers differ only in what they make of the same arrivals.
    expect(a.aggregates.playout.lateDiscarded).toBeGreaterThan(b.aggregates.playout.lateDiscarded);
    expect(a.aggregates.playout.effectiveLoss).toBeGreaterThan(b.aggregates.playout.effectiveLoss);
  });

  it('replays a CSV trace and refuses phases on a replayed channel; bad captures fail with the byte offset', async () => {
    const dir = tmp();
    const csv = join(dir, 'net.csv');
    writeFileSync(csv, ['seq,send_ms,recv_ms', ...Array.from({ length: 25 }, (_, i) => `${i},${20 * i},${i === 3 ? '' : 20 * i + 40 + (i % 4) * 10}`)].join('\n'));
    const f = join(dir, 'csv.yaml');
    writeFileSync(f, `name: csv\ndurationS: 0.5\nchannel: { replay: { format: csv, file: ${JSON.stringify(csv)} } }\n`);
    const run = await runScenario(loadScenario(f));
    const arr = mediaArrivals(run.variants[0]);
    expect(arr.map((p) => (p.arrivalMs === null ? null : Math.round(p.arrivalMs - p.sendMs)))).toEqual(Array.from({ length: 25 }, (_, i) => (i === 3 ? null : 40 + (i % 4) * 10)));

    const cfg = ChannelConfigSchema.parse({ replay: { format: 'csv', file: csv } });
    const phase = { atMs: 0, forMs: 100, set: { delay: { baseMs: 5 } }, transition: 'step' as const, rampMs: 0, direction: 'aToB' as const, label: 'p' };
    expect(() => createChannelPath(cfg, [phase], { seed: 1, direction: 'aToB', slotMs: 20 })).toThrow(/phase "p" applies to a replayed channel/);
    // The reverse direction is not in the recording: it runs the models.
    expect(createChannelPath(cfg, [], { seed: 1, direction: 'bToA', slotMs: 20 }).send({ sendMs: 0, sizeBytes: 10, lane: 'rtcp' }).delivered).toBe(true);

    const bad = join(dir, 'bad.pcap');
    const bytes = writeRtpCapture(join(dir, 'ok.pcap'), referenceStream(5, new Set()).packets);
    writeFileSync(bad, bytes.subarray(0, 40));
    const pcfg = ChannelConfigSchema.parse({ replay: { format: 'pcap', file: 'bad.pcap' } });
    let err: unknown = null;
    try {
      createChannelPath(pcfg, [], { seed: 1, direction: 'aToB', slotMs: 20, baseDir: dir });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PcapParseError);
    expect((err as Error).message).toMatch(/bad\.pcap: truncated .* at byte 24/);
  });
});

describe('a Mahimahi link trace as the bottleneck, end to end', () => {
  it('packets leave only at delivery opportunities (one every 50 ms, 1500 bytes each)', async () => {
    const dir = tmp();
    const trace = join(dir, 'every50.trace');
    writeFileSync(trace, '50\n');
    const f = join(dir, 'mm.yaml');
    writeFileSync(f, `name: mm\ndurationS: 1\nchannel:\n  delay: { baseMs: 10 }\n  link: { trace: { format: mahimahi, file: ${JSON.stringify(trace)} } }\n`);
    const run = await runScenario(loadScenario(f));
    const arr = mediaArrivals(run.variants[0]);
    expect(arr).toHaveLength(50);
    for (const p of arr) expect(p.arrivalMs).toBeCloseTo(Math.ceil(p.sendMs / 50) * 50 + 10, 9);
    expect(run.variants[0].aggregates.network.lossRate).toBe(0);
  });
});
