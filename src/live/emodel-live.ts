/**
 * E-model MOS over the last seconds of a live leg (G.107 via src/scores): Ppl is the share of
 * frames lost after the jitter buffer (concealed), BurstR comes from that frame-loss sequence,
 * Ta = packetization + codec lookahead + network + jitter buffer + device buffer
 * (speech-quality.md section 7A). Opus has only provisional Ie/Bpl entries; the scale follows
 * the codec's sample rate (48 kHz fullband G.107.2, 16/24 kHz wideband G.107.1, else G.107).
 */
import { opusLookaheadMs, type CodecConfig } from '../codec/config.ts';
import { burstRFromLossSequence, emodelForCall, findCodecImpairment, type CodecImpairment, type EmodelBandwidth } from '../scores/index.ts';

export interface LiveMos {
  mosCQ: number;
  mosLQ: number;
  R: number;
  pplPercent: number;
  burstR: number;
  mouthToEarMs: number;
  bandwidth: EmodelBandwidth;
}

function bandwidthOf(rate: number): EmodelBandwidth {
  if (rate >= 32000) return 'fb';
  if (rate >= 16000) return 'wb';
  return 'nb';
}

/** The Opus table entry for this codec setting, falling back to a narrower scale when missing. */
export function opusEntry(codec: CodecConfig): CodecImpairment | null {
  const order: EmodelBandwidth[] = ['fb', 'wb', 'nb'];
  for (const bw of order.slice(order.indexOf(bandwidthOf(codec.sampleRate)))) {
    const e = findCodecImpairment('opus', bw, codec.bitrateKbps) ?? findCodecImpairment('opus', bw);
    if (e) return e;
  }
  return null;
}

export function liveMos(p: {
  lost: readonly boolean[];
  codec: CodecConfig;
  networkDelayMs: number;
  jitterBufferMs: number;
  deviceBufferMs: number;
}): LiveMos | null {
  if (p.lost.length === 0) return null;
  const entry = opusEntry(p.codec);
  if (!entry) return null;
  let n = 0;
  for (const l of p.lost) if (l) n++;
  const pplPercent = (100 * n) / p.lost.length;
  const burstR = burstRFromLossSequence(p.lost);
  const mouthToEarMs = Math.max(0, p.codec.frameMs + opusLookaheadMs(p.codec) + p.networkDelayMs + p.jitterBufferMs + p.deviceBufferMs);
  const r = emodelForCall({ codecEntry: entry, mouthToEarMs, pplPercent, burstR: Number.isFinite(burstR) && burstR > 0 ? burstR : 1 });
  return { mosCQ: r.mosCQ, mosLQ: r.mosLQ, R: r.R, pplPercent, burstR, mouthToEarMs, bandwidth: entry.bandwidth };
}
