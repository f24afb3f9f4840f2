import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpParseError } from '../../src/rtp/errors.ts';
import {
  decodeHeaderExtensions,
  encodeHeaderExtensions,
  ONE_BYTE_PROFILE,
  readTransportSeq,
  stampTransportSeq,
  withTransportSeq,
} from '../../src/rtp/header-extension.ts';
import type { RtpPacket } from '../../src/rtp/header.ts';
import { parseRtp, serializeRtp } from '../../src/rtp/packet.ts';

const pkt = (over: Partial<RtpPacket> = {}): RtpPacket => ({
  version: 2,
  padding: 0,
  marker: false,
  payloadType: 111,
  sequenceNumber: 1000,
  timestamp: 123456,
  ssrc: 0xdeadbeef,
  csrcs: [],
  extension: null,
  payload: Uint8Array.of(1, 2, 3, 4, 5),
  ...over,
});

describe('RFC 8285 header extensions', () => {
  it('writes the one-byte form byte for byte (RFC 8285 4.2 layout)', () => {
    const ext = encodeHeaderExtensions([{ id: 5, data: Uint8Array.of(0x12, 0x34) }]);
    expect(ext.profile).toBe(ONE_BYTE_PROFILE);
    // ID 5, L = 1 (two bytes), data, one padding byte.
    expect(Array.from(ext.data)).toEqual([0x51, 0x12, 0x34, 0x00]);
  });

  it('uses the two-byte form when an ID or a length does not fit the one-byte one', () => {
    const ext = encodeHeaderExtensions([{ id: 20, data: Uint8Array.of(7) }]);
    expect(ext.profile & 0xfff0).toBe(0x1000);
    expect(Array.from(ext.data)).toEqual([20, 1, 7, 0]);
    expect(decodeHeaderExtensions(ext).map((e) => [e.id, Array.from(e.data)])).toEqual([[20, [7]]]);
  });

  it('skips padding between elements and stops at ID 15', () => {
    const data = Uint8Array.of(0x10, 0xaa, 0x00, 0x00, 0x21, 0x01, 0x02, 0xf0, 0x33, 0, 0, 0);
    const els = decodeHeaderExtensions({ profile: ONE_BYTE_PROFILE, data });
    expect(els.map((e) => [e.id, Array.from(e.data)])).toEqual([
      [1, [0xaa]],
      [2, [1, 2]],
    ]);
  });

  it('rejects an element running past the extension with RtpParseError', () => {
    expect(() => decodeHeaderExtensions({ profile: ONE_BYTE_PROFILE, data: Uint8Array.of(0x5f, 0, 0, 0) })).toThrow(RtpParseError);
    expect(readTransportSeq(pkt({ extension: { profile: ONE_BYTE_PROFILE, data: Uint8Array.of(0x5f, 0, 0, 0) } }))).toBeNull();
  });

  it('round-trips any set of elements through serializeRtp / parseRtp', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 14 }), { maxLength: 6 }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 16 }), { minLength: 6, maxLength: 6 }),
        (ids, datas) => {
          const els = ids.map((id, i) => ({ id, data: datas[i] }));
          const p = parseRtp(serializeRtp(pkt({ extension: encodeHeaderExtensions(els) })));
          const back = decodeHeaderExtensions(p.extension!);
          expect(back.map((e) => [e.id, Array.from(e.data)])).toEqual(els.map((e) => [e.id, Array.from(e.data)]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stamps and reads the transport-wide sequence number, keeping other elements and the payload', () => {
    const other = encodeHeaderExtensions([{ id: 1, data: Uint8Array.of(9) }]);
    const bytes = stampTransportSeq(serializeRtp(pkt({ extension: other })), 0xfffe);
    const p = parseRtp(bytes);
    expect(readTransportSeq(p)).toBe(0xfffe);
    expect(Array.from(p.payload)).toEqual([1, 2, 3, 4, 5]);
    expect(decodeHeaderExtensions(p.extension!).map((e) => e.id)).toEqual([1, 5]);
    // Re-stamping replaces the element instead of adding a second one.
    const again = withTransportSeq(p, 7);
    expect(decodeHeaderExtensions(again.extension!).filter((e) => e.id === 5)).toHaveLength(1);
    expect(readTransportSeq(again)).toBe(7);
    expect(readTransportSeq(pkt())).toBeNull();
  });
});
