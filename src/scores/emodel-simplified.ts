/**
 * Simplified E-model forms used in the VoIP literature (not ITU-T G.107 itself; kept for
 * comparison with published tables):
 *
 * - R = 93.2 - Id - Ie,eff with Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3), d the one-way
 *   mouth-to-ear delay in ms (the G.107 defaults collapse to Ro - Is = 93.35, rounded to 93.2).
 * - Cole & Rosenbluth, "Voice over IP performance monitoring", ACM CCR 31(2), 2001: base 94.2,
 *   the same Id, and Ie = 30 ln(1 + 15 e) for G.711, 11 + 40 ln(1 + 10 e) for G.729A, where e is
 *   the loss fraction (0..1).
 */
import { rToMos } from './r-mos.ts';

/** Id of the simplified form (delay in ms). */
export function simplifiedDelayImpairment(delayMs: number): number {
  const excess = delayMs - 177.3;
  return 0.024 * delayMs + (excess > 0 ? 0.11 * excess : 0);
}

export interface SimplifiedResult {
  Id: number;
  Ie: number;
  R: number;
  mos: number;
}

/** R = 93.2 - Id(d) - ieEff. */
export function simplifiedEmodel(delayMs: number, ieEff: number): SimplifiedResult {
  const Id = simplifiedDelayImpairment(delayMs);
  const R = 93.2 - Id - ieEff;
  return { Id, Ie: ieEff, R, mos: rToMos(R) };
}

/** Cole & Rosenbluth (2001) form with base 94.2 and a loss fraction e in 0..1. */
export function coleRosenbluth(delayMs: number, lossFraction: number, codec: 'g711' | 'g729a'): SimplifiedResult {
  const Id = simplifiedDelayImpairment(delayMs);
  const Ie = codec === 'g711' ? 30 * Math.log(1 + 15 * lossFraction) : 11 + 40 * Math.log(1 + 10 * lossFraction);
  const R = 94.2 - Id - Ie;
  return { Id, Ie, R, mos: rToMos(R) };
}
