/**
 * Receiver counters on hand-built RTP streams (real libopus payloads, a scripted or fixed jitter
 * buffer): W3C packetsDiscarded excludes duplicates, RFC 3550 A.3 expected/lost across the 16-bit
 * wrap, and the playout time of a frame queued behind time-stretched audio.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import { createFixed } from '../../src/jitter-buffer/fixed.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer } from '../../src/jitter-buffer/types.ts';
import { Receiver, type ReceiverOptions } from '../../src/receiver/receiver.ts';
import { parseRtp, serializeRtp } from '../../src/rtp/packet.ts';
import { toRtxPacket } from '../../src/rtp/rtx.ts';
import { RtxRecoveryStage } from '../../src/recovery/rtx-stage.ts';

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

describe('retransmissions in the W3C counters', () => {
  it('packetsReceived and bytesReceived include RTX packets; packetsLost and the RTCP report block stay the media SSRC\'s (RFC 3550 6.4.1, RFC 4588 6.2)', () => {
    const rtxPt = 97;
    const rx = new Receiver({
      sampleRate: 48000,
      frameMs: 20,
      mediaPayloadType: PT,
      jitterBuffer: (h) => createFixed({ type: 'fixed', delayMs: 100, capacityFrames: 200 }, h),
      plc: 'opus',
      useInbandFec: false,
      recovery: [new RtxRecoveryStage({ rtxPayloadType: rtxPt, associatedPayloadType: PT, mediaSsrc: 7, nack: null })],
    });
    // Ten packets; 4 and 6 lost on the media SSRC, 4 retransmitted twice (the second a spurious repeat), 6 not at all.
    let wireMedia = 0;
    let payloadBytes = 0;
    for (let i = 0; i < 10; i++) {
      if (i === 4 || i === 6) continue;
      const bytes = rtp(i, 960 * i, payloads[i]);
      wireMedia += bytes.length;
      payloadBytes += payloads[i].length;
      rx.onPacket(bytes, 20 * (i + 1) + 5);
    }
    const rtxBytes = serializeRtp(toRtxPacket(parseRtp(rtp(4, 960 * 4, payloads[4])), { payloadType: rtxPt, ssrc: 0x77, sequenceNumber: 300 }));
    rx.onPacket(rtxBytes, 150);
    rx.onPacket(rtxBytes, 160);
    for (let t = 20; t <= 400; t += 20) rx.tick(t);
    const c = rx.finalCounters();
    expect(c.retransmittedPacketsReceived).toBe(2);
    expect(c.retransmittedBytesReceived).toBe(2 * payloads[4].length);
    expect(c.packetsReceived).toBe(8 + 2);
    expect(c.bytesReceived).toBe(payloadBytes + 2 * payloads[4].length);
    expect(c.headerBytesReceived + c.bytesReceived).toBe(wireMedia + 2 * rtxBytes.length);
    // Expected 10 on the media SSRC, 8 received there: 2 lost, whatever the RTX stream brought.
    expect(c.packetsLost).toBe(2);
    expect(rx.receptionState()).toMatchObject({ expected: 10, received: 8 });
  });
});

describe('corrupted packets at the receiver', () => {
  function run(mutate: (i: number, bytes: Uint8Array) => void): { rx: Receiver; dropped: string[]; outcomes: string[] } {
    const dropped: string[] = [];
    const outcomes: string[] = [];
    const rx = receiver((h) => createFixed({ type: 'fixed', delayMs: 40, capacityFrames: 200 }, h), {
      onPacketDropped: (s, r) => dropped.push(`${s}:${r}`),
      onFrame: (ts, outcome) => {
        if (ts < 960 * 20) outcomes[ts / 960] = outcome;
      },
    });
    for (let i = 0; i < 20; i++) {
      const bytes = rtp(1000 + i, 960 * i, payloads[i]);
      mutate(i, bytes);
      rx.onPacket(bytes, 20 * (i + 1) + 5);
      rx.tick(20 * (i + 1));
    }
    for (let t = 420; t <= 600; t += 20) rx.tick(t);
    return { rx, dropped, outcomes };
  }

  it('drops an Opus payload libopus would refuse (a corrupted TOC) as malformed instead of failing the decode', () => {
    // Code 3 with a frame count of 0 breaks RFC 6716 R5 (opus_decode: OPUS_INVALID_PACKET); a
    // 60 ms TOC on a 20 ms frame clock would not fit one frame of output (OPUS_BUFFER_TOO_SMALL).
    const { rx, dropped, outcomes } = run((i, b) => {
      if (i === 6) {
        b[12] |= 0x03;
        b[13] = 0;
      }
      if (i === 9) b[12] = (b[12] & 0x07) | (3 << 3); // config 3: SILK NB 60 ms
    });
    expect(rx.malformedPackets).toBe(2);
    expect(dropped).toEqual(['null:malformed', 'null:malformed']);
    expect(rx.finalCounters().packetsReceived).toBe(18);
    expect(outcomes).toEqual(Array.from({ length: 20 }, (_, i) => (i === 6 || i === 9 ? 'concealed' : 'normal')));
  });

  it('does not count a sequence number that jumped MAX_DROPOUT or more (RFC 3550 A.1): no 16 384 phantom losses', () => {
    // Packet 7's sequence bit 14 flipped: 16 384 ahead of the stream.
    const { rx } = run((i, b) => {
      if (i === 7) b[2] ^= 0x40;
    });
    const c = rx.finalCounters();
    expect(rx.malformedPackets).toBe(1);
    expect(c.packetsReceived).toBe(19);
    expect(c.packetsLost).toBe(1);
    expect(rx.receptionState()).toMatchObject({ extHighestSeq: 1019, expected: 20 });
  });

  it('never throws on random payload bytes behind a valid media header', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 80 }), { minLength: 1, maxLength: 12 }), (bodies) => {
        const rx = receiver((h) => createFixed({ type: 'fixed', delayMs: 20, capacityFrames: 50 }, h));
        bodies.forEach((body, i) => {
          rx.onPacket(rtp(i, 960 * i, body), 20 * i + 1);
          rx.tick(20 * (i + 1));
        });
        for (let k = 0; k < 4; k++) rx.tick(20 * (bodies.length + 1 + k));
        rx.destroy();
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
