import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RtpParseError,
  RtpFieldError,
  parseRtp,
  serializeRtp,
  tryParseRtp,
  type RtpPacket,
} from '../../src/rtp/index.ts';
import { ByteSlab } from '../../src/core/byte-slab.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));

const arbPacket: fc.Arbitrary<RtpPacket> = fc.record({
  version: fc.constant(2 as const),
  padding: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })),
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
  extension: fc.option(
    fc.record({
      profile: fc.integer({ min: 0, max: 0xffff }),
      data: fc.integer({ min: 0, max: 8 }).chain((w) => fc.uint8Array({ minLength: 4 * w, maxLength: 4 * w })),
    }),
    { nil: null },
  ),
  payload: fc.uint8Array({ maxLength: 200 }),
});

describe('RTP header (RFC 3550 5.1)', () => {
  it('parses a hand-assembled packet with CSRCs, extension and padding', () => {
    // V=2 P=1 X=1 CC=2 | M=1 PT=111 | seq 0x1234 | ts 0xdeadbeef | ssrc 0x01020304
    // CSRC 0xaabbccdd, 0x11223344 | ext profile 0xbede, 1 word: 10 01 02 00 | payload f0 f1 f2 | pad 00 00 03
    const bytes = hex('b2ef1234 deadbeef 01020304 aabbccdd 11223344 bede0001 10010200 f0f1f2 000003');
    const p = parseRtp(bytes);
    expect(p).toEqual({
      version: 2,
      padding: 3,
      marker: true,
      payloadType: 111,
      sequenceNumber: 0x1234,
      timestamp: 0xdeadbeef,
      ssrc: 0x01020304,
      csrcs: [0xaabbccdd, 0x11223344],
      extension: { profile: 0xbede, data: hex('10010200') },
      payload: hex('f0f1f2'),
    });
    expect(serializeRtp(p)).toEqual(bytes);
  });

  it('serialize∘parse round-trips every header field', () => {
    fc.assert(
      fc.property(arbPacket, (p) => {
        const bytes = serializeRtp(p);
        expect(bytes.length).toBe(12 + 4 * p.csrcs.length + (p.extension ? 4 + p.extension.data.length : 0) + p.payload.length + p.padding);
        const q = parseRtp(bytes);
        expect(q).toEqual(p);
        if (p.padding > 0) expect(bytes[bytes.length - 1]).toBe(p.padding);
        expect(serializeRtp(q)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('serializes into views of a shared block, and parses views at any offset', () => {
    // Packets share ByteSlab blocks: each view must hold exactly its own packet, whatever was
    // written before or after it in the block.
    const slab = new ByteSlab(1024);
    fc.assert(
      fc.property(fc.array(arbPacket, { minLength: 1, maxLength: 6 }), (ps) => {
        const views = ps.map((p) => serializeRtp(p, (n) => slab.take(n)));
        ps.forEach((p, i) => {
          expect(views[i]).toEqual(serializeRtp(p));
          expect(parseRtp(views[i])).toEqual(p);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('random bytes only ever raise RtpParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        // Bias towards version 2 so the deeper checks are reached.
        if (bytes.length > 0 && bytes[0] % 2 === 0) bytes[0] = (bytes[0] & 0x3f) | 0x80;
        try {
          parseRtp(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpParseError);
        }
        const r = tryParseRtp(bytes);
        if (!r.ok) expect(r.error).toBeInstanceOf(RtpParseError);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports the reason and offset of each malformation', () => {
    const cases: [string, string, number][] = [
      ['80e0123400000000000000', 'short', 11],
      ['40e01234 00000000 00000000', 'version', 0],
      ['83e01234 00000000 00000000 00000001', 'csrc', 12],
      ['90e01234 00000000 00000000 bede', 'extension', 12],
      ['90e01234 00000000 00000000 bede0002 00000000', 'extension', 14],
      ['a0e01234 00000000 00000000 0000', 'padding', 13],
      ['a0e01234 00000000 00000000 0005', 'padding', 13],
    ];
    for (const [h, reason, offset] of cases) {
      const r = tryParseRtp(hex(h));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.reason).toBe(reason);
        expect(r.error.offset).toBe(offset);
        expect(r.error.kind).toBe('rtp');
      }
    }
  });

  it('rejects unrepresentable fields with RtpFieldError', () => {
    const base: RtpPacket = {
      version: 2,
      padding: 0,
      marker: false,
      payloadType: 111,
      sequenceNumber: 0,
      timestamp: 0,
      ssrc: 0,
      csrcs: [],
      extension: null,
      payload: new Uint8Array(0),
    };
    expect(() => serializeRtp({ ...base, payloadType: 128 })).toThrow(RtpFieldError);
    expect(() => serializeRtp({ ...base, sequenceNumber: 65536 })).toThrow(RtpFieldError);
    expect(() => serializeRtp({ ...base, padding: 256 })).toThrow(RtpFieldError);
    expect(() => serializeRtp({ ...base, csrcs: new Array<number>(16).fill(1) })).toThrow(RtpFieldError);
    expect(() => serializeRtp({ ...base, extension: { profile: 1, data: new Uint8Array(3) } })).toThrow(RtpFieldError);
  });
});
