/**
 * netem `reorder P gap G`: a packet may skip the delay (sent at once, jumping the queue) with
 * probability P, but only after at least `gap` packets went the normal way since the last one
 * that did (our gap counts the packets between reordered ones; netem's "gap G" is our G - 1).
 * The counter is kept per lane, so a variant's extra FEC packets do not move the media's
 * reordering; the draw itself is keyed by (slot, lane, ordinal).
 */
export class ReorderGate {
  private readonly sinceLast = new Map<number, number>();

  /** Decide for one packet of `lane` with its draw u; updates the lane's counter. */
  decide(lane: number, prob: number, gap: number, u: number): boolean {
    const n = this.sinceLast.get(lane) ?? Number.POSITIVE_INFINITY;
    if (prob > 0 && n >= gap && u < prob) {
      this.sinceLast.set(lane, 0);
      return true;
    }
    this.sinceLast.set(lane, n + 1);
    return false;
  }
}
