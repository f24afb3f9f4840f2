import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { Ar1Latent, sideLatent } from '../../src/channel/ar1-jitter.ts';
import { standardJitterFromLatent } from '../../src/channel/jitter-distribution.ts';
import { channel, lag1, mean, sd, sendStream } from './helpers.ts';

const N = 100_000;

function latents(rho: number, seed = 3): Float64Array {
  const a = new Ar1Latent(new RngStream(seed, 'channel.aToB.delay'));
  const out = new Float64Array(N);
  for (let k = 0; k < N; k++) out[k] = a.at(k, () => rho);
  return out;
}

describe('AR(1) jitter on a Gaussian copula', () => {
  // Standard errors at n = 1e5: lag-1 estimate ~ (1 - rho^2)/sqrt(n) <= 0.0032; sample sd ~
  // sqrt((1 + rho^2)/(1 - rho^2)/(2n)) <= 0.4 %. Tolerances are ~4 standard errors.
  it.each([0, 0.5, 0.9])('normal marginal: lag-1 correlation = rho, sigma unchanged (rho %s)', (rho) => {
    const z = latents(rho);
    expect(Math.abs(lag1(z) - rho)).toBeLessThan(0.015);
    expect(Math.abs(sd(z) - 1)).toBeLessThan(0.03);
    expect(Math.abs(mean(z))).toBeLessThan(rho === 0.9 ? 0.06 : 0.02);
  });

  it('uniform marginal keeps sigma J/sqrt(3); its correlation is the copula value (6/pi) asin(rho/2)', () => {
    const rho = 0.5;
    const z = latents(rho);
    const x = z.map((v) => standardJitterFromLatent('uniform', v));
    expect(Math.abs(sd(x) - 1 / Math.sqrt(3))).toBeLessThan(0.01);
    expect(Math.abs(lag1(x) - (6 / Math.PI) * Math.asin(rho / 2))).toBeLessThan(0.015);
    expect(Math.min(...x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...x)).toBeLessThan(1);
  });

  it("contrast: netem's X = (1-rho)U + rho X_prev shrinks sigma by sqrt((1-rho)/(1+rho)); ours does not", () => {
    const rho = 0.5;
    const s = new RngStream(5, 'netem');
    let prev = 2 * s.at(0) - 1;
    const netem = new Float64Array(N);
    for (let k = 0; k < N; k++) {
      prev = (1 - rho) * (2 * s.at(k) - 1) + rho * prev;
      netem[k] = prev;
    }
    const uniSd = 1 / Math.sqrt(3);
    expect(sd(netem) / uniSd).toBeCloseTo(Math.sqrt((1 - rho) / (1 + rho)), 2);
    const ours = latents(rho).map((v) => standardJitterFromLatent('uniform', v));
    expect(sd(ours) / uniSd).toBeGreaterThan(0.98);
  });

  it('is a pure function of the slot: skipping slots gives the same values', () => {
    const a = new Ar1Latent(new RngStream(11, 'd'));
    const b = new Ar1Latent(new RngStream(11, 'd'));
    const full: number[] = [];
    for (let k = 0; k <= 500; k++) full.push(a.at(k, () => 0.7));
    expect(b.at(123, () => 0.7)).toBe(full[123]);
    expect(b.at(500, () => 0.7)).toBe(full[500]);
    expect(() => b.at(10, () => 0.7)).toThrow();
  });

  it('a side latent keeps the N(0,1) marginal and correlates rho with the slot latent', () => {
    const z = latents(0.6);
    const n = new RngStream(2, 'side');
    const side = z.map((v, k) => sideLatent(v, 0.6, n.normalAt(k)));
    expect(Math.abs(sd(side) - 1)).toBeLessThan(0.02);
    let c = 0;
    for (let k = 0; k < N; k++) c += z[k] * side[k];
    expect(Math.abs(c / N - 0.6)).toBeLessThan(0.02);
  });

  it('through the channel: packets of one slot share the jitter; lag-1 of per-slot jitter ~ rho', () => {
    const ch = channel({ delay: { baseMs: 80, jitterMs: 10, distribution: 'normal', correlation: 0.8, order: 'allow' } });
    const delays: number[] = [];
    for (let k = 0; k < 20_000; k++) {
      const a = ch.send({ sendMs: k * 20, sizeBytes: 100, lane: 'media' });
      const b = ch.send({ sendMs: k * 20 + 5, sizeBytes: 50, lane: 'fec' });
      expect(b.pathDelayMs).toBe(a.pathDelayMs);
      delays.push(a.deliveries[0].arrivalMs - k * 20 - 80);
    }
    // n = 2e4: standard error of lag-1 ~ 0.0025, of sd ~ 0.8 %.
    expect(Math.abs(lag1(delays) - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(sd(delays) / 10 - 1)).toBeLessThan(0.08);
    const none = sendStream(channel({ delay: { baseMs: 80, jitterMs: 10, distribution: 'normal', order: 'allow' } }), 20_000);
    expect(Math.abs(lag1(none.map((d) => d.pathDelayMs)))).toBeLessThan(0.03);
  });
});
