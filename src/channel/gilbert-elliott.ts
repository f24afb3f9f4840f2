/**
 * Gilbert-Elliott two-state loss (channel-models.md section 1, "GE model"; Elliott 1963).
 * The state (Good/Bad) sets the loss probability of the packets sent in a slot (Good: 1-k,
 * Bad: 1-h); the transitions (G->B with p, B->G with r) set the next slot's state.
 *
 * Time-based variant (design-notes "Randomness"): the chain steps once per time slot with a
 * keyed draw, so the state sequence is a pure function of the slot index, and every packet sent
 * within a slot shares the slot's state; each packet then draws its own loss inside that state.
 */
import { JitterlabError } from '../core/errors.ts';

export interface GeParams {
  p: number;
  r: number;
  lossGood: number;
  lossBad: number;
}

/** pi_B = p/(p+r); a chain that never moves (p = r = 0) stays Good. */
export function geStationaryBad(p: number, r: number): number {
  return p + r === 0 ? 0 : p / (p + r);
}

/** Long-run loss: [(1-k) r + (1-h) p] / (p + r). */
export function geStationaryLoss(g: GeParams): number {
  const b = geStationaryBad(g.p, g.r);
  return (1 - b) * g.lossGood + b * g.lossBad;
}

/**
 * Mean length of a run of consecutive losses, one packet per slot:
 * P(loss) / P(received at k-1 and lost at k) (each run starts with exactly one such pair).
 * With lossGood = 0 this is 1/(1 - (1-r)(1-h)) (channel-models.md section 2).
 */
export function geMeanLossRun(g: GeParams): number {
  const b = geStationaryBad(g.p, g.r);
  const gd = 1 - b;
  const eG = g.lossGood;
  const eB = g.lossBad;
  const starts = gd * (1 - eG) * ((1 - g.p) * eG + g.p * eB) + b * (1 - eB) * (g.r * eG + (1 - g.r) * eB);
  const loss = gd * eG + b * eB;
  return loss === 0 ? 0 : starts === 0 ? Infinity : loss / starts;
}

/** The two-state chain, stepped once per slot. */
export class TwoStateChain {
  private started = false;
  private isBad = false;

  get bad(): boolean {
    if (!this.started) throw new JitterlabError('internal', 'gilbert-elliott: chain read before its first step');
    return this.isBad;
  }

  get initialized(): boolean {
    return this.started;
  }

  /** One slot: the first step draws the stationary state, later ones transition. */
  step(p: number, r: number, u: number): boolean {
    if (!this.started) {
      this.started = true;
      this.isBad = u < geStationaryBad(p, r);
    } else if (this.isBad) {
      if (u < r) this.isBad = false;
    } else if (u < p) {
      this.isBad = true;
    }
    return this.isBad;
  }
}
