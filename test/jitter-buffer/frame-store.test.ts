import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameStore } from '../../src/jitter-buffer/frame-store.ts';
import type { JbFrame } from '../../src/jitter-buffer/types.ts';

const frame = (timestamp: number): JbFrame => ({ seq: timestamp, timestamp, durationTs: 960, marker: false, payload: new Uint8Array(3), arrivalMs: 0, origin: 'primary', hasFec: false });

type Op = { op: 'insert' | 'find' | 'firstAfter' | 'remove' | 'removeBefore' | 'shift'; ts: number };
const arbOp: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom('insert', 'insert', 'insert', 'find', 'firstAfter', 'remove', 'removeBefore', 'shift'),
  ts: fc.integer({ min: -5, max: 40 }).map((k) => k * 960),
});

describe('FrameStore', () => {
  it('behaves as a sorted list without duplicate timestamps (model check)', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 80 }), fc.constantFrom(0, -1, 0.5), (ops, shift) => {
        const store = new FrameStore();
        let model: JbFrame[] = [];
        for (const { op, ts } of ops) {
          switch (op) {
            case 'insert': {
              const f = frame(ts);
              const fresh = !model.some((m) => m.timestamp === ts);
              expect(store.insert(f)).toBe(fresh);
              if (fresh) model = [...model, f].sort((a, b) => a.timestamp - b.timestamp);
              break;
            }
            case 'find':
              expect(store.find(ts)).toBe(model.find((m) => m.timestamp === ts));
              break;
            case 'firstAfter':
              // ts + shift: the cursor asks with playTs - 1, and nothing requires whole numbers.
              expect(store.firstAfter(ts + shift)).toBe(model.find((m) => m.timestamp > ts + shift));
              break;
            case 'remove':
              expect(store.remove(ts)).toBe(model.find((m) => m.timestamp === ts));
              model = model.filter((m) => m.timestamp !== ts);
              break;
            case 'removeBefore':
              expect(store.removeBefore(ts)).toEqual(model.filter((m) => m.timestamp < ts));
              model = model.filter((m) => m.timestamp >= ts);
              break;
            case 'shift':
              expect(store.shift()).toBe(model[0]);
              model = model.slice(1);
              break;
          }
          expect(store.all()).toEqual(model);
          expect(store.size).toBe(model.length);
          expect(store.first()).toBe(model[0]);
          expect(store.last()).toBe(model[model.length - 1]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
