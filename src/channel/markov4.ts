/**
 * netem's 4-state Markov loss (`loss state p13 p31 p32 p23 p14`; Salsano et al., NetemCLG):
 * 1 = received in gap, 2 = received in burst, 3 = lost in burst, 4 = isolated loss.
 * Transitions, one uniform per step (channel-models.md section 1):
 *   1: U < p14 -> 4; U < p14 + p13 -> 3; else stay.   2: U < p23 -> 3; else stay.
 *   3: U < p32 -> 2; U < p32 + p31 -> 1; else stay.   4: -> 1.
 * The state after the step decides the fate: 3 and 4 are lost.
 * Stepped once per time slot (design-notes "Randomness"); packets of a slot share its state.
 */
import { JitterlabError } from '../core/errors.ts';

export interface Markov4Params {
  p13: number;
  p31: number;
  p32: number;
  p23: number;
  p14: number;
}

export type Markov4State = 1 | 2 | 3 | 4;

/** Stationary probabilities [pi1, pi2, pi3, pi4], D = p23 p31 + p13 p32 + p13 p23 + p14 p23 p31. */
export function markov4Stationary(m: Markov4Params): [number, number, number, number] {
  const a1 = m.p23 * m.p31;
  const a2 = m.p13 * m.p32;
  const a3 = m.p13 * m.p23;
  const a4 = m.p14 * m.p23 * m.p31;
  const d = a1 + a2 + a3 + a4;
  if (d === 0) return [1, 0, 0, 0]; // degenerate chain: start (and stay) in the gap
  return [a1 / d, a2 / d, a3 / d, a4 / d];
}

/** Long-run loss pi3 + pi4. */
export function markov4Loss(m: Markov4Params): number {
  const s = markov4Stationary(m);
  return s[2] + s[3];
}

/**
 * Mean run of consecutive losses, one packet per slot: loss / (rate at which runs start), runs
 * starting from 1 (to 3 or 4) or from 2 (to 3). With only (p13, p31) this is 1/p31.
 */
export function markov4MeanBurst(m: Markov4Params): number {
  const s = markov4Stationary(m);
  const loss = s[2] + s[3];
  const starts = s[0] * (m.p13 + m.p14) + s[1] * m.p23;
  return loss === 0 ? 0 : starts === 0 ? Infinity : loss / starts;
}

/** Mean stay in state 3: 1/(p31 + p32). */
export function markov4MeanStayLost(m: Markov4Params): number {
  return 1 / (m.p31 + m.p32);
}

export function markov4Transition(state: Markov4State, m: Markov4Params, u: number): Markov4State {
  switch (state) {
    case 1:
      return u < m.p14 ? 4 : u < m.p14 + m.p13 ? 3 : 1;
    case 2:
      return u < m.p23 ? 3 : 2;
    case 3:
      return u < m.p32 ? 2 : u < m.p32 + m.p31 ? 1 : 3;
    case 4:
      return 1;
  }
}

export class Markov4Chain {
  private s: Markov4State | null = null;

  get state(): Markov4State {
    if (this.s === null) throw new JitterlabError('internal', 'markov4: chain read before its first step');
    return this.s;
  }

  get initialized(): boolean {
    return this.s !== null;
  }

  get lost(): boolean {
    const s = this.state;
    return s === 3 || s === 4;
  }

  /** One slot: the first step draws the stationary state, later ones transition. */
  step(m: Markov4Params, u: number): Markov4State {
    if (this.s === null) {
      const pi = markov4Stationary(m);
      this.s = u < pi[0] ? 1 : u < pi[0] + pi[1] ? 2 : u < pi[0] + pi[1] + pi[2] ? 3 : 4;
    } else {
      this.s = markov4Transition(this.s, m, u);
    }
    return this.s;
  }
}
