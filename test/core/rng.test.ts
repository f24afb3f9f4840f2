/**
 * The seeded draws every random process uses: pinned values (a change here would silently change
 * every scenario's network), and the allocation-free fixed-arity forms equal to the general one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStream } from '../../src/core/rng.ts';

const key = fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 52), max: 2 ** 52 }));

describe('RngStream', () => {
  it('keeps its pinned values (same seed, name and keys: same draw, in every version)', () => {
    const s = new RngStream(42, 'channel.aToB.loss');
    expect([s.at(0), s.at(7, 1, 2, 0), s.at(-3), s.normalAt(12), s.at(2 ** 40, -(2 ** 33))]).toEqual([
      0.1424577592455165, 0.21744932294208286, 0.9397675162725913, 0.9562220264954948, 0.017415630726007936,
    ]);
  });

  it('at1 / at4 / normalAt1 equal at / normalAt with the same keys', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.string(), key, key, key, key, (seed, name, k0, k1, k2, k3) => {
        const s = new RngStream(seed, name);
        expect(s.at1(k0)).toBe(s.at(k0));
        expect(s.at4(k0, k1, k2, k3)).toBe(s.at(k0, k1, k2, k3));
        expect(s.normalAt1(k0)).toBe(s.normalAt(k0));
      }),
    );
  });

  it('draws in [0, 1), different for different keys, names and seeds', () => {
    const a = new RngStream(1, 'x');
    const seen = new Set<number>();
    for (let k = 0; k < 1000; k++) {
      const u = a.at1(k);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      seen.add(u);
    }
    expect(seen.size).toBe(1000);
    expect(new RngStream(1, 'y').at1(5)).not.toBe(a.at1(5));
    expect(new RngStream(2, 'x').at1(5)).not.toBe(a.at1(5));
  });
});
