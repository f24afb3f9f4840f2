import { describe, expect, it } from 'vitest';
import { OpusPacketizer, RtpFieldError, parseRtp, serializeRtp } from '../../src/rtp/index.ts';

describe('OpusPacketizer (RFC 7587)', () => {
  it('numbers packets across the 16-bit wrap and offsets timestamps modulo 2^32 on the 48 kHz clock', () => {
    const pk = new OpusPacketizer({ payloadType: 111, ssrc: 0xcafebabe, initialSeq: 65534, initialTimestamp: 0xffffffff - 959 });
    const frames = [0, 960, 1920, 2880].map((off, i) => ({
      payload: Uint8Array.of(0x78, i),
      timestampOffset48k: off,
      talkspurtStart: i === 0 || i === 3,
    }));
    const pkts = frames.map((f) => parseRtp(serializeRtp(pk.packetize(f))));
    expect(pkts.map((p) => p.sequenceNumber)).toEqual([65534, 65535, 0, 1]);
    expect(pkts.map((p) => p.timestamp)).toEqual([0xffffffff - 959, 0, 960, 1920]);
    expect(pkts.map((p) => p.marker)).toEqual([true, false, false, true]);
    expect(pkts.every((p) => p.payloadType === 111 && p.ssrc === 0xcafebabe)).toBe(true);
    expect(pkts[2].payload).toEqual(Uint8Array.of(0x78, 2));
    expect(pk.sequenceNumber).toBe(2);
  });

  it('keeps the timestamp a pure function of the offset across a DTX gap', () => {
    const pk = new OpusPacketizer({ payloadType: 96, ssrc: 1, initialSeq: 10, initialTimestamp: 1000 });
    const a = pk.packetize({ payload: Uint8Array.of(1), timestampOffset48k: 0, talkspurtStart: true });
    const b = pk.packetize({ payload: Uint8Array.of(2), timestampOffset48k: 48000 * 3600, talkspurtStart: true });
    expect(a.timestamp).toBe(1000);
    expect(b.timestamp).toBe((1000 + 48000 * 3600) % 2 ** 32);
    expect(b.sequenceNumber).toBe(11); // seq counts packets, not time
  });

  it('rejects out-of-range initial values', () => {
    expect(() => new OpusPacketizer({ payloadType: 111, ssrc: 1, initialSeq: 65536, initialTimestamp: 0 })).toThrow(RtpFieldError);
    expect(() => new OpusPacketizer({ payloadType: 128, ssrc: 1, initialSeq: 0, initialTimestamp: 0 })).toThrow(RtpFieldError);
  });
});
