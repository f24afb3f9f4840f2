import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCaptureUdp,
  decodeUdpFrame,
  extractRtpStream,
  PcapParseError,
  PcapWriter,
  readCapture,
  RtpStreamSelectionError,
} from '../../src/pcap/index.ts';
import { concat, ethernet, ipv4Udp, ipv6Udp, ngBlock, ngEpb, ngIdb, ngOption, ngShb, ngSpb, rtpPacket, sll2, u32 } from './builders.ts';

/** Run `fn`; a thrown error must be a PcapParseError whose message carries its byte offset. */
function parsesOrFailsCleanly(bytes: Uint8Array, file?: string): ReturnType<typeof readCapture> | PcapParseError {
  try {
    return readCapture(bytes, file);
  } catch (e) {
    expect(e).toBeInstanceOf(PcapParseError);
    const err = e as PcapParseError;
    expect(err.message).toContain(`at byte ${err.offset}`);
    expect(err.offset).toBeGreaterThanOrEqual(0);
    expect(err.offset).toBeLessThanOrEqual(bytes.length);
    if (file !== undefined) expect(err.message.startsWith(`${file}: `)).toBe(true);
    return err;
  }
}

function validPcap(): Uint8Array {
  const w = new PcapWriter();
  for (let i = 0; i < 6; i++) {
    w.addUdp({ tsMs: 20 * i, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 4000, dstPort: 5004, payload: rtpPacket({ seq: i, timestamp: 960 * i, ssrc: 9 }) });
  }
  return w.toBytes();
}

function validPcapng(le: boolean): Uint8Array {
  const rtp = (i: number) => rtpPacket({ seq: i, timestamp: 960 * i, ssrc: 9 });
  return concat(
    ngShb(le),
    ngIdb(1, 0, le, [ngOption(9, Uint8Array.of(9), le)]),
    ngIdb(276, 0, le),
    ngEpb(0, 1_000_000_000n, ethernet(0x0800, ipv4Udp({ srcPort: 4000, dstPort: 5004, payload: rtp(0) })), le),
    ngBlock(5, new Uint8Array(12), le),
    ngEpb(1, 2_000_000n, sll2(0x86dd, ipv6Udp({ src: new Array(16).fill(1), dst: new Array(16).fill(2), srcPort: 4000, dstPort: 5004, payload: rtp(1) })), le),
    ngSpb(ethernet(0x0800, ipv4Udp({ srcPort: 4000, dstPort: 5004, payload: rtp(2) })), le),
  );
}

/** Boundaries after which a prefix is itself a complete capture. */
function pcapBoundaries(bytes: Uint8Array): Set<number> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ends = new Set<number>([24]);
  for (let off = 24; off < bytes.length; ) {
    off += 16 + dv.getUint32(off + 8, true);
    ends.add(off);
  }
  return ends;
}

function pcapngBoundaries(bytes: Uint8Array, le: boolean): Set<number> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ends = new Set<number>();
  for (let off = 0; off < bytes.length; ) {
    off += dv.getUint32(off + 4, le);
    ends.add(off);
  }
  return ends;
}

const RUNS = { numRuns: 300 };

describe('malformed input never escapes as anything but PcapParseError', () => {
  it('random bytes, alone and behind pcap / pcapng magics', () => {
    const prefixes = [
      new Uint8Array(0),
      Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1),
      Uint8Array.of(0xa1, 0xb2, 0x3c, 0x4d),
      concat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), u32(28, true), u32(0x1a2b3c4d, true)),
      concat(ngShb(false), Uint8Array.of(0, 0, 0, 6)),
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: prefixes.length - 1 }), fc.uint8Array({ maxLength: 300 }), (k, tail) => {
        parsesOrFailsCleanly(concat(prefixes[k]!, tail), 'fuzz.pcap');
      }),
      RUNS,
    );
  });

  it('every truncation of a valid pcap fails with the offset unless it ends on a record boundary', () => {
    const full = validPcap();
    const ends = pcapBoundaries(full);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (cut) => {
        const r = parsesOrFailsCleanly(full.subarray(0, cut), 'cut.pcap');
        if (ends.has(cut)) expect(r).not.toBeInstanceOf(PcapParseError);
        else expect(r).toBeInstanceOf(PcapParseError);
      }),
      RUNS,
    );
  });

  for (const le of [true, false]) {
    it(`every truncation of a valid ${le ? 'little' : 'big'}-endian pcapng fails cleanly unless it ends on a block boundary`, () => {
      const full = validPcapng(le);
      expect(readCapture(full).packets).toHaveLength(3);
      const ends = pcapngBoundaries(full, le);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: full.length - 1 }), (cut) => {
          const r = parsesOrFailsCleanly(full.subarray(0, cut));
          if (ends.has(cut)) expect(r).not.toBeInstanceOf(PcapParseError);
          else expect(r).toBeInstanceOf(PcapParseError);
        }),
        RUNS,
      );
    });
  }

  it('random byte corruption of valid captures: parse cleanly or PcapParseError; decoding never throws', () => {
    const bases = [validPcap(), validPcapng(true), validPcapng(false)];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (k, edits) => {
          const bytes = bases[k]!.slice();
          for (const [pos, val] of edits) bytes[pos % bytes.length] = val;
          const r = parsesOrFailsCleanly(bytes);
          if (r instanceof PcapParseError) return;
          for (const p of r.packets) expect(Number.isNaN(p.tsMs)).toBe(false);
          decodeCaptureUdp(r);
          try {
            extractRtpStream(r);
          } catch (e) {
            expect(e).toBeInstanceOf(RtpStreamSelectionError);
          }
        },
      ),
      RUNS,
    );
  });

  it('decodeUdpFrame is total over random frames of every supported link type', () => {
    const linkTypes = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 999];
    fc.assert(
      fc.property(fc.constantFrom(...linkTypes), fc.uint8Array({ maxLength: 120 }), fc.boolean(), (lt, tail, ipLike) => {
        // Half the cases start with a plausible IP version nibble so the IP/UDP paths are reached.
        const frame = ipLike && tail.length > 0 ? concat(Uint8Array.of(0x45), tail) : tail;
        const r = decodeUdpFrame(lt, frame);
        if (r.ok) {
          expect(r.datagram.payload.byteOffset).toBeGreaterThanOrEqual(frame.byteOffset);
          expect(r.datagram.payload.byteOffset + r.datagram.payload.length).toBeLessThanOrEqual(frame.byteOffset + frame.length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
