import { describe, expect, it } from 'vitest';
import { ReplayPath } from '../../src/replay/replay-path.ts';
import { PacketFates, type ReplayTrace } from '../../src/replay/replay-trace.ts';

const trace: ReplayTrace = {
  source: 'test',
  delayKind: 'absolute',
  fates: PacketFates.of([
    { lost: false, delayMs: 50 },
    { lost: true, delayMs: 0 },
    { lost: false, delayMs: 10 },
  ]),
};

describe('ReplayPath', () => {
  it('gives the i-th media packet the i-th fate, wrapping around, and flags reordering', () => {
    const p = new ReplayPath(trace, 20);
    const d = [0, 1, 2, 3].map((i) => p.send({ sendMs: 20 * (i + 1), sizeBytes: 60, lane: 'media' }));
    expect(d[0]).toMatchObject({ delivered: true, cause: null, slot: 1, pathDelayMs: 50 });
    expect(d[0].deliveries[0].arrivalMs).toBe(70);
    expect(d[1]).toMatchObject({ delivered: false, cause: 'replay', deliveries: [] });
    expect(d[2].deliveries[0]).toMatchObject({ arrivalMs: 70, reordered: false });
    expect(d[3].deliveries[0]).toMatchObject({ arrivalMs: 130 }); // wrapped to fate 0
    expect(p.stats()).toMatchObject({ sent: 4, delivered: 3, lost: 1 });
  });
  it('packets of other lanes meet the latest media fate and do not consume the trace', () => {
    const p = new ReplayPath(trace, 20);
    p.send({ sendMs: 20, sizeBytes: 60, lane: 'media' });
    const fec = p.send({ sendMs: 20, sizeBytes: 30, lane: 'fec' });
    expect(fec.deliveries[0].arrivalMs).toBe(70);
    const m2 = p.send({ sendMs: 40, sizeBytes: 60, lane: 'media' });
    expect(m2.delivered).toBe(false);
    expect(p.send({ sendMs: 40, sizeBytes: 30, lane: 'rtx' }).delivered).toBe(false);
    const m3 = p.send({ sendMs: 60, sizeBytes: 60, lane: 'media', payload: new Uint8Array([1, 2]) });
    expect(m3.deliveries[0]).toMatchObject({ arrivalMs: 70, reordered: false, payload: new Uint8Array([1, 2]) });
    const late = p.send({ sendMs: 61, sizeBytes: 60, lane: 'media' });
    expect(late.deliveries[0]).toMatchObject({ arrivalMs: 111 });
  });
  it('rejects an empty trace and decreasing send times', () => {
    expect(() => new ReplayPath({ ...trace, fates: PacketFates.of([]) }, 20)).toThrow(/no packets/);
    const p = new ReplayPath(trace, 20);
    p.send({ sendMs: 40, sizeBytes: 1, lane: 'media' });
    expect(() => p.send({ sendMs: 20, sizeBytes: 1, lane: 'media' })).toThrow(/must not decrease/);
  });
});
