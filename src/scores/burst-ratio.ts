/**
 * BurstR (ITU-T G.107 7.5) from an observed loss sequence.
 *
 * G.107 defines BurstR = (average length of observed bursts) / (average length of bursts
 * expected for random loss); for a 2-state Markov (Gilbert) loss model this is
 * BurstR = 1 / (p + q), with p = P(loss | previous received) and q = P(received | previous lost).
 * p and q are the maximum-likelihood transition estimates of the sequence.
 */

export interface LossTransitions {
  /** P(loss | previous received); NaN when no received frame has a successor. */
  p: number;
  /** P(received | previous lost); NaN when no lost frame has a successor. */
  q: number;
}

/** Maximum-likelihood 2-state transition estimates from consecutive pairs. */
export function fitTwoStateLoss(lost: readonly boolean[]): LossTransitions {
  let fromRecv = 0;
  let recvToLoss = 0;
  let fromLoss = 0;
  let lossToRecv = 0;
  for (let i = 1; i < lost.length; i++) {
    if (lost[i - 1]) {
      fromLoss++;
      if (!lost[i]) lossToRecv++;
    } else {
      fromRecv++;
      if (lost[i]) recvToLoss++;
    }
  }
  return {
    p: fromRecv > 0 ? recvToLoss / fromRecv : Number.NaN,
    q: fromLoss > 0 ? lossToRecv / fromLoss : Number.NaN,
  };
}

/**
 * BurstR = 1 / (p + q) of a boolean loss sequence (true = lost, one entry per frame/packet).
 * Returns 1 when nothing is lost (random-loss convention). When a state has no observed
 * successor its transition cannot be estimated; we then take the value that ends the state
 * immediately (p = 1 for an unobserved received state, q = 1 for an unobserved loss state), so
 * an all-lost sequence gives 1 / (1 + 0) = 1 and a single trailing loss counts as an isolated loss.
 * A one-frame sequence gives 1.
 */
export function burstRFromLossSequence(lost: readonly boolean[]): number {
  if (!lost.some(Boolean)) return 1;
  const { p, q } = fitTwoStateLoss(lost);
  if (Number.isNaN(p) && Number.isNaN(q)) return 1; // a single frame: nothing to fit
  const pp = Number.isNaN(p) ? 1 : p;
  const qq = Number.isNaN(q) ? 1 : q;
  return 1 / (pp + qq);
}
