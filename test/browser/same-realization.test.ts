import { describe, expect, it } from 'vitest';
import { planDeliveries } from '../../src/browser/browser-variant.ts';
import { encodeStream } from '../../src/sender/encoded-stream.ts';
import { AudioSource } from '../../src/source/audio-source.ts';
import { scenarioFromObject } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/sim/run-scenario.ts';
import { resolveJitterBuffer } from '../../src/jitter-buffer/registry.ts';
import { NetEqJbSchema } from '../../src/jitter-buffer/config.ts';
import { rtpInitFor } from '../../src/sim/run-scenario.ts';
import { streamIdsFor } from '../../src/sim/redundancy.ts';

describe('a browser variant meets the same network as the others', () => {
  it('its planned deliveries are the media arrivals of a simulated variant, packet for packet', async () => {
    const sc = scenarioFromObject(
      {
        name: 'same',
        seed: 9,
        durationS: 6,
        channel: {
          delay: { baseMs: 70, jitterMs: 25, distribution: 'paretonormal', correlation: 0.3, order: 'allow' },
          loss: { model: 'gilbertElliott', p: 0.02, r: 0.3, lossGood: 0.01, lossBad: 0.7 },
          duplicate: { prob: 0.02 },
          link: { rateKbps: 300, queue: { limitPackets: 20 } },
        },
        // The simulated variant uses another buffer than the plan (which stands in with neteq).
        receiver: { jitterBuffer: { type: 'fixed', delayMs: 40 } },
      },
      '<same>',
    );
    const ours = (await runScenario(sc)).variants[0].run;
    const v = sc.variants[0];
    const codec = v.sender.codec;
    const frames = Math.ceil((sc.config.durationS * 1000) / codec.frameMs);
    const encoded = encodeStream(AudioSource.fromWav(sc.sourceFile, sc.config.source, codec.sampleRate), codec, frames);
    const rtp = rtpInitFor(sc.config.seed, sc.config.sender.rtp);
    const { deliveries } = planDeliveries({
      encoded,
      totalFrames: frames,
      seed: sc.config.seed,
      slotMs: codec.frameMs,
      channel: sc.config.channel,
      phases: sc.phases,
      rtp,
      sampleRate: codec.sampleRate,
      jitterBuffer: await resolveJitterBuffer(NetEqJbSchema.parse({ type: 'neteq' }), sc.baseDir),
      plc: 'opus',
      useInbandFec: true,
      clockDriftPpm: 0,
      streamIds: streamIdsFor(sc.config.seed, rtp.ssrc),
      rtcpIntervalMs: v.receiver.rtcpIntervalMs,
    });
    // Every media delivery of the simulated variant (duplicates included), in arrival order.
    const expected = ours.packets
      .filter((p) => p.kind === 'media' && p.arrivalMs !== null)
      .map((p) => ({ seq: p.seq, sendMs: p.sendMs, first: p.arrivalMs }));
    const bySeq = new Map<number, number[]>();
    deliveries.records.forEach((r, i) => bySeq.set(r.seq, [...(bySeq.get(r.seq) ?? []), deliveries.atMs[i]]));
    expect(bySeq.size).toBe(expected.length);
    for (const e of expected) expect(Math.min(...bySeq.get(e.seq)!)).toBe(e.first);
    expect(deliveries.atMs.length).toBeGreaterThan(expected.length); // the duplicates too
    for (let i = 1; i < deliveries.atMs.length; i++) expect(deliveries.atMs[i]).toBeGreaterThanOrEqual(deliveries.atMs[i - 1]);
  });
});
