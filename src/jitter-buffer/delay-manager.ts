import { PacketArrivalHistory } from './packet-arrival-history.ts';
import { ReorderOptimizer } from './reorder-optimizer.ts';
import { UnderrunOptimizer } from './underrun-optimizer.ts';

export interface DelayManagerConfig {
  quantile: number;
  forgetFactor: number;
  startForgetWeight: number;
  resampleIntervalMs: number;
  reorderOptimizer: boolean;
  reorderForgetFactor: number;
  msPerLossPercent: number;
  startDelayMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxPacketsInBuffer: number;
}

/**
 * NetEq `DelayManager` (research notes section 1): every arrival updates the relative-delay
 * history; in-order packets feed the UnderrunOptimizer, all packets the ReorderOptimizer; the
 * target is the larger of the two (start delay until the first histogram sample), clamped to
 * [minDelay, maxDelay] and to 75 % of what maxPacketsInBuffer frames can hold. As upstream
 * (DecisionLogic::PacketArrived), no estimate is updated before the history holds two packets.
 */
export class DelayManager {
  readonly history: PacketArrivalHistory;
  private readonly underrun: UnderrunOptimizer;
  private readonly reorder: ReorderOptimizer | null;
  private target: number;
  private unlimited: number;

  constructor(
    private readonly cfg: DelayManagerConfig,
    clockRate: number,
    private readonly frameMs: number,
  ) {
    this.history = new PacketArrivalHistory(clockRate, 2000);
    const w = cfg.startForgetWeight > 0 ? cfg.startForgetWeight : null;
    this.underrun = new UnderrunOptimizer(cfg.quantile, cfg.forgetFactor, w, cfg.resampleIntervalMs);
    this.reorder = cfg.reorderOptimizer ? new ReorderOptimizer(cfg.reorderForgetFactor, w, cfg.msPerLossPercent) : null;
    this.unlimited = cfg.startDelayMs;
    this.target = this.clamp(cfg.startDelayMs);
  }

  /** Back to the start delay with empty statistics (NetEq's SoftReset when decoding starts). */
  reset(): void {
    this.history.reset();
    this.underrun.reset();
    this.reorder?.reset();
    this.unlimited = this.cfg.startDelayMs;
    this.target = this.clamp(this.cfg.startDelayMs);
  }

  private clamp(ms: number): number {
    let t = Math.max(ms, this.cfg.minDelayMs);
    if (this.cfg.maxDelayMs > 0) t = Math.min(t, this.cfg.maxDelayMs);
    return Math.min(t, 0.75 * this.cfg.maxPacketsInBuffer * this.frameMs);
  }

  /**
   * One packet arrives (`durationTs`: its media length); returns its relative delay (ms), or null
   * if the history rejected it or holds fewer than two packets.
   */
  update(timestamp: number, arrivalMs: number, durationTs = 0): number | null {
    const ins = this.history.insert(timestamp, arrivalMs, durationTs);
    if (!ins.accepted || this.history.size < 2) return null;
    const rel = this.history.delayMs(timestamp, arrivalMs);
    if (!ins.reordered) this.underrun.update(rel, arrivalMs);
    let t = this.underrun.optimalDelayMs ?? this.cfg.startDelayMs;
    if (this.reorder) {
      this.reorder.update(rel, ins.reordered, t);
      t = Math.max(t, this.reorder.optimalDelayMs ?? 0);
    }
    this.unlimited = t;
    this.target = this.clamp(t);
    return rel;
  }

  /** Target buffer level (ms), clamped. */
  get targetMs(): number {
    return this.target;
  }

  /** The two optimizers' delays (ms; null before their first sample), for reports and tests. */
  get optimizerDelaysMs(): { underrun: number | null; reorder: number | null } {
    return { underrun: this.underrun.optimalDelayMs, reorder: this.reorder?.optimalDelayMs ?? null };
  }

  /** Target before the min/max clamp (W3C jitterBufferMinimumDelay analogue). */
  get unlimitedTargetMs(): number {
    return this.unlimited;
  }
}
