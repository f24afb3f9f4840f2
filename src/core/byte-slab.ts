/**
 * Small byte arrays carved out of larger blocks. A typed array of more than 64 bytes gets its own
 * off-heap backing store, which costs an allocation, a registration with the GC and a sweep when
 * it dies: several times the cost of filling it. A per-packet buffer (an RTP packet is ~70 bytes)
 * is a view into a shared block instead; a block is freed once no view into it is alive. Blocks
 * are small (a live sender that has gone quiet keeps at most its last block alive through the
 * packets still held downstream) and the first is made on first use (a listen-only member's sender
 * costs nothing).
 */
export class ByteSlab {
  private block: Uint8Array | null = null;
  private used = 0;

  constructor(private readonly blockBytes = 16 * 1024) {}

  /** A zero-filled view of `n` bytes, not shared with any other view this slab returned. */
  take(n: number): Uint8Array {
    if (n > this.blockBytes >> 2) return new Uint8Array(n);
    if (this.block === null || this.used + n > this.block.length) {
      this.block = new Uint8Array(this.blockBytes);
      this.used = 0;
    }
    const v = this.block.subarray(this.used, this.used + n);
    this.used += n;
    return v;
  }
}
