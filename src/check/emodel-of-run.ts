/**
 * The E-model rating of one in-memory variant run, computed by the report's own function
 * (src/report/scores-for-run.ts `emodelForVariant`) so a sweep point, a check and a run report
 * give the same MOS for the same call: Ta = mouth-to-ear delay, Ppl = effective loss, BurstR from
 * the post-recovery frame sequence, Ie/Bpl from the codec table (G.107.1 wideband at >= 16 kHz).
 * That function reads a results.json variant; only the fields it uses are built here (cheaply:
 * no timeline, no packet list).
 */
import { emodelForVariant as emodelOfResults, type EmodelScores } from '../report/scores-for-run.ts';
import type { VariantResultsJson } from '../report/results.ts';
import { FRAME_OUTCOMES } from '../sim/records.ts';
import type { VariantResult } from '../sim/run-scenario.ts';

/** The subset of a results.json variant that the E-model reads. */
export function emodelView(v: VariantResult): Pick<VariantResultsJson, 'sender' | 'frames' | 'playout' | 'latency'> {
  const a = v.aggregates;
  return {
    sender: v.variant.sender as unknown as Record<string, unknown>,
    frames: { outcomes: [...FRAME_OUTCOMES], outcome: Array.from(v.run.frameOutcome, (o) => o.toString(36)).join(''), playoutMs: [] },
    playout: { ...a.playout, frames: a.playout.frames, effectiveLoss: a.playout.effectiveLoss, playoutDelayMs: a.playout.playoutDelayMs, jitterBufferDelayMs: a.playout.jitterBufferDelayMs },
    latency: { ...a.latency },
  };
}

export function emodelForVariant(v: VariantResult): EmodelScores | null {
  const a = v.aggregates;
  if (!Number.isFinite(a.playout.effectiveLoss) || !Number.isFinite(a.latency.mouthToEarMs)) return null;
  return emodelOfResults(emodelView(v) as VariantResultsJson).emodel;
}
