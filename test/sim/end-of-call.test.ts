/**
 * The end of a call and its silent frames: playout runs until it has passed the last frame (a
 * buffer that spent ticks on expansion still plays the frames that arrived), frames the sender
 * never sent are DTX whatever the buffer did with their slots, and W3C jitterBufferMinimumDelay
 * leaves out a configured minimum delay.
 */
import { describe, expect, it } from 'vitest';
import { count, outcomes, runYaml, variant } from './helpers.ts';

const CALL = `name: end-of-call
seed: 2024
durationS: 10
source: { file: fixtures/speech-48k.wav }
sender:
  codec: { frameMs: 20, bitrateKbps: 24, complexity: 5, fec: true, expectedLoss: 0.05, dtx: true }
channel:
  delay: { baseMs: 50, jitterMs: 25, distribution: paretonormal, correlation: 0.5, order: preserve }
  loss: { model: gilbertElliott, p: 0.01, r: 0.25, lossGood: 0.005, lossBad: 0.8 }
receiver:
  jitterBuffer: { type: neteq }
variants:
  - name: neteq
  - name: neteq-min200
    receiver: { jitterBuffer: { type: neteq, minDelayMs: 200 } }
  - name: pjsip
    receiver: { jitterBuffer: { type: pjsip } }
  - name: fixed
    receiver: { jitterBuffer: { type: fixed, delayMs: 60 } }
`;

describe('end of call and DTX frames', async () => {
  const run = await runYaml(CALL);

  it('plays every frame whose packet arrived in time, up to the last one, even after ticks spent on expansion', () => {
    for (const name of ['neteq', 'pjsip', 'fixed']) {
      const v = variant(run, name);
      const o = outcomes(v);
      const fate = new Map(v.run.packets.filter((p) => p.kind === 'media').map((p) => [p.frameIndex, p.fate]));
      // A slot the buffer skipped (before playout started, or jumped over after an expansion) is
      // loss, and only a frame whose packet never made it may be left unplayed.
      o.forEach((x, i) => {
        if (x === 'unplayed') expect(['lost', 'late', 'discarded', 'malformed'], `${name} frame ${i}`).toContain(fate.get(i));
      });
      expect(v.run.framePlayoutMs[o.length - 1], name).toBeGreaterThan(0);
    }
    const neteq = variant(run, 'neteq').run.counters;
    // The case that used to end early: the buffer spent ticks on expansion.
    expect(neteq.insertedSamplesForDeceleration + neteq.concealedSamples).toBeGreaterThan(0);
  });

  it('calls a frame the sender never sent DTX, and only those', () => {
    for (const v of run.variants) {
      const sent = new Set(v.run.packets.filter((p) => p.kind === 'media').map((p) => p.frameIndex));
      const o = outcomes(v);
      expect(sent.size, v.name).toBeLessThan(o.length); // the encoder's DTX left frames unsent
      o.forEach((x, i) => expect(x === 'dtx', `${v.name} frame ${i}`).toBe(!sent.has(i)));
    }
  });

  it('sums the target without the configured minimum into jitterBufferMinimumDelay (W3C)', () => {
    const c = variant(run, 'neteq-min200').run.counters;
    const target = c.jitterBufferTargetDelay / c.jitterBufferEmittedCount;
    const minimum = c.jitterBufferMinimumDelay / c.jitterBufferEmittedCount;
    expect(target).toBeGreaterThanOrEqual(0.2 - 1e-9);
    expect(minimum).toBeLessThan(0.15);
    const plain = variant(run, 'neteq').run.counters;
    expect(plain.jitterBufferMinimumDelay).toBeCloseTo(plain.jitterBufferTargetDelay, 6);
  });
});
