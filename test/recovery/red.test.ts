import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedRecoveryStage } from '../../src/recovery/red-stage.ts';
import type { RebuiltMedia } from '../../src/recovery/types.ts';
import { decodeRed } from '../../src/rtp/red.ts';
import { RedSendStage } from '../../src/sender/red-stage.ts';
import { FRAME_TS, parse, payload, RTP, sendFrames } from './helpers.ts';

const RED_PT = 63;

/** Receive the packets of the frames not in `lost`; returns every media packet handed on, by seq. */
function receive(n: number, generations: number, lost: Set<number>, skip?: (i: number) => boolean) {
  const { perFrame } = sendFrames(n, [new RedSendStage({ generations, payloadType: RED_PT })], { skip });
  const stage = new RedRecoveryStage(RED_PT, RTP.payloadType);
  const got = new Map<number, RebuiltMedia>();
  perFrame.forEach((out, i) => {
    if (lost.has(i)) return;
    for (const p of out) for (const r of stage.onPacket(parse(p), i * 20, 'primary')) if (!got.has(r.packet.sequenceNumber)) got.set(r.packet.sequenceNumber, r);
  });
  return { got, stage, perFrame };
}

describe('RED send stage', () => {
  it('wraps each media packet with the previous frames, oldest first, keeping seq, timestamp and marker', () => {
    const { perFrame } = sendFrames(5, [new RedSendStage({ generations: 2, payloadType: RED_PT })]);
    const p4 = parse(perFrame[4][0]);
    expect(p4.payloadType).toBe(RED_PT);
    expect(p4.sequenceNumber).toBe((RTP.initialSeq + 4) & 0xffff);
    const blocks = decodeRed(p4.payload, p4.timestamp);
    expect(blocks.map((b) => b.primary)).toEqual([false, false, true]);
    expect(blocks.map((b) => b.payload)).toEqual([payload(2), payload(3), payload(4)]);
    expect(blocks[0].timestamp).toBe((p4.timestamp - 2 * FRAME_TS) >>> 0);
    // The first packet starts a talkspurt and has no history yet.
    const p0 = parse(perFrame[0][0]);
    expect(p0.marker).toBe(true);
    expect(decodeRed(p0.payload, p0.timestamp)).toHaveLength(1);
    // The RED bytes are counted as redundancy overhead.
    expect(perFrame[4][0].redundantBytes).toBe(4 * 2 + payload(2).length + payload(3).length + 1);
  });

  it('ends the redundancy at a DTX pause longer than the 14-bit timestamp offset', () => {
    // Frames 5..30 are silence (only frame 5, the first DTX frame, is sent): 25 × 960 > 16383.
    const { perFrame } = sendFrames(33, [new RedSendStage({ generations: 3, payloadType: RED_PT })], { skip: (i) => i >= 5 && i <= 30 });
    const first = perFrame[31][0];
    const blocks = decodeRed(parse(first).payload, parse(first).timestamp);
    expect(blocks).toHaveLength(1);
    const next = parse(perFrame[32][0]);
    expect(decodeRed(next.payload, next.timestamp)).toHaveLength(2);
  });
});

describe('RED recovery stage', () => {
  it('rebuilds any burst of up to `generations` packets with exact sequence numbers, timestamps and payloads', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (gens, lossBits) => {
          // Keep bursts ≤ gens: drop a loss that would make a longer run; the last frame always arrives.
          const lost = new Set<number>();
          let run = 0;
          lossBits.forEach((b, i) => {
            if (b && run < gens && i < 39) {
              lost.add(i);
              run++;
            } else run = 0;
          });
          const { got } = receive(40, gens, lost);
          for (let i = 0; i < 40; i++) {
            const seq = (RTP.initialSeq + i) & 0xffff;
            const r = got.get(seq);
            expect(r).toBeDefined();
            expect(r!.origin).toBe(lost.has(i) ? 'red' : 'primary');
            expect(r!.packet.payload).toEqual(payload(i));
            expect(r!.packet.timestamp).toBe((RTP.initialTimestamp + i * FRAME_TS) >>> 0);
            expect(r!.packet.payloadType).toBe(RTP.payloadType);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives rebuilt frames the right sequence numbers across a DTX pause', () => {
    // Frames 10..14 silent (frame 10, the first DTX frame, is sent); lose frames 9 and 10.
    const skip = (i: number) => i >= 10 && i <= 14;
    const { got } = receive(20, 2, new Set([9, 10]), skip);
    const seq9 = (RTP.initialSeq + 9) & 0xffff;
    const seq10 = (RTP.initialSeq + 10) & 0xffff;
    expect(got.get(seq9)!.packet.timestamp).toBe((RTP.initialTimestamp + 9 * FRAME_TS) >>> 0);
    expect(got.get(seq10)!.packet.timestamp).toBe((RTP.initialTimestamp + 10 * FRAME_TS) >>> 0);
    // Frame 15 is the packet after the DTX frame: seq 11.
    expect(got.get((RTP.initialSeq + 11) & 0xffff)!.packet.timestamp).toBe((RTP.initialTimestamp + 15 * FRAME_TS) >>> 0);
  });

  it('hands on redundancy only for packets not seen yet, and counts every redundant block received', () => {
    const { got, stage } = receive(10, 2, new Set([4]));
    expect([...got.values()].filter((r) => r.origin === 'red')).toHaveLength(1);
    // Blocks sent: frame 1 carries 1, frames 2..9 carry 2 each (17); frame 4's 2 were lost.
    expect(stage.stats().packetsReceived).toBe(15);
    expect(stage.stats().rebuilt).toBe(1);
  });

  it('counts a malformed RED payload and returns nothing', () => {
    const stage = new RedRecoveryStage(RED_PT, RTP.payloadType);
    const bad = { ...parse(sendFrames(1, []).perFrame[0][0]), payloadType: RED_PT, payload: new Uint8Array([0x80 | 111, 0, 0]) };
    expect(stage.onPacket(bad, 0, 'primary')).toEqual([]);
    expect(stage.stats().malformed).toBe(1);
  });
});
