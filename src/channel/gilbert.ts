/**
 * Simple Gilbert loss from a long-run rate L and a mean burst length B (channel-models.md
 * section 2): Bad loses every packet, Good none; r = 1/B, p = L/(B(1-L)).
 * B = 1/(1-L) is Bernoulli; B < L/(1-L) would need p > 1 and is rejected.
 */
import { JitterlabError } from '../core/errors.ts';

export interface GilbertParams {
  p: number;
  r: number;
}

/** p and r of the simple Gilbert chain; throws JitterlabError('scenario') when infeasible. */
export function gilbertFromRateBurst(rate: number, meanBurstPackets: number): GilbertParams {
  if (!(meanBurstPackets >= 1)) throw new JitterlabError('scenario', `channel.loss.meanBurstPackets must be >= 1 (got ${meanBurstPackets})`);
  const r = 1 / meanBurstPackets;
  const p = rate >= 1 ? Infinity : rate / (meanBurstPackets * (1 - rate));
  if (!(p <= 1)) {
    const min = rate >= 1 ? Infinity : rate / (1 - rate);
    throw new JitterlabError(
      'scenario',
      `channel.loss: gilbert with rate ${rate} needs meanBurstPackets >= rate/(1-rate) = ${min.toPrecision(4)} (got ${meanBurstPackets}); a shorter mean burst is impossible (p would exceed 1)`,
    );
  }
  return { p, r };
}

/** Long-run loss p/(p+r) (= L by construction). */
export function gilbertLoss(g: GilbertParams): number {
  return g.p + g.r === 0 ? 0 : g.p / (g.p + g.r);
}

/** Mean loss burst 1/r (= B by construction). */
export function gilbertMeanBurst(g: GilbertParams): number {
  return 1 / g.r;
}
