/**
 * Delay-based rate control, draft-ietf-rmcat-gcc-02 section 5.5. A three-state machine driven by
 * the over-use detector's signal:
 *
 *   signal \ state | Hold      | Increase  | Decrease
 *   over-use       | Decrease  | Decrease  | (stay)
 *   normal         | Increase  | (stay)    | Hold
 *   under-use      | (stay)    | Hold      | Hold
 *
 * Decrease: A = beta · R_hat (beta 0.85, R_hat the acknowledged incoming rate), then Hold. A
 * further decrease waits one RTT (clamped to 10..200 ms) unless R_hat has halved.
 * Increase: multiplicative, A ·= 1.08^min(Δt/1 s, 1), while far from convergence; additive near
 * it, at most half a packet per response time (100 ms + RTT), floor 1 kbit/s per second.
 * "Near convergence": R_hat within three standard deviations of the average R_hat seen at the
 * decreases. The estimate never exceeds 1.5 · R_hat + 10 kbit/s (the sender must not run away
 * from what it actually sends; the 10 kbit/s lets a low-rate audio stream still probe upward).
 */
import type { BandwidthUsage } from './overuse-detector.ts';

export type RateControlState = 'hold' | 'increase' | 'decrease';

const MIN_ADDITIVE_BPS_PER_S = 0;
const CONVERGENCE_EWMA = 0.05;

export interface AimdOptions {
  beta: number;
  minBps: number;
  maxBps: number;
}

export class AimdRateControl {
  private st: RateControlState = 'hold';
  private est: number;
  private lastUpdateMs: number | null = null;
  private lastDecreaseMs: number | null = null;
  private avgMaxBps: number | null = null;
  private varMaxBps = 0;

  constructor(
    startBps: number,
    private readonly o: AimdOptions,
  ) {
    this.est = clamp(startBps, o.minBps, o.maxBps);
  }

  get estimateBps(): number {
    return this.est;
  }

  get state(): RateControlState {
    return this.st;
  }

  /**
   * Applies one detector signal at `nowMs`. `ackedBps` is R_hat (null while unknown),
   * `rttMs` the latest round-trip time, `packetBits` the typical packet size.
   */
  update(signal: BandwidthUsage, ackedBps: number | null, nowMs: number, rttMs: number, packetBits: number): number {
    this.transition(signal);
    const dt = this.lastUpdateMs === null ? 0 : Math.max(0, nowMs - this.lastUpdateMs);
    let next = this.est;
    if (this.st === 'increase') {
      if (ackedBps !== null && this.avgMaxBps !== null && ackedBps > this.avgMaxBps + 3 * this.stdMaxBps()) {
        this.avgMaxBps = null; // the path changed: far from convergence again
      }
      if (this.nearConvergence(ackedBps)) {
        const responseS = (100 + rttMs) / 1000;
        const perS = Math.max(MIN_ADDITIVE_BPS_PER_S, (0.5 * packetBits) / responseS);
        next = this.est + (perS * dt) / 1000;
      } else {
        next = this.est * 1.08 ** Math.min(dt / 1000, 1);
      }
      if (ackedBps !== null) next = Math.min(next, Math.max(this.est, 1.5 * ackedBps + 10_000));
    } else if (this.st === 'decrease') {
      const rtt = Math.min(200, Math.max(10, rttMs));
      const mayDecrease =
        this.lastDecreaseMs === null || nowMs - this.lastDecreaseMs >= rtt || (ackedBps !== null && ackedBps < 0.5 * this.est);
      if (mayDecrease) {
        const base = ackedBps ?? this.est;
        next = Math.min(this.est, this.o.beta * base);
        if (ackedBps !== null) this.noteDecreaseRate(ackedBps);
        this.lastDecreaseMs = nowMs;
      }
      this.st = 'hold';
    }
    this.est = clamp(next, this.o.minBps, this.o.maxBps);
    this.lastUpdateMs = nowMs;
    return this.est;
  }

  private transition(signal: BandwidthUsage): void {
    if (signal === 'overusing') {
      if (this.st !== 'decrease') this.st = 'decrease';
    } else if (signal === 'normal') {
      if (this.st === 'hold') this.st = 'increase';
      else if (this.st === 'decrease') this.st = 'hold';
    } else {
      this.st = 'hold';
    }
  }

  private stdMaxBps(): number {
    // At least 10% of the average, so one sample does not make "near" a single point.
    return Math.max(Math.sqrt(this.varMaxBps), 0.1 * (this.avgMaxBps ?? 0));
  }

  private nearConvergence(ackedBps: number | null): boolean {
    if (this.avgMaxBps === null || ackedBps === null) return false;
    return Math.abs(ackedBps - this.avgMaxBps) <= 3 * this.stdMaxBps();
  }

  private noteDecreaseRate(bps: number): void {
    if (this.avgMaxBps === null) {
      this.avgMaxBps = bps;
      this.varMaxBps = 0;
      return;
    }
    const a = CONVERGENCE_EWMA;
    const diff = bps - this.avgMaxBps;
    this.avgMaxBps += a * diff;
    this.varMaxBps = (1 - a) * (this.varMaxBps + a * diff * diff);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
