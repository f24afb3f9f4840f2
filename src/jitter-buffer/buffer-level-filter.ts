/**
 * NetEq `BufferLevelFilter` (research notes section 1): an EWMA of the buffer level whose
 * smoothing factor (out of 256) grows with the target level: 251 for targets up to 20 ms, 252 up
 * to 60 ms, 253 up to 140 ms, else 254. Samples removed or added by time-stretching are applied
 * to the filtered value at once, so a stretch is not "seen" again through the filter's lag.
 */
export class BufferLevelFilter {
  private factor = 253 / 256;
  private filtered = 0;

  setTargetLevelMs(targetMs: number): void {
    const q = targetMs <= 20 ? 251 : targetMs <= 60 ? 252 : targetMs <= 140 ? 253 : 254;
    this.factor = q / 256;
  }

  /** `stretchedMs` > 0: audio removed by accelerate; < 0: audio added by preemptive expand. */
  update(levelMs: number, stretchedMs: number): void {
    this.filtered = Math.max(0, this.factor * this.filtered + (1 - this.factor) * levelMs - stretchedMs);
  }

  get filteredLevelMs(): number {
    return this.filtered;
  }

  get smoothingFactor(): number {
    return this.factor;
  }
}
