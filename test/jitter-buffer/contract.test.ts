import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';
import { BuiltinJbSchema } from '../../src/jitter-buffer/config.ts';
import { resolveJitterBuffer } from '../../src/jitter-buffer/registry.ts';
import type { JbFrame, JitterBuffer } from '../../src/jitter-buffer/types.ts';
import { contractViolations, makeFrames, makeHost, simulate, statusOf, traceOf, type StreamSpec } from './driver.ts';

const TYPES = ['fixed', 'adaptive', 'ramjee', 'neteq', 'pjsip', 'oracle'] as const;

async function build(type: (typeof TYPES)[number], spec: StreamSpec, useInbandFec = false) {
  const cfg = BuiltinJbSchema.parse({ type });
  const make = await resolveJitterBuffer(cfg, '.');
  const { host, discards } = makeHost({ rttMs: 60, trace: traceOf(spec), useInbandFec });
  const jb: JitterBuffer = make(host);
  return { jb, discards };
}

/** Jittery, lossy stream with DTX silences; some packets duplicated (the copy arrives later). */
function noisyStream(seed: number): { spec: StreamSpec; frames: JbFrame[] } {
  const rng = new RngStream(seed, 'jb-contract');
  const spec: StreamSpec = {
    slots: 1500,
    delay: (i) => (rng.at(i, 1) < 0.03 ? null : 40 + 80 * rng.at(i, 2) + (i % 400 < 20 ? 150 : 0)),
    kind: (i) => (i % 250 >= 200 ? (i % 20 === 0 ? 'dtx' : 'none') : 'speech'),
    hasFec: true,
  };
  const frames = makeFrames(spec);
  const dups = frames.filter((_, k) => rng.at(k, 3) < 0.03).map((f) => ({ ...f, arrivalMs: f.arrivalMs + 30 * rng.at(f.seq, 4) }));
  return { spec, frames: [...frames, ...dups] };
}

describe.each(TYPES)('%s buffer contract', (type) => {
  it('plays no frame twice, in timestamp order, only frames it accepted', async () => {
    for (const [seed, fec] of [
      [3, false],
      [7, true],
    ] as const) {
      const { spec, frames } = noisyStream(seed);
      const { jb, discards } = await build(type, spec, fec);
      const r = simulate(jb, frames, { durationMs: 32_000, phaseMs: 7 });
      expect(contractViolations(r, discards)).toEqual([]);
      expect(r.counts.normal + r.counts.accelerate + r.counts.preemptiveExpand + r.counts.fec).toBeGreaterThan(800);
      for (const s of r.states) {
        expect(Number.isFinite(s.targetDelayMs)).toBe(true);
        expect(s.levelMs).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('keeps the contract on arbitrary jitter, loss, reordering and duplication (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 300 }), fc.boolean(), async (seed, spread, fec) => {
        const rng = new RngStream(seed, 'jb-property');
        const spec: StreamSpec = {
          slots: 400,
          delay: (i) => (rng.at(i, 1) < 0.05 ? null : 20 + spread * rng.at(i, 2) ** 2),
          kind: (i) => (i % 120 >= 100 ? (i % 20 === 0 ? 'dtx' : 'none') : 'speech'),
          hasFec: true,
        };
        const base = makeFrames(spec);
        const frames = [...base, ...base.filter((_, k) => rng.at(k, 3) < 0.05).map((f) => ({ ...f, arrivalMs: f.arrivalMs + 200 * rng.at(f.seq, 4) }))];
        const { jb, discards } = await build(type, spec, fec);
        const r = simulate(jb, frames, { durationMs: 400 * 20 + spread + 500, phaseMs: seed % 20 });
        expect(contractViolations(r, discards)).toEqual([]);
      }),
      { numRuns: 15, seed: 42 },
    );
  });

  it('ignores duplicates, before and after playout', async () => {
    const spec: StreamSpec = { slots: 200, delay: () => 30 };
    const frames = makeFrames(spec);
    const early = { ...frames[100], arrivalMs: frames[100].arrivalMs + 1 }; // while still buffered
    const after = { ...frames[20], arrivalMs: frames[20].arrivalMs + 1500 }; // long after it played
    const { jb, discards } = await build(type, spec);
    const r = simulate(jb, [...frames, early, after], { durationMs: 5000 });
    expect(statusOf(r, frames[100].seq)).toEqual(['buffered', 'duplicate']);
    expect(statusOf(r, frames[20].seq)).toEqual(['buffered', 'duplicate']);
    expect(contractViolations(r, discards)).toEqual([]);
    expect(r.decisions.filter((d) => d.frame?.seq === frames[100].seq)).toHaveLength(1);
  });

  it('reports a frame arriving after its turn as late and never plays it', async () => {
    const spec: StreamSpec = { slots: 300, delay: (i) => (i === 150 ? 1500 : 30) };
    const frames = makeFrames(spec);
    const { jb, discards } = await build(type, spec);
    const r = simulate(jb, frames, { durationMs: 8000 });
    const seq = frames[150].seq;
    expect(statusOf(r, seq)).toEqual(['late']);
    expect(r.decisions.some((d) => d.frame?.seq === seq)).toBe(false);
    expect(contractViolations(r, discards)).toEqual([]);
  });
});
