import { describe, expect, it } from 'vitest';
import { MediaSender } from '../../src/sender/media-sender.ts';
import { parseRtp } from '../../src/rtp/packet.ts';

const payload = (i: number): Uint8Array => Uint8Array.from([0x78, i & 0xff, 1, 2, 3]);

describe('MediaSender retransmission history (RFC 4588 section 4)', () => {
  it('keeps the last N packets as sent, across the sequence-number wrap', () => {
    const init = { ssrc: 0x1234, initialSeq: 65533, initialTimestamp: 7, payloadType: 111 };
    const sender = new MediaSender(init, 960, [], 4);
    const sent = Array.from({ length: 7 }, (_, i) => sender.packetsForFrame(i, payload(i), 20 * (i + 1))[0]);
    const seqs = sent.map((p) => p.seq);
    expect(seqs).toEqual([65533, 65534, 65535, 0, 1, 2, 3]);
    // The three oldest have left the history.
    for (const s of seqs.slice(0, 3)) {
      expect(sender.fromHistory(s)).toBeUndefined();
      expect(sender.sentAt(s)).toBeUndefined();
    }
    seqs.slice(3).forEach((s, k) => {
      const i = k + 3;
      // What the history returns is exactly the packet that went on the wire.
      expect(sender.fromHistory(s)).toEqual(parseRtp(sent[i].bytes));
      expect(sender.sentAt(s)).toBe(20 * (i + 1));
    });
  });

  it('refuses a history that could hold nothing', () => {
    const init = { ssrc: 1, initialSeq: 0, initialTimestamp: 0, payloadType: 111 };
    expect(() => new MediaSender(init, 960, [], 0)).toThrow(/historyPackets/);
  });
});
