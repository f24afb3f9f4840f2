/**
 * Loss-based controller, draft-ietf-rmcat-gcc-02 section 6, run on every receiver report with
 * p = fraction lost since the previous report:
 *
 *   p > 10 %  :  As = As · (1 − 0.5 p)
 *   2..10 %   :  As unchanged
 *   p < 2 %   :  As = increaseFactor · As     (gcc-02: 1.05; 1.08 here by default, as libwebrtc)
 */
import type { LossBasedConfig } from './config.ts';

export class LossBasedBwe {
  private est: number;

  constructor(
    startBps: number,
    private readonly cfg: LossBasedConfig,
    private readonly minBps: number,
    private readonly maxBps: number,
  ) {
    this.est = Math.min(maxBps, Math.max(minBps, startBps));
  }

  get estimateBps(): number {
    return this.est;
  }

  /** One report's loss fraction (0..1). */
  onLoss(fraction: number): number {
    let next = this.est;
    if (fraction > this.cfg.highLoss) next = this.est * (1 - 0.5 * fraction);
    else if (fraction < this.cfg.lowLoss) next = this.est * this.cfg.increaseFactor;
    this.est = Math.min(this.maxBps, Math.max(this.minBps, next));
    return this.est;
  }
}
