import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqUnwrapper, TimestampUnwrapper, seqAdd, seqDiff, seqLess, tsAdd, tsDiff, tsLess } from '../../src/rtp/index.ts';

describe('sequence number arithmetic (modulus 65536)', () => {
  it('crosses the wrap 65535 → 0 as one step', () => {
    expect(seqDiff(0, 65535)).toBe(1);
    expect(seqDiff(65535, 0)).toBe(-1);
    expect(seqLess(65535, 0)).toBe(true);
    expect(seqLess(0, 65535)).toBe(false);
    expect(seqAdd(65535, 1)).toBe(0); // a 65535-modulus bug would give 1 or 65535 here
    expect(seqAdd(65534, 2)).toBe(0);
    expect(seqAdd(0, -1)).toBe(65535);
    expect(seqDiff(5, 65530)).toBe(11);
  });

  it('range is [-32768, 32767] with half-circle reported as -32768', () => {
    expect(seqDiff(32767, 0)).toBe(32767);
    expect(seqDiff(32768, 0)).toBe(-32768);
    expect(seqDiff(0, 32768)).toBe(-32768);
  });

  it('seqDiff(seqAdd(a, d), a) = d for every |d| < 32768', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: -32767, max: 32767 }), (a, d) => {
        const b = seqAdd(a, d);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(65536);
        expect(seqDiff(b, a)).toBe(d);
        expect(seqLess(a, b)).toBe(d > 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('timestamp arithmetic (modulus 2^32)', () => {
  it('crosses the wrap 2^32 − 1 → 0', () => {
    expect(tsDiff(0, 0xffffffff)).toBe(1);
    expect(tsDiff(0xffffffff, 0)).toBe(-1);
    expect(tsAdd(0xffffffff, 960)).toBe(959);
    expect(tsAdd(100, -960)).toBe(0x100000000 - 860);
    expect(tsLess(0xfffffc40, 0x3c0)).toBe(true);
    expect(tsDiff(0x80000000, 0)).toBe(-0x80000000);
  });

  it('tsDiff(tsAdd(a, d), a) = d for every |d| < 2^31', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -0x7fffffff, max: 0x7fffffff }), (a, d) => {
        expect(tsDiff(tsAdd(a, d), a)).toBe(d);
      }),
      { numRuns: 500 },
    );
  });
});

describe('unwrappers', () => {
  it('extends a stream across several wraps', () => {
    const u = new SeqUnwrapper();
    const out: number[] = [];
    for (let ext = 65000; ext < 65000 + 3 * 65536; ext += 100) out.push(u.unwrap(ext % 65536));
    expect(out).toEqual(Array.from({ length: out.length }, (_, i) => 65000 + 100 * i));
  });

  it('places reordered packets around the wrap on the correct cycle', () => {
    const u = new SeqUnwrapper();
    expect([65533, 65534, 1, 65535, 0, 2, 65532].map((s) => u.unwrap(s))).toEqual([
      65533, 65534, 65537, 65535, 65536, 65538, 65532,
    ]);
    expect(u.max).toBe(65538);
    // A late packet from before the first one seen maps below it.
    const v = new SeqUnwrapper();
    expect([0, 65535, 1].map((s) => v.unwrap(s))).toEqual([0, -1, 1]);
  });

  it('recovers the true extended sequence under random bounded reordering', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.array(fc.integer({ min: -500, max: 500 }), { minLength: 1, maxLength: 300 }),
        (start, jitter) => {
          // True extended seqs: start + i, delivered in an order perturbed by at most ±500 places.
          const order = jitter.map((j, i) => ({ key: i + j, ext: start + i })).sort((a, b) => a.key - b.key);
          const u = new SeqUnwrapper();
          const first = order[0].ext;
          const firstUnwrapped = u.unwrap(first % 65536);
          for (const { ext } of order) expect(u.unwrap(ext % 65536) - firstUnwrapped).toBe(ext - first);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('timestamp unwrapper handles the 2^32 wrap with reordering', () => {
    const u = new TimestampUnwrapper();
    const base = 0xffffffff - 960 * 2;
    const exts = [base, base + 960, base + 2880, base + 1920, base + 3840];
    expect(exts.map((e) => u.unwrap(e % 0x100000000))).toEqual(exts);
    expect(u.peek(base % 0x100000000)).toBe(base);
    expect(u.max).toBe(base + 3840);
  });
});
