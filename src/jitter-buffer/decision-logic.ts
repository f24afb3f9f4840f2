/**
 * NetEq `DecisionLogic` for an expected packet (research notes section 1): with a playout delay
 * (buffered media from the cursor plus the sync buffer) at or above high = target + max relative
 * delay of the history + 20 ms, accelerate; below low = target, preemptive expand; at least
 * `MIN_TICKS_BETWEEN_STRETCH` calls between two stretches (about 100 ms/s of stretching at most).
 * Fast accelerate (delay >= 4 x high) ignores the hold-off when enabled.
 */
export const MIN_TICKS_BETWEEN_STRETCH = 5;
/** Added to the high limit (NetEq kDelayAdjustmentGranularityMs). */
export const HIGH_LIMIT_MARGIN_MS = 20;
/** After expand or comfort noise, decoding waits until this fraction of the target is buffered. */
export const POSTPONE_DECODING_LEVEL = 0.5;
/** With a gap before the next held frame, keep expanding unless the buffer exceeds target + this. */
export const GAP_SKIP_MARGIN_MS = 50;

export interface StretchLimits {
  lowMs: number;
  highMs: number;
}

export type StretchOp = 'normal' | 'accelerate' | 'fastAccelerate' | 'preemptiveExpand';

export function stretchLimits(targetMs: number, maxHistoryDelayMs: number): StretchLimits {
  return { lowMs: targetMs, highMs: targetMs + maxHistoryDelayMs + HIGH_LIMIT_MARGIN_MS };
}

export class DecisionLogic {
  private ticksSinceStretch = Infinity;

  constructor(private readonly enableFastAccelerate: boolean) {}

  /** Count one playout call (NetEq's tick timer). */
  tick(): void {
    this.ticksSinceStretch++;
  }

  /** The op for an expected frame; `allowed` is false outside talkspurts or with time-stretching off. */
  expectedFrame(playoutDelayMs: number, limits: StretchLimits, allowed: boolean): StretchOp {
    if (!allowed) return 'normal';
    let op: StretchOp = 'normal';
    if (this.enableFastAccelerate && playoutDelayMs >= 4 * limits.highMs) op = 'fastAccelerate';
    else if (this.ticksSinceStretch >= MIN_TICKS_BETWEEN_STRETCH) {
      if (playoutDelayMs >= limits.highMs) op = 'accelerate';
      else if (playoutDelayMs < limits.lowMs) op = 'preemptiveExpand';
    }
    if (op !== 'normal') this.ticksSinceStretch = 0;
    return op;
  }
}
