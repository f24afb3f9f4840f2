/**
 * R_hat of draft-ietf-rmcat-gcc-02 section 5.5: the incoming (acknowledged) bitrate measured over
 * a window of T seconds (0.5..1 s), R_hat = (1/T) · Σ L(j) over the packets received in the
 * window, from the arrival times in transport-wide feedback.
 */
export class AckedRate {
  private readonly arrivals: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;
  private firstMs: number | null = null;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly windowMs = 500) {}

  /** A packet of `sizeBytes` arrived at `arrivalMs` (receiver clock, roughly increasing). */
  onPacket(arrivalMs: number, sizeBytes: number): void {
    if (this.firstMs === null) this.firstMs = arrivalMs;
    const t = Math.max(arrivalMs, this.lastMs);
    this.lastMs = t;
    this.arrivals.push(t);
    this.sizes.push(sizeBytes);
    this.bytes += sizeBytes;
    while (this.head < this.arrivals.length && this.arrivals[this.head] <= t - this.windowMs) {
      this.bytes -= this.sizes[this.head];
      this.head++;
    }
    if (this.head > 256) {
      this.arrivals.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Bits per second over the window, null until a full window has been observed. */
  get bps(): number | null {
    if (this.firstMs === null || this.lastMs - this.firstMs < this.windowMs) return null;
    return (this.bytes * 8 * 1000) / this.windowMs;
  }
}
