/**
 * Redundancy and recovery end to end through the simulator, against their defining behaviour:
 * scripted losses (phases losing every packet of exact slots on the media path), a fixed buffer,
 * no Opus in-band FEC (so only the mechanism under test can repair a frame).
 */
import { describe, expect, it } from 'vitest';
import { count, framesIn, lossPhases, outcomes, runYaml, variant } from './helpers.ts';

const base = (durationS: number, baseMs: number, delayMs: number): string => `
seed: 5
durationS: ${durationS}
source: { file: fixtures/speech-48k.wav }
sender: { codec: { frameMs: 20, bitrateKbps: 24, fec: false, dtx: false } }
channel: { delay: { baseMs: ${baseMs} } }
receiver: { jitterBuffer: { type: fixed, delayMs: ${delayMs} }, fec: false, plc: opus }
report: { html: false, visqol: false }
`;

describe('RED (RFC 2198) end to end', () => {
  // Bursts of 2 at 12 places, each at a different offset, 300 ms apart.
  const bursts2: Array<[number, number]> = Array.from({ length: 12 }, (_, k) => [1000 + k * 300 + 20 * (k % 3), 40]);
  const bursts3: Array<[number, number]> = Array.from({ length: 8 }, (_, k) => [1000 + k * 400, 60]);

  it('at distance 2 survives any burst of 2; distance 1 and a burst of 3 do not', async () => {
    const run = await runYaml(`${base(6, 20, 60)}
phases:
${lossPhases(bursts2)}
variants:
  - { name: red2, sender: { red: { generations: 2 } } }
  - { name: red1, sender: { red: { generations: 1 } } }
  - { name: plain }
`);
    const lost = framesIn(bursts2);
    expect(lost).toHaveLength(24);
    const red2 = outcomes(variant(run, 'red2'));
    for (const f of lost) expect(red2[f]).toBe('red');
    expect(count(red2, 'concealed')).toBe(0);
    expect(variant(run, 'red2').aggregates.playout.recovered.red).toBe(24);
    expect(variant(run, 'red2').aggregates.w3c.fecPacketsReceived).toBeGreaterThan(0);
    // Distance 1 rebuilds the second frame of each burst only.
    const red1 = outcomes(variant(run, 'red1'));
    expect(count(red1, 'red')).toBe(12);
    expect(count(red1, 'concealed')).toBe(12);
    expect(count(outcomes(variant(run, 'plain')), 'concealed')).toBe(24);
    // Every variant met the same losses.
    for (const name of ['red2', 'red1', 'plain']) expect(variant(run, name).aggregates.network.lostInNetwork).toBe(24);
  });

  it('at distance 2 loses exactly the oldest frame of a burst of 3', async () => {
    const run = await runYaml(`${base(5, 20, 80)}
phases:
${lossPhases(bursts3)}
variants:
  - { name: red2, sender: { red: { generations: 2 } } }
`);
    const o = outcomes(variant(run, 'red2'));
    for (const [at] of bursts3) {
      const first = at / 20 - 1;
      expect([o[first], o[first + 1], o[first + 2]]).toEqual(['concealed', 'red', 'red']);
    }
  });
});

describe('XOR parity FEC end to end', () => {
  // Block b covers frames 16b..16b+15 (L = 4 columns, D = 4 rows); lose row 1 of blocks 2 and 4.
  const rows: Array<[number, number]> = [
    [(32 + 4 + 1) * 20, 80],
    [(64 + 4 + 1) * 20, 80],
  ];

  it('2-D parity repairs a lost row from the columns; 1-D row parity cannot', async () => {
    const run = await runYaml(`${base(3, 20, 200)}
phases:
${lossPhases(rows)}
variants:
  - { name: p2d, sender: { parityFec: { layout: 2d, L: 4, D: 4 } } }
  - { name: prow, sender: { parityFec: { layout: row, L: 4 } } }
`);
    const lost = framesIn(rows);
    expect(lost).toEqual([36, 37, 38, 39, 68, 69, 70, 71]);
    const p2d = variant(run, 'p2d');
    const o = outcomes(p2d);
    for (const f of lost) expect(o[f]).toBe('parity');
    expect(p2d.aggregates.playout.recovered.parity).toBe(8);
    expect(p2d.aggregates.playout.framesConcealed).toBe(0);
    const prow = variant(run, 'prow');
    expect(prow.aggregates.playout.recovered.parity).toBe(0);
    expect(prow.aggregates.playout.framesConcealed).toBe(8);
    // Overhead: 2-D sends L + D FEC packets per L×D block, row parity 1 per L.
    const fec2d = p2d.aggregates.network.byKind.fec.packets;
    const fecRow = prow.aggregates.network.byKind.fec.packets;
    expect(fec2d / p2d.aggregates.network.mediaPacketsSent).toBeCloseTo(8 / 16, 1);
    expect(fecRow / prow.aggregates.network.mediaPacketsSent).toBeCloseTo(1 / 4, 1);
    expect(p2d.aggregates.w3c.fecPacketsReceived).toBeGreaterThan(p2d.aggregates.w3c.fecPacketsDiscarded);
  });

  it('a repair that arrives after the playout deadline does not help', async () => {
    // Same losses, but a 60 ms buffer: the column FEC comes 160 ms after the lost row.
    const run = await runYaml(`${base(3, 20, 60)}
phases:
${lossPhases(rows)}
variants:
  - { name: p2d, sender: { parityFec: { layout: 2d, L: 4, D: 4 } } }
`);
    const a = variant(run, 'p2d').aggregates.playout;
    expect(a.recovered.parity).toBe(0);
    expect(a.recoveredLate.parity).toBe(8);
    expect(a.framesConcealed).toBe(8);
  });
});

describe('NACK + RTX end to end', () => {
  // Single losses every 400 ms from 1 s on, on the media path only (the reverse path is clean).
  const singles: Array<[number, number]> = Array.from({ length: 10 }, (_, k) => [1000 + k * 400, 20]);
  const nackRun = (oneWayMs: number) =>
    runYaml(`${base(6, oneWayMs, 100)}
phases:
${lossPhases(singles)}
variants:
  - { name: nack, receiver: { nack: { enabled: true, maxRetries: 3 } } }
  - { name: none }
`);

  it('helps at RTT 40 ms with a 100 ms buffer', async () => {
    const run = await nackRun(20);
    const v = variant(run, 'nack').aggregates;
    expect(v.playout.recovered.rtx).toBe(10);
    expect(v.playout.framesConcealed).toBe(0);
    expect(v.w3c.nackCount).toBeGreaterThanOrEqual(10);
    expect(v.w3c.retransmittedPacketsReceived).toBeGreaterThanOrEqual(10);
    expect(v.network.byKind.rtx.packets).toBe(v.w3c.retransmittedPacketsReceived);
    expect(v.network.reverse.nackPackets).toBe(v.w3c.nackCount);
    expect(v.playout.rttMs.receiver).toBeCloseTo(40, 1);
    expect(variant(run, 'none').aggregates.playout.framesConcealed).toBe(10);
  });

  it('does not help at RTT 400 ms with a 100 ms buffer: the retransmissions arrive late', async () => {
    const run = await nackRun(200);
    const v = variant(run, 'nack').aggregates;
    expect(v.playout.recovered.rtx).toBe(0);
    expect(v.playout.framesConcealed).toBe(10);
    expect(v.playout.recoveredLate.rtx).toBeGreaterThanOrEqual(10);
    expect(v.playout.recovery.nack?.gaveUpDeadline).toBeGreaterThan(0);
  });
});
