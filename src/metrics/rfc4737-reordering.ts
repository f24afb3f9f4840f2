/**
 * RFC 4737 section 3.3, Type-P-Reordered, for one stream of sequence-numbered packets: taken in
 * arrival order, a packet with sequence number s is reordered when s < NextExp, NextExp being one
 * more than the highest sequence number that arrived before it. So the packet flagged is the late
 * one (sent earlier, overtaken), never the packets that overtook it; lost packets reorder nothing.
 * Only the first copy of a duplicated packet is considered (section 3.3), so the input holds one
 * arrival time per packet. Packets arriving at the same instant are taken in sequence order.
 */

/**
 * `firstArrivalMs[i]` is the first arrival of the packet with extended sequence number i of the
 * stream (null when it never arrived); returns whether each packet is Type-P-Reordered.
 */
export function rfc4737Reordered(firstArrivalMs: ReadonlyArray<number | null>): boolean[] {
  const n = firstArrivalMs.length;
  const flags: boolean[] = new Array<boolean>(n).fill(false);
  const arrived: number[] = [];
  for (let i = 0; i < n; i++) if (firstArrivalMs[i] !== null) arrived.push(i);
  arrived.sort((a, b) => firstArrivalMs[a]! - firstArrivalMs[b]! || a - b);
  let nextExp = Number.NEGATIVE_INFINITY;
  for (const s of arrived) {
    if (s >= nextExp) nextExp = s + 1;
    else flags[s] = true;
  }
  return flags;
}
