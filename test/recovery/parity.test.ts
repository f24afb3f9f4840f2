import { describe, expect, it } from 'vitest';
import { ParityRecoveryStage } from '../../src/recovery/parity-stage.ts';
import { RedRecoveryStage } from '../../src/recovery/red-stage.ts';
import type { RebuiltMedia } from '../../src/recovery/types.ts';
import { ParitySendStage } from '../../src/sender/parity-stage.ts';
import { RedSendStage } from '../../src/sender/red-stage.ts';
import { parse, payload, RTP, sendFrames } from './helpers.ts';

const FEC_PT = 49;
const fecOpts = (layout: 'row' | '2d', L: number, D: number) => ({ layout, L, D, payloadType: FEC_PT, ssrc: 0x5eed, initialSeq: 100 });

/** Deliver every packet except the media packets of `lost` frames; returns what the stage rebuilt. */
function run(n: number, layout: 'row' | '2d', L: number, D: number, lost: Set<number>) {
  const { perFrame } = sendFrames(n, [new ParitySendStage(fecOpts(layout, L, D))]);
  const stage = new ParityRecoveryStage(FEC_PT, RTP.ssrc);
  const rebuilt: RebuiltMedia[] = [];
  perFrame.forEach((out, i) => {
    for (const p of out) {
      if (p.kind === 'media' && lost.has(i)) continue;
      const pkt = parse(p);
      rebuilt.push(...(p.kind === 'fec' ? stage.onPacket(pkt, i, 'primary') : stage.onMedia(pkt, i, { origin: 'primary', wire: true })));
    }
  });
  return { rebuilt, stage, perFrame };
}

describe('parity FEC send stage', () => {
  it('sends one row FEC per L packets (row) and L + D per L×D block (2d), on the fec lane with its own seq space', () => {
    const row = sendFrames(32, [new ParitySendStage(fecOpts('row', 4, 1))]).perFrame.flat().filter((p) => p.kind === 'fec');
    expect(row).toHaveLength(8);
    expect(row.every((p) => p.lane === 'fec' && parse(p).payloadType === FEC_PT && parse(p).ssrc === 0x5eed)).toBe(true);
    expect(row.map((p) => p.seq)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    const twoD = sendFrames(32, [new ParitySendStage(fecOpts('2d', 4, 4))]).perFrame.flat().filter((p) => p.kind === 'fec');
    expect(twoD).toHaveLength(16);
  });

  it('rejects a 2-D layout with a single row', () => {
    expect(() => new ParitySendStage(fecOpts('2d', 4, 1))).toThrow(/D >= 2/);
  });
});

describe('parity FEC recovery stage', () => {
  it('2-D parity repairs a whole lost row (bytes identical to what was sent); row parity cannot', () => {
    const lostRow = new Set([20, 21, 22, 23]); // row 1 of the second 4×4 block
    const r2d = run(32, '2d', 4, 4, lostRow);
    expect(r2d.rebuilt.map((r) => r.packet.sequenceNumber).sort((a, b) => a - b)).toEqual([...lostRow].map((i) => (RTP.initialSeq + i) & 0xffff).sort((a, b) => a - b));
    for (const r of r2d.rebuilt) {
      expect(r.origin).toBe('parity');
      const i = (r.packet.sequenceNumber - RTP.initialSeq + 65536) & 0xffff;
      expect(r.packet.payload).toEqual(payload(i));
      expect(r.packet.marker).toBe(false);
    }
    expect(r2d.stage.stats()).toMatchObject({ packetsReceived: 16, rebuilt: 4 });
    expect(run(32, 'row', 4, 1, lostRow).rebuilt).toEqual([]);
  });

  it('row parity repairs one loss per row', () => {
    const { rebuilt } = run(16, 'row', 4, 1, new Set([1, 6, 15]));
    expect(rebuilt.map((r) => r.packet.payload)).toEqual([payload(1), payload(6), payload(15)]);
  });

  it('protects RED packets as sent: a rebuilt RED packet unwraps to its primary (origin parity) and redundancy', () => {
    const { perFrame } = sendFrames(8, [new RedSendStage({ generations: 1, payloadType: 63 }), new ParitySendStage(fecOpts('row', 4, 1))]);
    const parity = new ParityRecoveryStage(FEC_PT, RTP.ssrc);
    const red = new RedRecoveryStage(63, RTP.payloadType);
    const out: RebuiltMedia[] = [];
    // Frames 5 and 6 lost (two in one row: row parity alone cannot; frame 7 carries 6 by RED, then parity rebuilds 5).
    perFrame.forEach((pkts, i) => {
      for (const p of pkts) {
        if (p.kind === 'media' && (i === 5 || i === 6)) continue;
        const pkt = parse(p);
        if (p.kind === 'fec') out.push(...parity.onPacket(pkt, i, 'primary'));
        else {
          out.push(...parity.onMedia(pkt, i, { origin: 'primary', wire: true }));
          out.push(...red.onPacket(pkt, i, 'primary'));
        }
      }
    });
    // Parity only sees wire packets; here frame 6 is known from RED, but its RED packet is not, so no repair.
    expect(out.filter((r) => r.origin === 'parity')).toHaveLength(0);
    expect(out.filter((r) => r.origin === 'red').map((r) => r.packet.payload)).toEqual([payload(6)]);
    // With only frame 5 lost the row FEC rebuilds the RED packet, whose primary then has origin parity.
    const parity2 = new ParityRecoveryStage(FEC_PT, RTP.ssrc);
    const rebuiltRed: RebuiltMedia[] = [];
    perFrame.forEach((pkts, i) => {
      for (const p of pkts) {
        if (p.kind === 'media' && i === 5) continue;
        const pkt = parse(p);
        rebuiltRed.push(...(p.kind === 'fec' ? parity2.onPacket(pkt, i, 'primary') : parity2.onMedia(pkt, i, { origin: 'primary', wire: true })));
      }
    });
    expect(rebuiltRed).toHaveLength(1);
    expect(rebuiltRed[0].packet.payloadType).toBe(63);
    const unwrapped = new RedRecoveryStage(63, RTP.payloadType).onPacket(rebuiltRed[0].packet, 0, 'parity');
    expect(unwrapped.map((r) => [r.origin, r.packet.payload])).toEqual([
      ['red', payload(4)],
      ['parity', payload(5)],
    ]);
  });

  it('uses only media as sent on the wire (not media unwrapped from RED)', () => {
    const { perFrame } = sendFrames(4, [new ParitySendStage(fecOpts('row', 4, 1))]);
    const feed = (wire: boolean) => {
      const stage = new ParityRecoveryStage(FEC_PT, RTP.ssrc);
      const out: RebuiltMedia[] = [];
      perFrame.forEach((pkts, i) => {
        for (const p of pkts) {
          if (p.kind === 'media' && i === 2) continue;
          const pkt = parse(p);
          out.push(...(p.kind === 'fec' ? stage.onPacket(pkt, i, 'primary') : stage.onMedia(pkt, i, { origin: 'primary', wire })));
        }
      });
      return out;
    };
    expect(feed(false)).toEqual([]);
    expect(feed(true).map((r) => r.packet.payload)).toEqual([payload(2)]);
  });
});
