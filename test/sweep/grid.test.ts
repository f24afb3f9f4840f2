import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors.ts';
import { axisValues, comboCount, gridPoints, inShard, parseRange, parseShard, parseVaryArg, seedList } from '../../src/sweep/grid.ts';
import { coerceValue, parseKeyPath, setKeyPath } from '../../src/sweep/key-path.ts';

describe('vary values', () => {
  it('expands start:stop:step with the stop included and no float noise', () => {
    expect(parseRange('0:60:10', 'k')).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(parseRange('0:0.3:0.1', 'k')).toEqual([0, 0.1, 0.2, 0.3]);
    expect(parseRange('5:12:5', 'k')).toEqual([5, 10]);
  });
  it('parses lists with types, and rejects bad ranges and repeats', () => {
    expect(parseVaryArg('channel.loss.rate=0,0.01,0.02,0.05')).toEqual({ key: 'channel.loss.rate', values: [0, 0.01, 0.02, 0.05] });
    expect(parseVaryArg('receiver.plc=opus,silence').values).toEqual(['opus', 'silence']);
    expect(parseVaryArg('receiver.fec=true,false').values).toEqual([true, false]);
    expect(() => parseRange('0:10:0', 'k')).toThrow(UsageError);
    expect(() => parseRange('10:0:1', 'k')).toThrow(/below start/);
    expect(() => axisValues('k', '1,1')).toThrow(/repeated/);
    expect(() => parseVaryArg('noequals')).toThrow(UsageError);
    expect(coerceValue(' 3.5 ')).toBe(3.5);
  });
  it('explains the range syntax for a range that is not start:stop:step, alone or in a list', () => {
    for (const spec of ['0:1', '0:1:', '0::1', '0:1:0.5:2', '0,0:1']) {
      expect(() => axisValues('k', spec), spec).toThrow(/is not a range: a range is start:stop:step with numbers, stop included \(e\.g\. 0:1:0\.25 = 0,0\.25,0\.5,0\.75,1\); or list the values/);
    }
    // Other values with a colon are strings, as before.
    expect(axisValues('k', 'a:b,c')).toEqual(['a:b', 'c']);
    expect(axisValues('k', '0:1:0.5')).toEqual([0, 0.5, 1]);
    expect(coerceValue('null')).toBeNull();
  });
});

describe('grid', () => {
  const axes = [
    { key: 'a', values: [1, 2, 3] },
    { key: 'b', values: ['x', 'y'] },
  ];
  it('numbers points combination-major, last axis fastest, seeds innermost', () => {
    const pts = gridPoints(axes, [7, 8]);
    expect(pts).toHaveLength(12);
    expect(comboCount(axes)).toBe(6);
    expect(pts.map((p) => p.index)).toEqual([...Array(12).keys()]);
    expect(pts[0]).toMatchObject({ combo: 0, params: { a: 1, b: 'x' }, seed: 7 });
    expect(pts[1]).toMatchObject({ combo: 0, params: { a: 1, b: 'x' }, seed: 8 });
    expect(pts[2]).toMatchObject({ combo: 1, at: [0, 1], params: { a: 1, b: 'y' } });
    expect(pts[11]).toMatchObject({ combo: 5, at: [2, 1], params: { a: 3, b: 'y' }, seed: 8 });
    expect(seedList(0xffffffff, 2)).toEqual([0xffffffff, 0]);
  });
  it('shards partition the grid: disjoint and complete for any n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 200 }), (n, total) => {
        const owners = Array.from({ length: total }, (_, i) => [...Array(n).keys()].filter((k) => inShard(i, { k: k + 1, n })).length);
        return owners.every((c) => c === 1);
      }),
      { numRuns: 50 },
    );
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    expect(() => parseShard('5/4')).toThrow(UsageError);
    expect(() => parseShard('0/4')).toThrow(UsageError);
  });
  it('rejects a key given twice', () => {
    expect(() => gridPoints([axes[0], axes[0]], [1])).toThrow(/twice/);
  });
});

describe('key paths', () => {
  it('sets nested keys on a copy, creating missing sections', () => {
    const raw = { channel: { delay: { baseMs: 10 } }, variants: [{ name: 'a' }, { name: 'b' }] };
    const out = setKeyPath(raw, 'channel.loss.rate', 0.1);
    expect(out).toEqual({ channel: { delay: { baseMs: 10 }, loss: { rate: 0.1 } }, variants: raw.variants });
    expect(raw).not.toHaveProperty('channel.loss');
    expect(setKeyPath(raw, 'variants[1].receiver.plc', 'silence').variants).toEqual([{ name: 'a' }, { name: 'b', receiver: { plc: 'silence' } }]);
    expect(parseKeyPath('phases.0.set.delay.baseMs')).toEqual(['phases', 0, 'set', 'delay', 'baseMs']);
    expect(() => setKeyPath(raw, 'variants[5].name', 'x')).toThrow(/past the end/);
    expect(() => setKeyPath(raw, 'channel.delay.baseMs.x', 1)).toThrow(/not a mapping/);
    expect(() => parseKeyPath('a..b')).toThrow(UsageError);
  });
});
