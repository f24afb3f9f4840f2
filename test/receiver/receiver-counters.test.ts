/**
 * Receiver counters on hand-built RTP streams (real libopus payloads, a scripted or fixed jitter
 * buffer): W3C packetsDiscarded excludes duplicates, RFC 3550 A.3 expected/lost across the 16-bit
 * wrap, and the playout time of a frame queued behind time-stretched audio.
 */
import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import { createFixed } from '../../src/jitter-buffer/fixed.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer } from '../../src/jitter-buffer/types.ts';
import { Receiver, type ReceiverOptions } from '../../src/receiver/receiver.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';

const PT = 111;
const enc = new OpusFrameEncoder(CodecConfigSchema.parse({ fec: false }));
// A 200 Hz tone (5 ms period): periodic enough for WSOLA to stretch by one pitch period.
const tone = new Int16Array(960);
for (let i = 0; i < 960; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 200 * i) / 48000));
const payloads = Array.from({ length: 20 }, () => enc.encode(tone));

function rtp(seq: number, ts: number, payload: Uint8Array): Uint8Array {
  return serializeRtp({ version: 2, padding: 0, marker: false, payloadType: PT, sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, ssrc: 7, csrcs: [], extension: null, payload });
}

function receiver(jitterBuffer: ReceiverOptions['jitterBuffer'], events: ReceiverOptions['events'] = {}): Receiver {
  return new Receiver({ sampleRate: 48000, frameMs: 20, mediaPayloadType: PT, jitterBuffer, plc: 'opus', useInbandFec: false, events });
}

describe('receiver counters', () => {
  it('counts a late packet and its late duplicate as one discard (W3C: duplicates are not discarded)', () => {
    const dropped: string[] = [];
    const rx = receiver((h) => createFixed({ type: 'fixed', delayMs: 40, capacityFrames: 200 }, h), { onPacketDropped: (s, r) => dropped.push(`${s}:${r}`) });
    // Initial seq 65530: the 15 packets cross the 16-bit wrap. Packet 5 arrives 200 ms late, twice.
    const seq0 = 65530;
    const ts0 = 4294967000;
    const arrivals: Array<[number, Uint8Array]> = [];
    for (let i = 0; i < 15; i++) {
      const t = 20 * (i + 1) + 10;
      const bytes = rtp(seq0 + i, ts0 + 960 * i, payloads[i]);
      if (i === 5) arrivals.push([t + 200, bytes], [t + 210, bytes]);
      else arrivals.push([t, bytes]);
    }
    arrivals.sort((a, b) => a[0] - b[0]);
    let k = 0;
    for (let t = 20; t <= 600; t += 20) {
      while (k < arrivals.length && arrivals[k][0] <= t) rx.onPacket(arrivals[k][1], arrivals[k++][0]);
      rx.tick(t);
    }
    const c = rx.finalCounters();
    expect(dropped).toEqual([`${seq0 + 5}:late`, `${seq0 + 5}:duplicate`]);
    expect(c.packetsDiscarded).toBe(1);
    expect(c.packetsDuplicated).toBe(1);
    // RFC 3550 A.3: received counts the duplicate, so expected - received = 15 - 16.
    expect(c.packetsReceived).toBe(16);
    expect(c.packetsLost).toBe(-1);
    expect(rx.receptionState()).toMatchObject({ extHighestSeq: seq0 + 14, expected: 15, received: 16 });
  });

  it('reports a frame queued behind stretched audio at the time its first sample plays', () => {
    const frames: JbFrame[] = [];
    // The decoder's first frames are its warm-up; the third one is a steady tone to stretch.
    const script: Decision['op'][] = ['normal', 'normal', 'preemptiveExpand', 'normal'];
    let step = 0;
    const scripted: JitterBuffer = {
      kind: 'scripted',
      insert(f: JbFrame): InsertResult {
        frames.push(f);
        return { status: 'buffered' };
      },
      next(): Decision {
        const op = script[step++] ?? 'normal';
        const frame = frames.shift();
        if (!frame) return { op: 'idle' };
        return op === 'preemptiveExpand' ? { op, frame } : { op: 'normal', frame };
      },
      state: () => ({ targetDelayMs: 40, levelMs: 0 }),
    };
    const played: number[] = [];
    const rx = receiver(() => scripted, { onFrame: (_ts, _o, _origin, playoutMs) => played.push(playoutMs) });
    for (let i = 0; i < 4; i++) rx.onPacket(rtp(100 + i, 960 * i, payloads[i]), 1);
    for (const t of [20, 40, 60, 80]) rx.tick(t);
    const inserted = rx.counters.insertedSamplesForDeceleration;
    expect(inserted).toBeGreaterThan(0);
    expect(inserted).toBeLessThan(960);
    // Tick 60 plays 960 of frame 2's 960 + inserted samples; frame 3 follows the leftover at tick 80.
    expect(played).toEqual([20, 40, 60, 80 + (inserted * 1000) / 48000]);
  });
});
