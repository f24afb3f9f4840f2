import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenWindow } from '../../src/core/seen-window.ts';

describe('SeenWindow', () => {
  it('remembers exactly the newest `capacity` distinct additions (model check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 100 }), (capacity, xs) => {
        const w = new SeenWindow(capacity);
        const model: number[] = []; // distinct additions, oldest first
        for (const x of xs) {
          w.add(x);
          if (!model.includes(x)) {
            model.push(x);
            if (model.length > capacity) model.shift();
          }
          for (let y = 0; y <= 20; y++) expect(w.has(y)).toBe(model.includes(y));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('holds extended numbers beyond 32 bits', () => {
    const w = new SeenWindow(2);
    w.add(2 ** 40 + 1);
    w.add(-3);
    expect(w.has(2 ** 40 + 1)).toBe(true);
    w.add(5);
    expect(w.has(2 ** 40 + 1)).toBe(false);
    expect(w.has(-3) && w.has(5)).toBe(true);
  });

  it('refuses a window that could hold nothing', () => {
    expect(() => new SeenWindow(0)).toThrow(/capacity/);
    expect(() => new SeenWindow(2.5)).toThrow(/capacity/);
  });
});
