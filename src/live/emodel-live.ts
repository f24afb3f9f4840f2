/**
 * E-model MOS over the last seconds of a live leg (G.107 via src/scores): Ppl is the share of
 * frames lost after the jitter buffer (concealed), BurstR comes from that frame-loss sequence,
 * Ta = packetization + codec lookahead + network + jitter buffer + device buffer
 * (speech-quality.md section 7A). Opus has only provisional Ie/Bpl entries; scale and entry are
 * the report's (scores/codec-impairments.ts opusImpairment), so a call rates the same live and offline.
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

export function liveMos(p: {
  lost: readonly boolean[];
  codec: CodecConfig;
  networkDelayMs: number;
  jitterBufferMs: number;
  deviceBufferMs: number;
}): LiveMos | null {
  if (p.lost.length === 0) return null;
  const entry = opusImpairment(p.codec.sampleRate, p.codec.bitrateKbps);
  if (!entry) return null;
  let n = 0;
  for (const l of p.lost) if (l) n++;
  const pplPercent = (100 * n) / p.lost.length;
  const burstR = burstRFromLossSequence(p.lost);
  const mouthToEarMs = Math.max(0, p.codec.frameMs + opusLookaheadMs(p.codec) + p.networkDelayMs + p.jitterBufferMs + p.deviceBufferMs);
  const r = emodelForCall({ codecEntry: entry, mouthToEarMs, pplPercent, burstR: Number.isFinite(burstR) && burstR > 0 ? burstR : 1 });
  return { mosCQ: r.mosCQ, mosLQ: r.mosLQ, R: r.R, pplPercent, burstR, mouthToEarMs, bandwidth: entry.bandwidth };
}
