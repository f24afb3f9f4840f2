import { describe, expect, it } from 'vitest';
import { RtpParseError, decodeRtxPayload, encodeRtxPayload, fromRtxPacket, parseRtp, serializeRtp, toRtxPacket, type RtpPacket } from '../../src/rtp/index.ts';

describe('RTX payload (RFC 4588 section 4)', () => {
  it('prefixes the original sequence number and restores the original packet', () => {
    const original: RtpPacket = {
      version: 2,
      padding: 0,
      marker: true,
      payloadType: 111,
      sequenceNumber: 0xfedc,
      timestamp: 123456,
      ssrc: 0xaaaa,
      csrcs: [7],
      extension: { profile: 0xbede, data: Uint8Array.of(0x10, 1, 0, 0) },
      payload: Uint8Array.of(1, 2, 3),
    };
    const rtx = toRtxPacket(original, { payloadType: 97, ssrc: 0xbbbb, sequenceNumber: 5 });
    expect(Array.from(rtx.payload)).toEqual([0xfe, 0xdc, 1, 2, 3]);
    expect([rtx.payloadType, rtx.ssrc, rtx.sequenceNumber, rtx.timestamp]).toEqual([97, 0xbbbb, 5, 123456]);
    const back = fromRtxPacket(parseRtp(serializeRtp(rtx)), { payloadType: 111, ssrc: 0xaaaa });
    expect(back).toEqual(original);
    expect(decodeRtxPayload(encodeRtxPayload(0, new Uint8Array(0)))).toEqual({ osn: 0, payload: new Uint8Array(0) });
    expect(() => decodeRtxPayload(Uint8Array.of(1))).toThrow(RtpParseError);
  });
});
