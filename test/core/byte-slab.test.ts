import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSlab } from '../../src/core/byte-slab.ts';

describe('ByteSlab', () => {
  it('hands out zero-filled views that never overlap', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (sizes) => {
        const slab = new ByteSlab(1024);
        const views = sizes.map((n) => slab.take(n));
        views.forEach((v, i) => {
          expect(v.length).toBe(sizes[i]);
          expect(v.every((b) => b === 0)).toBe(true);
          v.fill(i + 1);
        });
        // Every view still holds only what was written into it.
        views.forEach((v, i) => expect(v.every((b) => b === ((i + 1) & 0xff))).toBe(true));
      }),
      { numRuns: 200 },
    );
  });

  it('starts a new block when the current one is full, and gives large requests their own array', () => {
    const slab = new ByteSlab(256);
    const first = [slab.take(60), slab.take(60), slab.take(60), slab.take(60)];
    expect(first.map((v) => v.byteOffset)).toEqual([0, 60, 120, 180]);
    expect(new Set(first.map((v) => v.buffer)).size).toBe(1);
    const next = slab.take(60); // 240 + 60 > 256
    expect(next.buffer).not.toBe(first[0].buffer);
    expect(next.byteOffset).toBe(0);
    // More than a quarter of a block: its own array, the block is not wasted on it.
    const big = slab.take(65);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(65);
    expect(slab.take(4).byteOffset).toBe(60);
  });
});
