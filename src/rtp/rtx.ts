/**
 * RFC 4588 retransmission payload format: the RTX payload is the original sequence number
 * (OSN, 16 bits) followed by the original payload (section 4). The RTX packet keeps the original
 * timestamp, marker, CSRCs and header extension, and uses the RTX stream's PT, SSRC and seq.
 */
import { checkRtpInt, RtpParseError } from './errors.ts';
import type { RtpPacket } from './header.ts';

export function encodeRtxPayload(osn: number, payload: Uint8Array): Uint8Array {
  checkRtpInt('osn', osn, 0, 0xffff);
  const out = new Uint8Array(2 + payload.length);
  out[0] = osn >>> 8;
  out[1] = osn & 0xff;
  out.set(payload, 2);
  return out;
}

/** Splits an RTX payload; throws `RtpParseError` ('rtx') when shorter than the OSN. */
export function decodeRtxPayload(payload: Uint8Array): { osn: number; payload: Uint8Array } {
  if (payload.length < 2) throw new RtpParseError('rtx', 0, `RTX payload of ${payload.length} bytes has no OSN`);
  return { osn: (payload[0] << 8) | payload[1], payload: payload.subarray(2) };
}

/** The retransmission of `original` in the RTX stream described by `rtx`. */
export function toRtxPacket(
  original: RtpPacket,
  rtx: { payloadType: number; ssrc: number; sequenceNumber: number },
): RtpPacket {
  return {
    ...original,
    padding: 0,
    payloadType: rtx.payloadType,
    ssrc: rtx.ssrc,
    sequenceNumber: rtx.sequenceNumber,
    payload: encodeRtxPayload(original.sequenceNumber, original.payload),
  };
}

/** The original packet carried by RTX packet `rtx` (original PT and SSRC come from signalling). */
export function fromRtxPacket(rtx: RtpPacket, original: { payloadType: number; ssrc: number }): RtpPacket {
  checkRtpInt('payloadType', original.payloadType, 0, 127);
  checkRtpInt('ssrc', original.ssrc, 0, 0xffffffff);
  const { osn, payload } = decodeRtxPayload(rtx.payload);
  return {
    ...rtx,
    padding: 0,
    payloadType: original.payloadType,
    ssrc: original.ssrc,
    sequenceNumber: osn,
    payload,
  };
}
