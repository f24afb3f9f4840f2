/**
 * A stream that stops: the receiver goes on concealing until told the stream ended; its counters
 * ending at the last frame are exactly those it had when playout passed that frame (the offline
 * end of a call), whatever the tail held: PLC (a concealment event of its own, silent or not).
 */
import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import { JitterBufferConfigSchema } from '../../src/jitter-buffer/config.ts';
import { resolveJitterBuffer } from '../../src/jitter-buffer/registry.ts';
import { Receiver } from '../../src/receiver/receiver.ts';
import { PlayoutTail, TAIL_CONCEALED, TAIL_OPENED_EVENT, TAIL_SILENT, TAIL_COMFORT_NOISE } from '../../src/receiver/playout-tail.ts';
import { OpusPacketizer } from '../../src/rtp/opus-packetizer.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';
import { tsDiff } from '../../src/rtp/wrap.ts';

async function receiver(plc: 'opus' | 'silence') {
  const jb = await resolveJitterBuffer(JitterBufferConfigSchema.parse({ type: 'fixed', delayMs: 40 }), '.');
  return new Receiver({ sampleRate: 48000, frameMs: 20, mediaPayloadType: 111, jitterBuffer: jb, plc, useInbandFec: false });
}

function packets(n: number, lose: (k: number) => boolean, initialTs: number): Array<Uint8Array | null> {
  const enc = new OpusFrameEncoder(CodecConfigSchema.parse({}));
  const pk = new OpusPacketizer({ payloadType: 111, ssrc: 9, initialSeq: 65530, initialTimestamp: initialTs });
  const out: Array<Uint8Array | null> = [];
  for (let k = 0; k < n; k++) {
    const pcm = Int16Array.from({ length: 960 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * (k * 960 + i)) / 48000)));
    const b = serializeRtp(pk.packetize({ payload: enc.encode(pcm), timestampOffset48k: k * 960, talkspurtStart: k === 0 }));
    out.push(lose(k) ? null : b);
  }
  return out;
}

describe('Receiver.countersEndingAt', () => {
  for (const [plc, initialTs] of [['opus', 0xffff0000], ['silence', 5000]] as const) {
    it(`ends the counters where playout passed the last frame (${plc} PLC, tail of 60 slots)`, async () => {
      const rx = await receiver(plc);
      // 50 frames; 30 and 31 lost (a real concealment event), and the last one lost too.
      const pk = packets(50, (k) => k === 30 || k === 31 || k === 49, initialTs);
      const lastTs = (initialTs + 49 * 960) >>> 0;
      let atEnd: ReturnType<Receiver['finalCounters']> | null = null;
      for (let t = 0; t < 110; t++) {
        const p = pk[t];
        if (p) rx.onPacket(p, t * 20 + 5);
        rx.tick(t * 20 + 10);
        const next = rx.nextPlayoutTs;
        if (atEnd === null && next !== null && tsDiff(next, lastTs) > 0) atEnd = rx.finalCounters();
      }
      expect(atEnd).not.toBeNull();
      const raw = rx.finalCounters();
      expect(raw.concealedSamples).toBeGreaterThan(atEnd!.concealedSamples); // the tail went on
      const ended = rx.countersEndingAt(lastTs);
      // Equal, but for the float sum of frame durations (accumulated, then taken back).
      expect({ ...ended, totalSamplesDuration: 0 }).toEqual({ ...atEnd!, totalSamplesDuration: 0 });
      expect(ended.totalSamplesDuration).toBeCloseTo(atEnd!.totalSamplesDuration, 9);
      // Frames 30, 31 and 49 concealed: two events, 3 frames.
      expect(ended.concealedSamples).toBe(3 * 960);
      expect(ended.concealmentEvents).toBe(2);
      // Counters end nowhere before the tail: no change for a timestamp past the tail.
      expect(rx.countersEndingAt((lastTs + 1000 * 960) >>> 0)).toEqual(raw);
      // Without the end, nothing is taken back before its frame either: the tail starts at the lost last frame.
      expect(rx.countersEndingAt((lastTs - 960) >>> 0).concealedSamples).toBe(2 * 960);
      rx.destroy();
    });
  }
});

describe('PlayoutTail', () => {
  it('takes back the slots after the last frame, with their events, silence and comfort noise', () => {
    const t = new PlayoutTail(960, 8);
    t.push(1000, TAIL_CONCEALED | TAIL_OPENED_EVENT);
    t.push(1960, TAIL_CONCEALED);
    t.push(2920, TAIL_COMFORT_NOISE);
    t.push(3880, TAIL_CONCEALED | TAIL_OPENED_EVENT | TAIL_SILENT);
    expect(t.after(1000)).toEqual({ slots: 3, concealed: 2, silentConcealed: 1, comfortNoise: 1, events: 1 });
    expect(t.after(0)).toEqual({ slots: 4, concealed: 3, silentConcealed: 1, comfortNoise: 1, events: 2 });
    expect(t.after(3880).slots).toBe(0);
    t.clear();
    expect(t.after(0).slots).toBe(0);
    // Bounded: the first `capacity` slots are kept.
    for (let i = 0; i < 20; i++) t.push(i * 960, TAIL_CONCEALED);
    expect(t.length).toBe(8);
  });
});
