/**
 * Over-use detector with an adaptive threshold, draft-ietf-rmcat-gcc-02 section 5.4.
 *
 * m(i) > del_var_th(i) for at least overuse_time_th (10 ms) and not decreasing → over-use;
 * m(i) < −del_var_th(i) → under-use; otherwise normal. The threshold follows |m|:
 *
 *   del_var_th(i) = del_var_th(i−1) + Δt · K(i) · (|m(i)| − del_var_th(i−1))
 *
 * with K = K_u when |m| > del_var_th, else K_d (gcc-02: 0.01 / 0.00018; config.ts explains the
 * defaults used with the trendline filter), Δt in ms (capped at 100 ms),
 * clamped to [6, 600] ms, and not updated when |m| exceeds the threshold by more than 15 ms
 * (a sudden spike must not drag the threshold up, section 5.4).
 */

export type BandwidthUsage = 'normal' | 'overusing' | 'underusing';

const MAX_ADAPT_OFFSET_MS = 15;
const MAX_TIME_DELTA_MS = 100;
const MIN_THRESHOLD_MS = 6;
const MAX_THRESHOLD_MS = 600;

export interface OveruseDetectorOptions {
  kUp: number;
  kDown: number;
  initialThresholdMs: number;
  overuseTimeMs: number;
}

export class OveruseDetector {
  private th: number;
  private lastUpdateMs: number | null = null;
  private timeOverUsing = -1;
  private overuseCounter = 0;
  private prevTrend = 0;
  private usage: BandwidthUsage = 'normal';

  constructor(private readonly o: OveruseDetectorOptions = { kUp: 0.01, kDown: 0.00018, initialThresholdMs: 12.5, overuseTimeMs: 10 }) {
    this.th = o.initialThresholdMs;
  }

  /**
   * One modified trend sample m(i); `sendDeltaMs` is the group's send-time delta (the time the
   * over-use condition has lasted grows by it), `nowMs` the time of the sample.
   */
  detect(m: number, sendDeltaMs: number, numDeltas: number, nowMs: number): BandwidthUsage {
    if (numDeltas < 2) return this.usage;
    if (m > this.th) {
      this.timeOverUsing = this.timeOverUsing < 0 ? sendDeltaMs / 2 : this.timeOverUsing + sendDeltaMs;
      this.overuseCounter++;
      if (this.timeOverUsing > this.o.overuseTimeMs && this.overuseCounter > 1 && m >= this.prevTrend) {
        this.timeOverUsing = 0;
        this.overuseCounter = 0;
        this.usage = 'overusing';
      }
    } else if (m < -this.th) {
      this.timeOverUsing = -1;
      this.overuseCounter = 0;
      this.usage = 'underusing';
    } else {
      this.timeOverUsing = -1;
      this.overuseCounter = 0;
      this.usage = 'normal';
    }
    this.prevTrend = m;
    this.updateThreshold(m, nowMs);
    return this.usage;
  }

  private updateThreshold(m: number, nowMs: number): void {
    if (this.lastUpdateMs === null) this.lastUpdateMs = nowMs;
    const abs = Math.abs(m);
    if (abs > this.th + MAX_ADAPT_OFFSET_MS) {
      this.lastUpdateMs = nowMs;
      return;
    }
    const k = abs < this.th ? this.o.kDown : this.o.kUp;
    const dt = Math.min(Math.max(0, nowMs - this.lastUpdateMs), MAX_TIME_DELTA_MS);
    this.th += k * (abs - this.th) * dt;
    this.th = Math.min(MAX_THRESHOLD_MS, Math.max(MIN_THRESHOLD_MS, this.th));
    this.lastUpdateMs = nowMs;
  }

  get state(): BandwidthUsage {
    return this.usage;
  }

  get thresholdMs(): number {
    return this.th;
  }
}
