/**
 * Minimal RTP fixed-header reading for picking RTP out of UDP (RFC 3550 §5.1 and the validity
 * checks of Appendix A.1). Deliberately independent of src/rtp.
 */
export interface RtpHeaderFields {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcCount: number;
  /** Offset of the payload: 12 + 4·CC (+ header extension). */
  readonly headerLength: number;
  /** Payload bytes excluding any padding. */
  readonly payloadLength: number;
}

export type RtpCheck =
  | { readonly kind: 'rtp'; readonly header: RtpHeaderFields }
  | { readonly kind: 'rtcp' }
  | { readonly kind: 'notRtp' };

/**
 * Version 2, at least 12 bytes, CSRC list / extension / padding inside the packet. Second byte
 * 192–223 is RTCP multiplexed on the same port (RFC 5761 §4), not RTP.
 */
export function checkRtp(b: Uint8Array): RtpCheck {
  if (b.length < 12 || b[0]! >> 6 !== 2) return { kind: 'notRtp' };
  if (b[1]! >= 192 && b[1]! <= 223) return { kind: 'rtcp' };
  const csrcCount = b[0]! & 0x0f;
  let headerLength = 12 + 4 * csrcCount;
  if (b.length < headerLength) return { kind: 'notRtp' };
  if ((b[0]! & 0x10) !== 0) {
    // Header extension (§5.3.1): profile(2) | length in 32-bit words(2) | data.
    if (b.length < headerLength + 4) return { kind: 'notRtp' };
    headerLength += 4 + 4 * ((b[headerLength + 2]! << 8) | b[headerLength + 3]!);
    if (b.length < headerLength) return { kind: 'notRtp' };
  }
  let payloadLength = b.length - headerLength;
  if ((b[0]! & 0x20) !== 0) {
    // Padding (§5.1): the last octet counts the padding octets, itself included, so it is ≥ 1.
    const pad = b[b.length - 1]!;
    if (pad === 0 || pad > payloadLength) return { kind: 'notRtp' };
    payloadLength -= pad;
  }
  return {
    kind: 'rtp',
    header: {
      marker: (b[1]! & 0x80) !== 0,
      payloadType: b[1]! & 0x7f,
      seq: (b[2]! << 8) | b[3]!,
      timestamp: ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0,
      ssrc: ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0,
      csrcCount,
      headerLength,
      payloadLength,
    },
  };
}
