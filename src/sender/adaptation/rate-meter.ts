/** Bytes per sliding window → kbit/s (the sender's actual send rate for the timeline). */
export class RateMeter {
  private readonly times: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly windowMs = 1000) {}

  add(tMs: number, bytes: number): void {
    this.times.push(tMs);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** kbit/s over (t − window, t]; packets must be added in time order. */
  kbps(tMs: number): number {
    while (this.head < this.times.length && this.times[this.head] <= tMs - this.windowMs) {
      this.bytes -= this.sizes[this.head];
      this.head++;
    }
    if (this.head > 1024) {
      this.times.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
    return (this.bytes * 8) / this.windowMs;
  }
}
