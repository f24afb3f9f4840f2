import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ParityFecDecoder,
  ParityFecEncoder,
  RtpFieldError,
  RtpParseError,
  parseParityFec,
  parseRtp,
  serializeParityFec,
  serializeRtp,
  seqAdd,
  tsAdd,
  type ParityFecHeader,
} from '../../src/rtp/index.ts';

const MEDIA_SSRC = 0x11223344;

/** Media packets with varied header features so every recovered field is exercised. */
function mediaPacket(seq: number, i: number): Uint8Array {
  return serializeRtp({
    version: 2,
    padding: i % 7 === 3 ? 1 + (i % 4) : 0,
    marker: i % 5 === 0,
    payloadType: i % 9 === 4 ? 100 : 111,
    sequenceNumber: seq,
    timestamp: tsAdd(0xffffff00, 960 * i),
    ssrc: MEDIA_SSRC,
    csrcs: i % 6 === 1 ? [0xabc, i] : [],
    extension: i % 4 === 2 ? { profile: 0xbede, data: Uint8Array.of(0x10, i & 0xff, 0, 0) } : null,
    payload: Uint8Array.from({ length: 20 + ((i * 37) % 90) }, (_, k) => (i * 31 + k * 7) & 0xff),
  });
}

interface Stream {
  media: Uint8Array[];
  fec: Uint8Array[];
  /** For each FEC packet, index of the media packet after which it was sent. */
  fecAfter: number[];
}

function encodeStream(n: number, L: number, D: number, seq0: number): Stream {
  const enc = new ParityFecEncoder({ L, D, payloadType: 120, ssrc: 0x99, initialSeq: 65535 });
  const media: Uint8Array[] = [];
  const fec: Uint8Array[] = [];
  const fecAfter: number[] = [];
  for (let i = 0; i < n; i++) {
    const seq = seqAdd(seq0, i);
    const m = mediaPacket(seq, i);
    media.push(m);
    for (const f of enc.push(m, seq)) {
      fec.push(f);
      fecAfter.push(i);
    }
  }
  for (const f of enc.flush()) {
    fec.push(f);
    fecAfter.push(n - 1);
  }
  return { media, fec, fecAfter };
}

/** Delivers everything except the lost media indices; returns index → rebuilt bytes. */
function receive(s: Stream, lost: Set<number>): Map<number, Uint8Array> {
  const dec = new ParityFecDecoder();
  const rebuilt = new Map<number, Uint8Array>();
  let f = 0;
  for (let i = 0; i < s.media.length; i++) {
    if (!lost.has(i)) dec.addMedia(s.media[i]);
    while (f < s.fec.length && s.fecAfter[f] === i) dec.addFec(s.fec[f++]);
    for (const r of dec.recover()) {
      const idx = s.media.findIndex((m) => m[2] === r[2] && m[3] === r[3]);
      rebuilt.set(idx, r);
    }
  }
  return rebuilt;
}

describe('parity FEC header', () => {
  it('round-trips and has the documented byte layout', () => {
    const h: ParityFecHeader = {
      pxccRecovery: 0x2a,
      mptRecovery: 0xef,
      snBase: 0xfffe,
      tsRecovery: 0x89abcdef,
      lengthRecovery: 0x0123,
      count: 4,
      stride: 3,
      mediaSsrc: 0xdeadbeef,
      kind: 'column',
      payloadRecovery: Uint8Array.of(9, 8, 7),
    };
    const b = serializeParityFec(h);
    expect(Array.from(b)).toEqual([
      0x2a, 0xef, 0xff, 0xfe, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 4, 3, 0xde, 0xad, 0xbe, 0xef, 0, 3, 1, 0, 9, 8, 7,
    ]);
    expect(parseParityFec(b)).toEqual(h);
  });

  it('random bytes only ever raise RtpParseError, and bad fields name their offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          parseParityFec(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpParseError);
        }
        const dec = new ParityFecDecoder();
        try {
          dec.addFec(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(RtpParseError);
        }
      }),
      { numRuns: 2000 },
    );
    const good = serializeParityFec({
      pxccRecovery: 0, mptRecovery: 0, snBase: 0, tsRecovery: 0, lengthRecovery: 0, count: 1, stride: 1,
      mediaSsrc: 0, kind: 'row', payloadRecovery: new Uint8Array(2),
    });
    const bad = (i: number, v: number): Uint8Array => {
      const c = good.slice();
      c[i] = v;
      return c;
    };
    const offsetOf = (b: Uint8Array): number => {
      try {
        parseParityFec(b);
      } catch (e) {
        if (e instanceof RtpParseError) return e.offset;
      }
      return -1;
    };
    expect(offsetOf(bad(0, 0x80))).toBe(0);
    expect(offsetOf(bad(10, 0))).toBe(10);
    expect(offsetOf(bad(11, 0))).toBe(11);
    expect(offsetOf(bad(17, 5))).toBe(16);
    expect(offsetOf(bad(18, 2))).toBe(18);
    expect(offsetOf(bad(19, 1))).toBe(19);
  });
});

describe('ParityFecEncoder', () => {
  it('emits L·D row and column packets per block in their own PT/SSRC/seq space', () => {
    const s = encodeStream(12, 4, 3, 100);
    expect(s.fec.length).toBe(3 + 4);
    const fec = s.fec.map(parseRtp);
    expect(fec.map((p) => p.sequenceNumber)).toEqual([65535, 0, 1, 2, 3, 4, 5]);
    expect(fec.every((p) => p.payloadType === 120 && p.ssrc === 0x99)).toBe(true);
    const hdrs = fec.map((p) => parseParityFec(p.payload));
    expect(hdrs.map((h) => [h.kind, h.snBase, h.count, h.stride])).toEqual([
      ['row', 100, 4, 1],
      ['row', 104, 4, 1],
      ['column', 100, 3, 4],
      ['column', 101, 3, 4],
      ['column', 102, 3, 4],
      ['row', 108, 4, 1],
      ['column', 103, 3, 4],
    ]);
    expect(s.fecAfter).toEqual([3, 7, 8, 9, 10, 11, 11]);
    expect(hdrs.every((h) => h.mediaSsrc === MEDIA_SSRC)).toBe(true);
  });

  it('closes a block early on a sequence gap, protecting the partial groups', () => {
    const enc = new ParityFecEncoder({ L: 3, D: 1, payloadType: 120, ssrc: 1 });
    expect(enc.push(mediaPacket(10, 0), 10)).toEqual([]);
    expect(enc.push(mediaPacket(11, 1), 11)).toEqual([]);
    const out = enc.push(mediaPacket(20, 2), 20); // gap: flushes the [10, 11] row
    expect(out.map((b) => parseParityFec(parseRtp(b).payload)).map((h) => [h.snBase, h.count])).toEqual([[10, 2]]);
    expect(() => enc.push(mediaPacket(21, 3), 22)).toThrow(RtpFieldError);
    expect(() => new ParityFecEncoder({ L: 3, D: 1, payloadType: 120, ssrc: 1, layout: 'column' })).toThrow(RtpFieldError);
  });
});

describe('ParityFecDecoder', () => {
  it('1-D rows repair one loss per group, byte-exact, across the sequence wrap', () => {
    const s = encodeStream(25, 5, 1, 65530);
    const lost = new Set([0, 7, 13, 19, 24]);
    const rebuilt = receive(s, lost);
    expect([...rebuilt.keys()].sort((a, b) => a - b)).toEqual([...lost]);
    for (const [i, r] of rebuilt) expect(r).toEqual(s.media[i]);
  });

  it('1-D rows cannot repair two losses in one group', () => {
    const s = encodeStream(20, 5, 1, 0);
    const rebuilt = receive(s, new Set([5, 8, 12]));
    expect([...rebuilt.keys()]).toEqual([12]);
  });

  it('2-D repairs a whole lost row through the columns', () => {
    const L = 4;
    const D = 4;
    for (let row = 0; row < D; row++) {
      const s = encodeStream(L * D, L, D, 65533);
      const lost = new Set(Array.from({ length: L }, (_, c) => row * L + c));
      const rebuilt = receive(s, lost);
      expect([...rebuilt.keys()].sort((a, b) => a - b)).toEqual([...lost]);
      for (const [i, r] of rebuilt) expect(r).toEqual(s.media[i]);
    }
  });

  it('2-D iterates: a lost row plus a second loss in a column is repaired by row, then column', () => {
    // L=3, D=3. Lose row 1 (3,4,5) and packet 6 (column 0, row 2): column 0 then has 2 losses
    // (3 and 6) until row 2's FEC repairs 6; then column 0 repairs 3.
    const s = encodeStream(9, 3, 3, 500);
    const lost = new Set([3, 4, 5, 6]);
    const rebuilt = receive(s, lost);
    expect(new Set(rebuilt.keys())).toEqual(lost);
    for (const [i, r] of rebuilt) expect(r).toEqual(s.media[i]);
  });

  it('2-D rebuilds every packet when each row loses at most one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 9, maxLength: 9 }), fc.integer({ min: 0, max: 65535 }), (cols, seq0) => {
        const s = encodeStream(36, 4, 3, seq0);
        const lost = new Set(cols.flatMap((c, row) => (c >= 0 ? [row * 4 + c] : [])));
        const rebuilt = receive(s, lost);
        expect(new Set(rebuilt.keys())).toEqual(lost);
        for (const [i, r] of rebuilt) expect(r).toEqual(s.media[i]);
      }),
      { numRuns: 40 },
    );
  });

  it('under any loss pattern only lost packets are rebuilt, byte-exact', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }), fc.integer({ min: 0, max: 65535 }), (mask, seq0) => {
        const s = encodeStream(36, 4, 3, seq0);
        const lost = new Set(mask.flatMap((l, i) => (l ? [i] : [])));
        for (const [i, r] of receive(s, lost)) {
          expect(lost.has(i)).toBe(true);
          expect(r).toEqual(s.media[i]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('accepts FEC before media, ignores other SSRCs and duplicates', () => {
    const s = encodeStream(4, 4, 1, 7);
    const dec = new ParityFecDecoder();
    expect(dec.addFec(s.fec[0])).toBe(true);
    expect(dec.addMedia(s.media[0])).toBe(true);
    expect(dec.addMedia(s.media[0])).toBe(false);
    const other = parseRtp(s.media[1]);
    expect(dec.addMedia(serializeRtp({ ...other, ssrc: 5 }))).toBe(false);
    expect(dec.recover()).toEqual([]);
    dec.addMedia(s.media[1]);
    dec.addMedia(s.media[3]);
    expect(dec.recover()).toEqual([s.media[2]]);
    expect(dec.recover()).toEqual([]);
  });
});
