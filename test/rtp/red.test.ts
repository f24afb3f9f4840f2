import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedEncoder, RtpParseError, RtpFieldError, decodeRed, encodeRed, tsAdd } from '../../src/rtp/index.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));

describe('RFC 2198 RED', () => {
  it('lays out block headers bit-exactly', () => {
    // Redundant: F=1 PT=111, offset 960 (0x3c0), length 3; primary PT=111, 2 bytes.
    // 24-bit word = 960 << 10 | 3 = 0x0f0003.
    const red = encodeRed({ pt: 111, payload: hex('aabb') }, [{ pt: 111, timestampOffset: 960, payload: hex('010203') }]);
    expect(red).toEqual(hex('ef 0f0003 6f 010203 aabb'));
    expect(decodeRed(red, 5000)).toEqual([
      { pt: 111, timestamp: 4040, payload: hex('010203'), primary: false },
      { pt: 111, timestamp: 5000, payload: hex('aabb'), primary: true },
    ]);
  });

  it('uses the full 14-bit offset and 10-bit length and wraps the timestamp', () => {
    const big = new Uint8Array(1023).fill(7);
    const red = encodeRed({ pt: 0, payload: new Uint8Array(0) }, [{ pt: 127, timestampOffset: 16383, payload: big }]);
    expect(Array.from(red.subarray(0, 5))).toEqual([0xff, 0xff, 0xff, 0xff, 0x00]);
    const [r, p] = decodeRed(red, 100);
    expect(r.timestamp).toBe(tsAdd(100, -16383));
    expect(r.payload).toEqual(big);
    expect(p.payload.length).toBe(0);
    expect(() => encodeRed({ pt: 0, payload: big }, [{ pt: 0, timestampOffset: 16384, payload: big }])).toThrow(RtpFieldError);
    expect(() => encodeRed({ pt: 0, payload: big }, [{ pt: 0, timestampOffset: 0, payload: new Uint8Array(1024) }])).toThrow(
      RtpFieldError,
    );
  });

  it('round-trips arbitrary block lists', () => {
    const block = fc.record({
      pt: fc.integer({ min: 0, max: 127 }),
      timestampOffset: fc.integer({ min: 0, max: 16383 }),
      payload: fc.uint8Array({ maxLength: 60 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 127 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.array(block, { maxLength: 4 }),
        (ts, pt, payload, redundant) => {
          const out = decodeRed(encodeRed({ pt, payload }, redundant), ts);
          expect(out).toEqual([
            ...redundant.map((r) => ({ pt: r.pt, timestamp: tsAdd(ts, -r.timestampOffset), payload: r.payload, primary: false })),
            { pt, timestamp: ts, payload, primary: true },
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('malformed payloads raise only RtpParseError', () => {
    expect(() => decodeRed(new Uint8Array(0), 0)).toThrow(RtpParseError);
    expect(() => decodeRed(hex('ef0f00'), 0)).toThrow(RtpParseError); // truncated header
    expect(() => decodeRed(hex('ef0f0003 ef0f0003'), 0)).toThrow(RtpParseError); // no final header
    expect(() => decodeRed(hex('ef0f0009 6f 0102'), 0)).toThrow(RtpParseError); // length past end
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, ts) => {
        try {
          decodeRed(bytes, ts);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('RedEncoder', () => {
  /** Sends frames through a distance-N encoder, drops `lost`, rebuilds frames from what arrives. */
  function simulate(n: number, distance: number, lost: Set<number>, ts0: number): Map<number, Uint8Array> {
    const enc = new RedEncoder({ pt: 111, distance });
    const got = new Map<number, Uint8Array>();
    for (let i = 0; i < n; i++) {
      const ts = tsAdd(ts0, 960 * i);
      const frame = Uint8Array.of(i & 0xff, (i * 7) & 0xff, ...new Array<number>(i % 5).fill(i));
      const red = enc.encode(frame, ts);
      if (lost.has(i)) continue;
      for (const b of decodeRed(red, ts)) if (!got.has(b.timestamp)) got.set(b.timestamp, b.payload);
    }
    return got;
  }
  const expectedFrame = (i: number): Uint8Array => Uint8Array.of(i & 0xff, (i * 7) & 0xff, ...new Array<number>(i % 5).fill(i));

  it('at distance 2 every frame survives any burst of 2 losses (given a later packet arrives)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 27 }), fc.integer({ min: 0, max: 0xffffffff }), (b, ts0) => {
        const n = 30;
        const got = simulate(n, 2, new Set([b, b + 1]), ts0);
        for (let i = 0; i < n; i++) expect(got.get(tsAdd(ts0, 960 * i))).toEqual(expectedFrame(i));
      }),
      { numRuns: 100 },
    );
  });

  it('at distance 2 a burst of 3 loses exactly the oldest frame of the burst', () => {
    const got = simulate(20, 2, new Set([5, 6, 7]), 0xffffffff - 5000);
    const missing = Array.from({ length: 20 }, (_, i) => i).filter((i) => !got.has(tsAdd(0xffffffff - 5000, 960 * i)));
    expect(missing).toEqual([5]);
  });

  it('carries generations 1..N, oldest first, and skips frames beyond the 14-bit offset', () => {
    const enc = new RedEncoder({ pt: 100, distance: 3 });
    enc.encode(Uint8Array.of(1), 0);
    enc.encode(Uint8Array.of(2), 960);
    enc.encode(Uint8Array.of(3), 1920);
    const blocks = decodeRed(enc.encode(Uint8Array.of(4), 2880), 2880);
    expect(blocks.map((b) => [b.timestamp, b.payload[0], b.primary])).toEqual([
      [0, 1, false],
      [960, 2, false],
      [1920, 3, false],
      [2880, 4, true],
    ]);
    // After a 1 s DTX gap (48000 > 16383 ticks) the old frames cannot be referenced.
    const after = decodeRed(enc.encode(Uint8Array.of(5), 2880 + 48000), 2880 + 48000);
    expect(after.length).toBe(1);
    expect(() => new RedEncoder({ pt: 100, distance: 4 })).toThrow(RtpFieldError);
  });
});
