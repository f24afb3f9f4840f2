/**
 * netem `corrupt P`: one random bit of the packet flipped. Done on a copy; the sender's bytes
 * are never touched.
 */

/** A copy of `payload` with bit `bitIndex` (0 = MSB of byte 0) flipped. */
export function flipBit(payload: Uint8Array, bitIndex: number): Uint8Array {
  const out = new Uint8Array(payload);
  const byte = Math.floor(bitIndex / 8);
  if (byte >= 0 && byte < out.length) out[byte] ^= 0x80 >>> (bitIndex % 8);
  return out;
}

/** The bit to flip for a uniform draw u in [0, 1) over a packet of `lengthBytes`. */
export function bitIndexOf(u: number, lengthBytes: number): number {
  return Math.min(lengthBytes * 8 - 1, Math.floor(u * lengthBytes * 8));
}
