/**
 * Independent (Bernoulli) loss: each packet is lost with probability L, from its own keyed draw.
 */

/** Lost when the packet's uniform draw falls below the rate (netem `loss random P`: U < P). */
export function bernoulliLost(rate: number, u: number): boolean {
  return u < rate;
}

/** Long-run loss of the Bernoulli model. */
export function bernoulliLoss(rate: number): number {
  return rate;
}

/** Mean length of a run of consecutive losses: geometric, 1/(1 - L). */
export function bernoulliMeanBurst(rate: number): number {
  return 1 / (1 - rate);
}
