/**
 * The delay-based estimator of draft-ietf-rmcat-gcc-02 section 5, run at the sender on
 * transport-wide feedback: packet groups (5.2) → trendline delay gradient (in place of the
 * Kalman filter of 5.3) → over-use detector with adaptive threshold (5.4) → AIMD rate control
 * (5.5) with R_hat the acknowledged rate.
 */
import { AckedRate } from './acked-rate.ts';
import { AimdRateControl, type RateControlState } from './aimd-rate-control.ts';
import type { DelayBasedConfig } from './config.ts';
import { InterArrival } from './inter-arrival.ts';
import { OveruseDetector, type BandwidthUsage } from './overuse-detector.ts';
import type { PacketResult } from './sent-packet-history.ts';
import { TrendlineFilter } from './trendline.ts';

export interface DelayBasedState {
  estimateBps: number;
  usage: BandwidthUsage;
  rateControl: RateControlState;
  ackedBps: number | null;
  trendMs: number;
  thresholdMs: number;
}

export class DelayBasedBwe {
  private readonly interArrival: InterArrival;
  private readonly trendline: TrendlineFilter;
  private readonly detector: OveruseDetector;
  private readonly aimd: AimdRateControl;
  private readonly acked: AckedRate;
  private meanPacketBytes = 100;

  constructor(
    private readonly cfg: DelayBasedConfig,
    startBps: number,
    minBps: number,
    maxBps: number,
  ) {
    this.interArrival = new InterArrival(cfg.burstMs);
    this.trendline = new TrendlineFilter(cfg.windowGroups, cfg.smoothing, cfg.gain);
    this.detector = new OveruseDetector({ kUp: cfg.kUp, kDown: cfg.kDown, initialThresholdMs: cfg.initialThresholdMs, overuseTimeMs: cfg.overuseTimeMs });
    this.aimd = new AimdRateControl(startBps, { beta: cfg.beta, minBps, maxBps });
    this.acked = new AckedRate(cfg.rateWindowMs);
  }

  /** The packets one feedback reports on (send order), processed at sender time `nowMs`. */
  onFeedback(results: readonly PacketResult[], nowMs: number, rttMs: number): DelayBasedState {
    let received = 0;
    for (const r of [...results].sort((a, b) => a.seq - b.seq)) {
      if (r.arrivalMs === null) continue;
      received++;
      this.meanPacketBytes += (r.sizeBytes - this.meanPacketBytes) / 16;
      this.acked.onPacket(r.arrivalMs, r.sizeBytes);
      const d = this.interArrival.onPacket(r.sendMs, r.arrivalMs);
      if (d === null) continue;
      const m = this.trendline.update(d.arrivalDeltaMs, d.sendDeltaMs, d.arrivalMs);
      this.detector.detect(m, d.sendDeltaMs, this.trendline.numDeltas, d.arrivalMs);
    }
    if (received > 0 && this.cfg.enabled) {
      this.aimd.update(this.detector.state, this.acked.bps, nowMs, rttMs, this.meanPacketBytes * 8);
    }
    return this.state;
  }

  get state(): DelayBasedState {
    return {
      estimateBps: this.aimd.estimateBps,
      usage: this.detector.state,
      rateControl: this.aimd.state,
      ackedBps: this.acked.bps,
      trendMs: this.trendline.modifiedTrend,
      thresholdMs: this.detector.thresholdMs,
    };
  }
}
