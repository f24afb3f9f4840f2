/**
 * "Same network, many receivers" (design-notes "Randomness"): the network's own behaviour is
 * drawn per time slot and lane, so variants that add packets (RED makes media packets bigger,
 * parity FEC and RTX add packets, NACKs add reverse traffic) meet exactly the same loss events
 * and delays for their media packets on a link without a bottleneck. With a slow bottleneck the
 * extra bytes are endogenous: they show up as queueing delay and queue drops.
 */
import { describe, expect, it } from 'vitest';
import type { PacketRecord } from '../../src/sim/records.ts';
import { runYaml, variant } from './helpers.ts';

const media = (ps: readonly PacketRecord[]) => ps.filter((p) => p.kind === 'media');
const fates = (ps: readonly PacketRecord[]) => media(ps).map((p) => [p.frameIndex, p.seq, p.sendMs, p.arrivalMs, p.networkCause, p.duplicated] as const);

const scenario = (order: 'allow' | 'preserve', variants: string) => `
seed: 11
durationS: 8
source: { file: fixtures/speech-48k.wav }
sender: { codec: { frameMs: 20, bitrateKbps: 24, fec: false } }
channel:
  delay: { baseMs: 40, jitterMs: 15, distribution: paretonormal, correlation: 0.5, order: ${order} }
  loss: { model: gilbertElliott, p: 0.02, r: 0.4, lossGood: 0.005, lossBad: 0.6 }
  duplicate: { prob: 0.01 }
receiver: { jitterBuffer: { type: fixed, delayMs: 80 }, fec: false }
variants:
${variants}
report: { html: false, visqol: false }
`;

describe('same network for every variant', () => {
  it('media packets meet identical fates and arrival times whatever redundancy a variant adds (no bottleneck)', async () => {
    const run = await runYaml(
      scenario(
        'allow',
        `  - { name: plain }
  - { name: red3, sender: { red: { generations: 3 } } }
  - { name: parity2d, sender: { parityFec: { layout: 2d, L: 5, D: 3 } } }
  - { name: all, sender: { red: { generations: 1 }, parityFec: { layout: row, L: 4 } }, receiver: { nack: { enabled: true } } }`,
      ),
    );
    const plain = variant(run, 'plain');
    const ref = fates(plain.run.packets);
    expect(ref.length).toBe(400);
    expect(ref.filter((f) => f[3] === null).length).toBeGreaterThan(5); // the path really is lossy
    for (const name of ['red3', 'parity2d', 'all']) {
      const v = variant(run, name);
      expect(v.aggregates.network.bytesSent).toBeGreaterThan(plain.aggregates.network.bytesSent * 1.2); // it did send more
      expect(fates(v.run.packets)).toEqual(ref);
    }
    // The extra packets are counted as overhead, per kind.
    const all = variant(run, 'all').aggregates.network;
    expect(all.byKind.fec.packets).toBe(100);
    expect(all.byKind.rtx.packets).toBeGreaterThan(0);
    expect(all.redBytesSent).toBeGreaterThan(0);
    expect(all.reverse.nackPackets).toBeGreaterThan(0);
    expect(all.redundancyOverhead).toBeGreaterThan(0.3);
    expect(plain.aggregates.network.redundancyOverhead).toBe(0);
    expect(plain.aggregates.network.byKind.rtcp.packets).toBe(all.byKind.rtcp.packets);
  });

  it('on a FIFO path, bigger (RED) packets still meet the same network', async () => {
    // With order: preserve an extra packet that survives where its media packet was lost does
    // hold later packets back (that is endogenous, as on a real FIFO path); RED adds no packets.
    const run = await runYaml(scenario('preserve', `  - { name: plain }\n  - { name: red2, sender: { red: { generations: 2 } } }`));
    expect(fates(variant(run, 'red2').run.packets)).toEqual(fates(variant(run, 'plain').run.packets));
  });

  it('on a slow bottleneck the redundancy shows up as queueing delay and queue loss', async () => {
    // 24 kbit/s Opus is ~100 wire bytes per 20 ms (40 kbit/s); a 48 kbit/s link carries it,
    // RED with 2 generations (~2.5x the bytes) does not.
    const run = await runYaml(`
seed: 3
durationS: 6
source: { file: fixtures/speech-48k.wav }
sender: { codec: { frameMs: 20, bitrateKbps: 24, fec: false } }
channel:
  delay: { baseMs: 30 }
  link: { rateKbps: 48, queue: { limitPackets: 20 } }
receiver: { jitterBuffer: { type: fixed, delayMs: 100 }, fec: false }
variants:
  - { name: plain }
  - { name: red2, sender: { red: { generations: 2 } } }
report: { html: false, visqol: false }
`);
    const plain = variant(run, 'plain').aggregates.network;
    const red = variant(run, 'red2').aggregates.network;
    expect(plain.queueDrops).toBe(0);
    expect(plain.delayMs.p95!).toBeLessThan(80);
    expect(red.queueDrops).toBeGreaterThan(10);
    expect(red.delayMs.mean!).toBeGreaterThan(plain.delayMs.mean! + 100);
    expect(red.wireBytesSent).toBeGreaterThan(2 * plain.wireBytesSent);
  });
});
