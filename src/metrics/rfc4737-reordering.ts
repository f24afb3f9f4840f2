/**
 * RFC 4737 section 3.3, Type-P-Reordered, for one stream of sequence-numbered packets: taken in
 * arrival order, a packet with sequence number s is reordered when s < NextExp, NextExp being one
 * more than the highest sequence number that arrived before it. So the packet flagged is the late
 * one (sent earlier, overtaken), never the packets that overtook it; lost packets reorder nothing.
 * Only the first copy of a duplicated packet is considered (section 3.3), so the input holds one
 * arrival time per packet. Packets arriving at the same instant are taken in sequence order.
 *
 * s < NextExp exactly when some packet with a higher sequence number arrived before s, so one
 * backward pass keeping the earliest arrival among the later-sent packets decides every packet
 * in O(n), without sorting by arrival.
 */

/**
 * `firstArrivalMs[i]` is the first arrival of the packet with extended sequence number i of the
 * stream (null when it never arrived); returns whether each packet is Type-P-Reordered.
 */
export function rfc4737Reordered(firstArrivalMs: ReadonlyArray<number | null>): boolean[] {
  const n = firstArrivalMs.length;
  const flags: boolean[] = new Array<boolean>(n).fill(false);
  let earliestLater = Number.POSITIVE_INFINITY;
  for (let i = n - 1; i >= 0; i--) {
    const t = firstArrivalMs[i];
    if (t === null) continue;
    if (earliestLater < t) flags[i] = true;
    else earliestLater = t;
  }
  return flags;
}
