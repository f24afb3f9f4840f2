/** Splice helpers: how synthetic audio is joined to real audio without clicks. */
import { toInt16 } from './pcm.ts';

/**
 * Make a synthetic block start where the real signal left off.
 *
 * G.711 Appendix I delays its output by 1/4 of the longest pitch period so that the start of a
 * concealment can be overlap-added with the last real samples. Here the receiver plays each frame
 * as soon as it is decoded, so there is no such look-ahead: instead the mismatch between the first
 * synthetic sample and the linear prediction from the last two real samples is subtracted, with a
 * weight falling linearly to zero over `len` samples. With a correct pitch estimate the mismatch is
 * already near zero and the correction does nothing audible.
 */
export function correctOnset(out: Float32Array, len: number, last: number, beforeLast: number): void {
  if (len <= 0) return;
  const predicted = Math.max(-32768, Math.min(32767, 2 * last - beforeLast));
  const err = out[0] - predicted;
  for (let j = 0; j < len; j++) out[j] -= err * (1 - j / len);
}

/**
 * Overlap-add the synthetic continuation `synth[0, len)` into the start of a real frame: the
 * weight of the real signal rises linearly from 1/(len+1) to len/(len+1) (G.711 App. I merge).
 */
export function mergeInto(frame: Int16Array, synth: Float32Array, len: number): void {
  const inv = 1 / (len + 1);
  for (let i = 0; i < len; i++) {
    const w = (i + 1) * inv;
    frame[i] = toInt16((1 - w) * synth[i] + w * frame[i]);
  }
}
