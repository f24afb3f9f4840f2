/**
 * The network statistics of a run against their definitions, computed independently from the
 * per-packet records: RFC 4737 reordering of the media stream, one RFC 3550 A.8 jitter figure
 * (duplicates included) everywhere, packets.csv holding every packet that shares the A→B queue,
 * and W3C counters that include retransmissions.
 */
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/channel/channel.ts';
import type { Lane } from '../../src/channel/types.ts';
import { measuresOf } from '../../src/check/measures.ts';
import { Rfc3550Jitter } from '../../src/metrics/rfc3550-jitter.ts';
import { parsePacketsCsv } from '../../src/report/html/read-packets-csv.ts';
import { PACKETS_CSV_HEADER, packetCsvRow } from '../../src/report/packets-csv.ts';
import { lossPhases, runYaml, variant } from './helpers.ts';

describe('reordering: RFC 4737 on the media stream', () => {
  it('counts the late media packets, and nothing an RTCP report or a repair packet did', async () => {
    const run = await runYaml(`name: reorder
seed: 21
durationS: 20
channel: { delay: { baseMs: 40, jitterMs: 15, distribution: normal, order: allow } }
receiver: { rtcpIntervalMs: 100, jitterBuffer: { type: fixed, delayMs: 80 } }
report: { html: false, visqol: false }
`);
    const v = variant(run, 'default');
    const media = v.run.packets.filter((p) => p.kind === 'media');
    // Pairwise reading of RFC 4737 3.3: reordered iff a later-sent media packet arrived strictly before it.
    const late = media.map((p, i) => p.arrivalMs !== null && media.some((q, j) => j > i && q.arrivalMs !== null && q.arrivalMs < p.arrivalMs!));
    expect(media.map((p) => p.reordered)).toEqual(late);
    const n = late.filter(Boolean).length;
    expect(n).toBeGreaterThan(20);
    expect(v.aggregates.network.reordered).toBe(n);
    // RTCP reports overtaken by media (and vice versa) happen in this run, and count for nothing.
    const rtcp = v.run.packets.filter((p) => p.kind === 'rtcp' && p.arrivalMs !== null);
    const mediaBeforeReport = media.filter((m) => rtcp.some((r) => r.sendMs < m.sendMs && r.arrivalMs! > m.arrivalMs!));
    expect(mediaBeforeReport.length).toBeGreaterThan(0);
    for (const r of v.run.packets) if (r.kind !== 'media') expect(r.reordered).toBe(false);
  });
});

describe('RFC 3550 jitter: one definition, one figure', () => {
  it('with duplicates, the network figure is the receiver\'s (W3C jitter) and the A.8 estimator over every arriving copy', async () => {
    const run = await runYaml(`name: dupjitter
seed: 3
durationS: 20
sender: { codec: { dtx: false } }
channel:
  delay: { baseMs: 40, jitterMs: 20, distribution: normal, order: allow }
  duplicate: { prob: 0.03 }
receiver: { jitterBuffer: { type: fixed, delayMs: 80 } }
report: { html: false, visqol: false }
`);
    const v = variant(run, 'default');
    const a = v.aggregates;
    expect(a.network.duplicated).toBeGreaterThan(10);
    expect(a.network.rfc3550JitterMs).toBe(a.w3c.jitter * 1000);
    expect(measuresOf(v).rfc3550JitterMs).toBe(a.w3c.jitter * 1000);
    // Every copy of every media packet, in arrival order (ties in send order), from the records.
    const copies: Array<{ t: number; frame: number; order: number }> = [];
    for (const p of v.run.packets) {
      if (p.kind !== 'media') continue;
      for (const t of [p.arrivalMs, p.secondArrivalMs]) if (t !== null) copies.push({ t, frame: p.frameIndex, order: copies.length });
    }
    expect(copies.length).toBe(a.network.packetsReceived + v.run.packets.filter((p) => p.kind === 'media' && p.secondArrivalMs !== null).length);
    copies.sort((x, y) => x.t - y.t || x.order - y.order);
    const est = new Rfc3550Jitter(48000);
    for (const c of copies) est.update(c.t, c.frame * 960);
    expect(a.network.rfc3550JitterMs).toBeCloseTo(est.jitterMs, 6);
  });
});

describe('packets.csv: every packet that shares the A→B queue', () => {
  it('replaying its rows through the same channel reproduces every arrival and queue drop', async () => {
    const run = await runYaml(`name: queue
seed: 9
durationS: 20
sender: { codec: { dtx: false, bitrateKbps: 24 } }
channel:
  delay: { baseMs: 30, jitterMs: 4 }
  link: { rateKbps: 34, queue: { limitPackets: 3 } }
receiver: { rtcpIntervalMs: 100 }
report: { html: false, visqol: false }
`);
    const v = variant(run, 'default');
    const rows = parsePacketsCsv(PACKETS_CSV_HEADER + v.run.packets.map(packetCsvRow).join(''), 'packets.csv');
    const rtcpRows = rows.filter((r) => r.kind === 'rtcp');
    expect(rtcpRows.length).toBe(v.run.feedback.forward.packets);
    expect(rtcpRows.length).toBe(v.aggregates.network.byKind.rtcp.packets);
    const queueDrops = rows.filter((r) => r.cause === 'queue').length;
    expect(rows.filter((r) => r.kind === 'media' && r.cause === 'queue').length).toBe(v.aggregates.network.queueDrops);
    expect(v.aggregates.network.queueDrops).toBeGreaterThan(10);

    const sc = run.scenario;
    const ch = new Channel(sc.config.channel, sc.phases, { seed: run.seed, direction: 'aToB', slotMs: run.slotMs });
    let replayDrops = 0;
    for (const r of rows) {
      const d = ch.send({ sendMs: r.sendMs, sizeBytes: r.sizeBytes, lane: r.kind as Lane });
      if (d.cause === 'queue') replayDrops++;
      expect(d.cause ?? '').toBe(r.cause);
      const first = d.deliveries.length ? Math.min(...d.deliveries.map((x) => x.arrivalMs)) : null;
      if (r.arrivalMs === null) expect(first).toBeNull();
      else expect(first!).toBeCloseTo(r.arrivalMs, 2);
    }
    expect(replayDrops).toBe(queueDrops);
  });
});

describe('W3C counters with NACK + RTX', () => {
  it('packetsReceived includes the retransmissions; packetsLost stays the media SSRC\'s loss', async () => {
    const singles: Array<[number, number]> = Array.from({ length: 10 }, (_, k) => [1000 + k * 400, 20]);
    const run = await runYaml(`name: rtx
seed: 5
durationS: 6
source: { file: fixtures/speech-48k.wav }
sender: { codec: { frameMs: 20, bitrateKbps: 24, fec: false, dtx: false } }
channel: { delay: { baseMs: 20 } }
receiver: { jitterBuffer: { type: fixed, delayMs: 100 }, fec: false, plc: opus, nack: { enabled: true, maxRetries: 3 } }
report: { html: false, visqol: false }
phases:
${lossPhases(singles)}
`);
    const v = variant(run, 'default');
    const w = v.aggregates.w3c;
    const arrived = (kind: string) => v.run.packets.filter((p) => p.kind === kind && p.arrivalMs !== null);
    const rtx = arrived('rtx');
    expect(rtx.length).toBeGreaterThanOrEqual(10);
    expect(w.retransmittedPacketsReceived).toBe(rtx.length);
    expect(w.retransmittedBytesReceived).toBe(rtx.reduce((n, p) => n + p.sizeBytes - 12 - 2, 0));
    expect(w.packetsReceived).toBe(arrived('media').length + rtx.length);
    expect(w.headerBytesReceived + w.bytesReceived).toBe([...arrived('media'), ...rtx].reduce((n, p) => n + p.sizeBytes, 0));
    expect(w.packetsLost).toBe(10);
    expect(v.aggregates.network.lostInNetwork).toBe(10);
  });
});
