import { describe, expect, it } from 'vitest';
import { parseRtcp, serializeRtcp } from '../../src/rtp/rtcp.ts';
import { SentPacketHistory, type PacketResult } from '../../src/sender/adaptation/sent-packet-history.ts';
import { TwccRecorder } from '../../src/sender/adaptation/twcc-recorder.ts';

/** Feedback through real bytes: recorder → serializer → parser → sender history. */
function roundTrip(rec: TwccRecorder, hist: SentPacketHistory): PacketResult[] {
  const fbs = rec.feedback();
  if (fbs.length === 0) return [];
  const parsed = parseRtcp(serializeRtcp(fbs));
  return parsed.flatMap((p) => (p.type === 'twcc' ? hist.onFeedback(p) : []));
}

describe('transport-wide feedback loop', () => {
  it('gives the sender every packet with its send time, size and arrival (250 µs resolution), losses as null', () => {
    const rec = new TwccRecorder(1, 2);
    const hist = new SentPacketHistory();
    const lost = new Set([3, 4, 9]);
    const arrival = (i: number): number => 1000 + 20 * i + 40 + (i % 3) * 1.3;
    for (let i = 0; i < 12; i++) {
      hist.onSend(i, 1000 + 20 * i, 100 + i);
      if (!lost.has(i)) rec.onPacket(i, arrival(i));
    }
    const res = roundTrip(rec, hist);
    expect(res.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].filter((s) => s <= 11));
    for (const r of res) {
      expect(r.sendMs).toBe(1000 + 20 * r.seq);
      expect(r.sizeBytes).toBe(100 + r.seq);
      if (lost.has(r.seq)) expect(r.arrivalMs).toBeNull();
      else expect(Math.abs(r.arrivalMs! - arrival(r.seq))).toBeLessThanOrEqual(0.125 + 1e-9);
    }
    // Nothing new: no feedback.
    expect(rec.feedback()).toEqual([]);
  });

  it('re-reports a packet that arrives after being reported lost, and wraps the 16-bit numbers', () => {
    const rec = new TwccRecorder(1, 2);
    const hist = new SentPacketHistory();
    const seqs = [65533, 65534, 65535, 0, 1];
    seqs.forEach((s, i) => hist.onSend(s, 20 * i, 100));
    rec.onPacket(65533, 50);
    rec.onPacket(65535, 90);
    rec.onPacket(0, 110);
    const first = roundTrip(rec, hist);
    expect(first.map((r) => [r.seq % 65536, r.arrivalMs === null])).toEqual([
      [65533, false],
      [65534, true],
      [65535, false],
      [0, false],
    ]);
    rec.onPacket(65534, 115); // late
    rec.onPacket(1, 130);
    const second = roundTrip(rec, hist);
    expect(second.map((r) => [r.seq % 65536, r.arrivalMs])).toEqual([
      [65534, 115],
      [1, 130],
    ]);
  });
});
