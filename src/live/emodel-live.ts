/**
 * E-model MOS of a live leg (G.107 via src/scores): Ppl is the share of frames lost after the
 * jitter buffer (concealed), BurstR comes from that frame-loss sequence, Ta = packetization +
 * codec lookahead + network + jitter buffer + device buffer (speech-quality.md section 7A). Opus
 * has only provisional Ie/Bpl entries; scale and entry are the report's
 * (scores/codec-impairments.ts opusImpairment), so a call rates the same live and offline.
 * Only frames of audio the source sent count: concealment of audio never sent (a stream's tail
 * after it stopped, a DTX gap) is left out upstream (leg.ts).
 */
import { opusLookaheadMs, type CodecConfig } from '../codec/config.ts';
import { burstRFromLossSequence, emodelForCall, opusImpairment, type EmodelBandwidth } from '../scores/index.ts';

export interface LiveMos {
  mosCQ: number;
  mosLQ: number;
  R: number;
  pplPercent: number;
  burstR: number;
  mouthToEarMs: number;
  bandwidth: EmodelBandwidth;
}

export interface DelayBudget {
  codec: CodecConfig;
  networkDelayMs: number;
  jitterBufferMs: number;
  deviceBufferMs: number;
}

/** MOS from loss figures already reduced (Ppl in percent, BurstR) over `frames` frames; null for none. */
export function mosFromLoss(loss: { frames: number; pplPercent: number; burstR: number }, d: DelayBudget): LiveMos | null {
  if (loss.frames === 0) return null;
  const entry = opusImpairment(d.codec.sampleRate, d.codec.bitrateKbps);
  if (!entry) return null;
  const burstR = loss.burstR;
  const mouthToEarMs = Math.max(0, d.codec.frameMs + opusLookaheadMs(d.codec) + d.networkDelayMs + d.jitterBufferMs + d.deviceBufferMs);
  const r = emodelForCall({ codecEntry: entry, mouthToEarMs, pplPercent: loss.pplPercent, burstR: Number.isFinite(burstR) && burstR > 0 ? burstR : 1 });
  return { mosCQ: r.mosCQ, mosLQ: r.mosLQ, R: r.R, pplPercent: loss.pplPercent, burstR, mouthToEarMs, bandwidth: entry.bandwidth };
}

export function liveMos(p: DelayBudget & { lost: readonly boolean[] }): LiveMos | null {
  if (p.lost.length === 0) return null;
  let n = 0;
  for (const l of p.lost) if (l) n++;
  return mosFromLoss({ frames: p.lost.length, pplPercent: (100 * n) / p.lost.length, burstR: burstRFromLossSequence(p.lost) }, p);
}
