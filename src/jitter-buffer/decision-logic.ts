/**
 * NetEq `DecisionLogic` for an expected packet (research notes section 1; decision_logic.cc),
 * one decision per 10 ms tick: with a playout delay (how late, relative to the fastest packet of
 * the arrival history, the sample now due for playout is played) at or above high = target + max
 * relative delay of the history + 20 ms, accelerate; below low = target, preemptive expand. A
 * successful stretch blocks the next one for `MIN_TIMESCALE_INTERVAL_TICKS` ticks counted from
 * the tick after it (about 100 ms/s of stretching at most); so does the start of the call. A
 * playout delay of 4 x high or more accelerates at once, hold-off or not (fast accelerate, which
 * removes several periods, only when enabled).
 */
/** kMinTimescaleInterval (ticks). */
export const MIN_TIMESCALE_INTERVAL_TICKS = 5;
/** Added to the high limit (NetEq kDelayAdjustmentGranularityMs). */
export const HIGH_LIMIT_MARGIN_MS = 20;
/** After long expansion or comfort noise, decoding waits until this fraction of the target is buffered (kPostponeDecodingLevel). */
export const POSTPONE_DECODING_LEVEL = 0.5;
/** With a gap before the next held frame, keep expanding unless the buffer exceeds target + this (kTargetLevelWindowMs / 2). */
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
  /** First tick at which a time-stretch is allowed (a countdown of interval + 1 from the start). */
  private allowedFromTick = MIN_TIMESCALE_INTERVAL_TICKS + 1;

  constructor(private readonly enableFastAccelerate: boolean) {}

  timescaleAllowed(tick: number): boolean {
    return tick >= this.allowedFromTick;
  }

  /** The previous tick's stretch succeeded (seen at `tick`): start the hold-off. */
  stretched(tick: number): void {
    this.allowedFromTick = tick + MIN_TIMESCALE_INTERVAL_TICKS;
  }

  /** The op for the expected frame at `tick`; `allowed` is false right after expand, for DTX or with time-stretching off. */
  expectedFrame(playoutDelayMs: number, limits: StretchLimits, allowed: boolean, tick: number): StretchOp {
    if (!allowed) return 'normal';
    if (playoutDelayMs >= 4 * limits.highMs) return this.enableFastAccelerate ? 'fastAccelerate' : 'accelerate';
    if (!this.timescaleAllowed(tick)) return 'normal';
    if (playoutDelayMs >= limits.highMs) return 'accelerate';
    if (playoutDelayMs < limits.lowMs) return 'preemptiveExpand';
    return 'normal';
  }
}
