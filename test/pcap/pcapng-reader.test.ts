import { describe, expect, it } from 'vitest';
import { PcapParseError, readCapture, readPcapng } from '../../src/pcap/index.ts';
import { concat, ethernet, ipv4Udp, ngBlock, ngEpb, ngIdb, ngOption, ngShb, ngSpb, sll, u32 } from './builders.ts';

const frame = ethernet(0x0800, ipv4Udp({ srcPort: 1, dstPort: 2, payload: Uint8Array.of(1, 2, 3) }));

function parseError(fn: () => unknown): PcapParseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PcapParseError) return e;
    throw e;
  }
  throw new Error('expected a PcapParseError');
}

describe('pcapng reader', () => {
  for (const le of [true, false]) {
    const order = le ? 'little' : 'big';
    it(`reads SHB/IDB/EPB with default µs resolution, ${order}-endian`, () => {
      const bytes = concat(ngShb(le), ngIdb(1, 0, le), ngEpb(0, 1_700_000_000_123_456n, frame, le, 1500));
      const cap = readCapture(bytes, 'a.pcapng');
      expect(cap.format).toBe('pcapng');
      expect(cap.byteOrder).toBe(order);
      expect(cap.linkType).toBe(1);
      expect(cap.interfaces[0]!.tsResolution).toEqual({ base: 10, exponent: 6 });
      expect(cap.packets).toHaveLength(1);
      const p = cap.packets[0]!;
      expect(p.tsMs).toBeCloseTo(1_700_000_000_123.456, 3);
      expect([...p.data]).toEqual([...frame]);
      expect(p.originalLength).toBe(1500);
      expect(p.timestampKnown).toBe(true);
    });

    it(`honours if_tsresol 10^-9 and 2^-20, ${order}-endian`, () => {
      const bytes = concat(
        ngShb(le),
        ngIdb(1, 0, le, [ngOption(9, Uint8Array.of(9), le), ngOption(2, new TextEncoder().encode('eth0'), le)]),
        ngIdb(113, 0, le, [ngOption(9, Uint8Array.of(0x80 | 20), le)]),
        ngEpb(0, 1_700_000_000_123_456_789n, frame, le),
        // 3.5 s in 2^-20 s units
        ngEpb(1, 3n * 1048576n + 524288n, sll(0x0800, new Uint8Array(0)), le),
      );
      const cap = readPcapng(bytes);
      expect(cap.interfaces.map((i) => i.tsResolution)).toEqual([
        { base: 10, exponent: 9 },
        { base: 2, exponent: 20 },
      ]);
      expect(cap.interfaces[0]!.name).toBe('eth0');
      expect(cap.packets[0]!.tsMs).toBeCloseTo(1_700_000_000_123.456789, 3);
      expect(cap.packets[0]!.tsMs - 1_700_000_000_000).toBeCloseTo(123.456789, 3);
      expect(cap.packets[1]!.tsMs).toBe(3500);
      expect(cap.packets.map((p) => [p.interfaceId, p.linkType])).toEqual([
        [0, 1],
        [1, 113],
      ]);
    });
  }

  it('applies if_tsoffset seconds', () => {
    const le = true;
    const off = new Uint8Array(8);
    new DataView(off.buffer).setBigInt64(0, 1000n, true);
    const bytes = concat(ngShb(le), ngIdb(1, 0, le, [ngOption(14, off, le)]), ngEpb(0, 2_500_000n, frame, le));
    expect(readPcapng(bytes).packets[0]!.tsMs).toBe(1_002_500);
  });

  it('reads SPBs (interface 0, snaplen cut, no timestamp) and skips unknown blocks by length', () => {
    const le = true;
    const bytes = concat(
      ngShb(le),
      ngIdb(1, 20, le),
      ngEpb(0, 5_000_000n, frame.subarray(0, 20), le, frame.length),
      ngBlock(0x00000bad, Uint8Array.of(1, 2, 3, 4, 5), le), // unknown
      ngBlock(5, new Uint8Array(16), le), // interface statistics: skipped
      ngSpb(frame, le),
    );
    const cap = readPcapng(bytes);
    expect(cap.packets).toHaveLength(2);
    const spb = cap.packets[1]!;
    expect(spb.data.length).toBe(20);
    expect(spb.originalLength).toBe(frame.length);
    expect(spb.timestampKnown).toBe(false);
    expect(spb.tsMs).toBe(5000);
  });

  it('numbers interfaces globally across sections of different byte order', () => {
    const bytes = concat(
      ngShb(true),
      ngIdb(1, 0, true),
      ngEpb(0, 1_000_000n, frame, true),
      ngShb(false),
      ngIdb(101, 0, false),
      ngIdb(1, 0, false),
      ngEpb(1, 2_000_000n, frame, false),
      ngEpb(0, 3_000_000n, frame.subarray(14), false),
    );
    const cap = readPcapng(bytes);
    expect(cap.byteOrder).toBe('little');
    expect(cap.interfaces.map((i) => i.linkType)).toEqual([1, 101, 1]);
    expect(cap.packets.map((p) => [p.interfaceId, p.linkType, p.tsMs])).toEqual([
      [0, 1, 1000],
      [2, 1, 2000],
      [1, 101, 3000],
    ]);
  });

  it('errors name the offset of the bad block', () => {
    const le = true;
    const head = concat(ngShb(le), ngIdb(1, 0, le));
    const epb = ngEpb(3, 0n, frame, le);
    const e1 = parseError(() => readPcapng(concat(head, epb), 'f.pcapng'));
    expect(e1.message).toBe(`f.pcapng: Enhanced Packet Block refers to interface 3 at byte ${head.length + 8} (section defines 1 interface(s))`);

    const good = ngEpb(0, 0n, frame, le);
    const badTrailer = good.slice();
    badTrailer[badTrailer.length - 4]! ^= 4;
    const e2 = parseError(() => readPcapng(concat(head, badTrailer)));
    expect(e2.offset).toBe(head.length + good.length - 4);
    expect(e2.message).toContain('trailing length');

    const e3 = parseError(() => readPcapng(concat(head, good.subarray(0, 30)), 'f.pcapng'));
    expect(e3.message).toBe(`f.pcapng: truncated Enhanced Packet Block (total length ${good.length}) at byte ${head.length} (need ${good.length} bytes, 30 left)`);

    const e4 = parseError(() => readPcapng(concat(ngIdb(1, 0, le))));
    expect(e4.message).toBe('missing pcapng Section Header Block at byte 0 (expected block type 0a0d0d0a, got 00000001)');

    const badMagic = ngShb(le).slice();
    badMagic[8] = 0;
    expect(parseError(() => readCapture(badMagic)).offset).toBe(8);

    const oddLen = concat(head, u32(6, le), u32(13, le), new Uint8Array(8));
    const e5 = parseError(() => readPcapng(oddLen));
    expect(e5.offset).toBe(head.length + 4);
    expect(e5.message).toContain('bad Enhanced Packet Block total length 13');
  });

  it('rejects an option overrunning its block, at the option offset', () => {
    const le = true;
    const opt = concat(Uint8Array.of(9, 0), Uint8Array.of(200, 0), Uint8Array.of(6, 0, 0, 0));
    const shb = ngShb(le);
    const idb = ngBlock(1, concat(Uint8Array.of(1, 0, 0, 0), u32(0, le), opt), le);
    const e = parseError(() => readPcapng(concat(shb, idb)));
    expect(e.offset).toBe(shb.length + 16);
    expect(e.message).toContain('option 9 overruns its block');
  });

  it('rejects a too-short EPB body', () => {
    const le = true;
    const head = concat(ngShb(le), ngIdb(1, 0, le));
    const e = parseError(() => readPcapng(concat(head, ngBlock(6, new Uint8Array(8), le))));
    expect(e.message).toBe(`Enhanced Packet Block too short at byte ${head.length} (body needs at least 20 bytes, has 8)`);
  });
});
