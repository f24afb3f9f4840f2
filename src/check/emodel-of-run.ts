/**
 * The E-model rating of one variant run from its aggregates (speech-quality.md section 7A, as
 * src/scores/emodel-call.ts implements it): Ta = mouth-to-ear delay, Ppl = effective loss (lost
 * or late, after FEC), BurstR from the post-jitter-buffer loss sequence of the media frames (DTX
 * frames the sender never sent are not part of it), Ie/Bpl from the codec table on the scale of
 * the codec's sample rate (48 kHz: G.107.2 fullband; 16/24 kHz: G.107.1 wideband; 8/12 kHz:
 * G.107 narrowband). The scale falls back to a narrower one when the table has no entry.
 */
import { burstRFromLossSequence, emodelForCall, findCodecImpairment, type CallRating, type EmodelBandwidth } from '../scores/index.ts';
import { FRAME_OUTCOMES } from '../sim/records.ts';
import type { VariantResult } from '../sim/run-scenario.ts';

const CONCEALED = FRAME_OUTCOMES.indexOf('concealed');
const UNPLAYED = FRAME_OUTCOMES.indexOf('unplayed');

function scaleOrder(sampleRate: number): EmodelBandwidth[] {
  if (sampleRate >= 48000) return ['fb', 'wb', 'nb'];
  if (sampleRate >= 16000) return ['wb', 'nb'];
  return ['nb'];
}

/** true per sent media frame when it was concealed at playout. */
export function playedLossSequence(v: VariantResult): boolean[] {
  const sent = new Uint8Array(v.run.frameOutcome.length);
  for (const p of v.run.packets) if (p.kind === 'media' && p.frameIndex >= 0 && p.frameIndex < sent.length) sent[p.frameIndex] = 1;
  const out: boolean[] = [];
  for (let i = 0; i < sent.length; i++) {
    if (!sent[i]) continue;
    const o = v.run.frameOutcome[i];
    out.push(o === CONCEALED || o === UNPLAYED);
  }
  return out;
}

export function emodelForVariant(v: VariantResult): CallRating | null {
  const codec = v.variant.sender.codec;
  const entry = scaleOrder(codec.sampleRate)
    .map((bw) => findCodecImpairment('opus', bw, codec.bitrateKbps))
    .find((e) => e !== undefined);
  if (!entry) return null;
  const eff = v.aggregates.playout.effectiveLoss;
  const m2e = v.aggregates.latency.mouthToEarMs;
  if (!Number.isFinite(eff) || !Number.isFinite(m2e)) return null;
  return emodelForCall({
    codecEntry: entry,
    mouthToEarMs: Math.max(0, m2e),
    pplPercent: Math.min(100, Math.max(0, eff * 100)),
    burstR: burstRFromLossSequence(playedLossSequence(v)),
  });
}
