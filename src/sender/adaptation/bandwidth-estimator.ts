/**
 * The sender's bandwidth estimate: the minimum of the loss-based estimate (gcc-02 section 6, on
 * receiver reports) and the delay-based one (section 5, on transport-wide feedback), as in
 * gcc-02 section 6 ("the final estimate is the minimum of the two"). Rates are wire rates (bit/s).
 */
import type { AdaptationConfig } from './config.ts';
import { DelayBasedBwe, type DelayBasedState } from './delay-based-bwe.ts';
import { LossBasedBwe } from './loss-based-bwe.ts';
import type { PacketResult } from './sent-packet-history.ts';

/** RTT assumed until the first receiver report gives one (ms). */
export const DEFAULT_RTT_MS = 200;

export class BandwidthEstimator {
  private readonly loss: LossBasedBwe;
  private readonly delay: DelayBasedBwe;
  private rtt: number | null = null;
  private lastLoss: number | null = null;

  constructor(
    private readonly cfg: AdaptationConfig,
    startBps: number,
    readonly minBps: number,
    readonly maxBps: number,
  ) {
    this.loss = new LossBasedBwe(startBps, cfg.lossBased, minBps, maxBps);
    this.delay = new DelayBasedBwe(cfg.delayBased, startBps, minBps, maxBps);
  }

  onTransportFeedback(results: readonly PacketResult[], nowMs: number): DelayBasedState {
    return this.delay.onFeedback(results, nowMs, this.rttMs);
  }

  /** A receiver report: loss fraction since the previous one (0..1) and the RTT it gave (ms) if any. */
  onReceiverReport(fractionLost: number, rttMs: number | null): void {
    if (rttMs !== null && rttMs >= 0) this.rtt = rttMs;
    this.lastLoss = fractionLost;
    this.loss.onLoss(fractionLost);
  }

  get rttMs(): number {
    return this.rtt ?? DEFAULT_RTT_MS;
  }

  get measuredRttMs(): number | null {
    return this.rtt;
  }

  get reportedLoss(): number | null {
    return this.lastLoss;
  }

  get lossBasedBps(): number {
    return this.loss.estimateBps;
  }

  get delayBasedBps(): number {
    return this.delay.state.estimateBps;
  }

  get delayState(): DelayBasedState {
    return this.delay.state;
  }

  get estimateBps(): number {
    const d = this.cfg.delayBased.enabled ? this.delay.state.estimateBps : Infinity;
    return Math.min(this.maxBps, Math.max(this.minBps, Math.min(this.loss.estimateBps, d)));
  }
}
