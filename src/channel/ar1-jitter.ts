/**
 * Correlated jitter as a true AR(1) on a Gaussian copula.
 *
 * netem's `delay T J C` mixes uniforms, X = (1-rho)U + rho X_prev, which has lag-1 correlation
 * rho but shrinks the spread by sqrt((1-rho)/(1+rho)) (channel-models.md section 1, pitfall 1).
 * Here a standard-normal latent follows z_k = rho z_{k-1} + sqrt(1 - rho^2) n_k, one step per
 * time slot, with n_k = stream.normalAt(k); the jitter is the marginal's inverse CDF at Phi(z_k).
 * The marginal is kept exactly (the latent is N(0,1) at every step, whatever rho does over time).
 * The jitter's own lag-1 correlation is rho for the normal marginal and lower for the others
 * (e.g. (6/pi) asin(rho/2) for uniform), so the channel drives this latent with the rho that
 * jitter-correlation.ts calibrates per shape from the scenario's correlation.
 *
 * The latent is a pure function of the slot index: the chain starts stationary at slot 0
 * (z_0 = n_0) and skipped slots are stepped through, so every variant sees the same value.
 */
import { JitterlabError } from '../core/errors.ts';
import type { RngStream } from '../core/rng.ts';

export class Ar1Latent {
  private slot = -1;
  private z = 0;

  constructor(private readonly stream: RngStream) {}

  /** The last slot stepped to (-1 before the first step). */
  get lastSlot(): number {
    return this.slot;
  }

  /** The latent of the last slot stepped to. */
  get value(): number {
    return this.z;
  }

  /** Advance exactly one slot (slot must be lastSlot + 1) with the correlation in force there. */
  step(slot: number, rho: number): number {
    if (slot !== this.slot + 1) throw new JitterlabError('internal', `ar1: step to slot ${slot} from ${this.slot}`);
    const n = this.stream.normalAt1(slot);
    this.z = slot === 0 ? n : rho * this.z + Math.sqrt(Math.max(0, 1 - rho * rho)) * n;
    this.slot = slot;
    return this.z;
  }

  /** The latent at `slot` (>= lastSlot), stepping through skipped slots with rhoAt(k). */
  at(slot: number, rhoAt: (slot: number) => number): number {
    if (!Number.isInteger(slot) || slot < 0) throw new JitterlabError('internal', `ar1: bad slot ${slot}`);
    if (slot < this.slot) throw new JitterlabError('internal', `ar1: slot ${slot} is before ${this.slot}`);
    while (this.slot < slot) this.step(this.slot + 1, rhoAt(this.slot + 1));
    return this.z;
  }
}

/**
 * A second latent drawn from the same slot's state (for a duplicate packet, which netem delays
 * independently): one more AR step from z with its own innovation n, so the marginal stays N(0,1).
 */
export function sideLatent(z: number, rho: number, n: number): number {
  return rho * z + Math.sqrt(Math.max(0, 1 - rho * rho)) * n;
}
