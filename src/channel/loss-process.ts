/**
 * The loss section of the channel as one per-slot process. The Markov chains step once per time
 * slot with a keyed draw (the state sequence is a pure function of the slot index and the
 * scenario's phase timeline); each packet then draws its own loss inside the slot's state.
 *
 * A chain steps only in slots where its model family is in force (gilbert with a mean burst and
 * gilbertElliott share the two-state chain; markov4 has its own), so a phase that changes
 * parameters keeps the state, and a phase that switches model freezes the other chain.
 */
import type { ChannelConfig } from './config.ts';
import { bernoulliLost } from './bernoulli.ts';
import { gilbertFromRateBurst } from './gilbert.ts';
import { TwoStateChain, type GeParams } from './gilbert-elliott.ts';
import { Markov4Chain } from './markov4.ts';

export type LossConfig = ChannelConfig['loss'];

/** The two-state parameters of gilbert / gilbertElliott, or null for the other models. */
export function twoStateParams(loss: LossConfig): GeParams | null {
  if (loss.model === 'gilbertElliott') return { p: loss.p, r: loss.r, lossGood: loss.lossGood, lossBad: loss.lossBad };
  if (loss.model === 'gilbert' && loss.meanBurstPackets !== null) {
    const g = gilbertFromRateBurst(loss.rate, loss.meanBurstPackets);
    return { p: g.p, r: g.r, lossGood: 0, lossBad: 1 };
  }
  return null;
}

export class LossProcess {
  private readonly two = new TwoStateChain();
  private readonly four = new Markov4Chain();
  // The chain parameters of the last configuration seen (configurations are immutable, and
  // without a phase ramp every slot has the same one).
  private paramsOf: LossConfig | null = null;
  private params: GeParams | null = null;

  /** Step the chain in force for one slot; `u` is the slot's chain draw. */
  step(loss: LossConfig, u: number): void {
    if (loss !== this.paramsOf) {
      this.params = twoStateParams(loss);
      this.paramsOf = loss;
    }
    const ge = this.params;
    if (ge) this.two.step(ge.p, ge.r, u);
    else if (loss.model === 'markov4') this.four.step(loss, u);
  }

  /**
   * Fate of one packet in the current slot: `loss` is the configuration the slot was stepped
   * with, `u` the packet's own draw (unused by the state-determined models).
   */
  lost(loss: LossConfig, u: number): boolean {
    switch (loss.model) {
      case 'none':
        return false;
      case 'bernoulli':
        return bernoulliLost(loss.rate, u);
      case 'gilbert':
        // Without a mean burst, gilbert is Bernoulli (meanBurstPackets = 1/(1-rate)).
        return loss.meanBurstPackets === null ? bernoulliLost(loss.rate, u) : this.two.bad;
      case 'gilbertElliott':
        return u < (this.two.bad ? loss.lossBad : loss.lossGood);
      case 'markov4':
        return this.four.lost;
    }
  }
}
