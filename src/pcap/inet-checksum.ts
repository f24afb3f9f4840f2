/**
 * Internet checksum (RFC 1071 §4.1): one's-complement sum of 16-bit big-endian words, folded,
 * complemented. `parts` are summed as one byte string (each part must start at an even offset of
 * the whole, which holds for the pseudo-header / header / payload split used here).
 */
export function internetChecksum(...parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    const even = p.length & ~1;
    for (let i = 0; i < even; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
    if (p.length & 1) sum += p[p.length - 1]! << 8;
    // Fold early so the running sum stays well inside float-exact integer range.
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
