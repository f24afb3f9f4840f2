import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RtcpFieldError,
  RtcpParseError,
  buildTwccFeedback,
  nackItemsFromSeqs,
  parseRtcp,
  seqAdd,
  seqDiff,
  seqsFromNackItems,
  serializeRtcp,
  tryParseRtcp,
  twccArrivalTimesMs,
  type RtcpPacket,
  type RtcpReportBlock,
  type TwccPacketStatus,
  type XrVoipMetricsBlock,
} from '../../src/rtp/index.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (h) => parseInt(h, 16));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });

const arbReport: fc.Arbitrary<RtcpReportBlock> = fc.record({
  ssrc: u32,
  fractionLost: u8,
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  extendedHighestSeq: u32,
  jitter: u32,
  lsr: u32,
  dlsr: u32,
});
const words = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.integer({ min: 0, max }).chain((w) => fc.uint8Array({ minLength: 4 * w, maxLength: 4 * w }));

const arbVoip: fc.Arbitrary<XrVoipMetricsBlock> = fc.record({
  kind: fc.constant('voip-metrics' as const),
  ssrc: u32,
  lossRate: u8,
  discardRate: u8,
  burstDensity: u8,
  gapDensity: u8,
  burstDuration: u16,
  gapDuration: u16,
  roundTripDelay: u16,
  endSystemDelay: u16,
  signalLevel: fc.integer({ min: -128, max: 127 }),
  noiseLevel: fc.integer({ min: -128, max: 127 }),
  rerl: u8,
  gmin: u8,
  rFactor: u8,
  extRFactor: u8,
  mosLq: u8,
  mosCq: u8,
  rxConfig: fc.record({ plc: fc.integer({ min: 0, max: 3 }), jba: fc.integer({ min: 0, max: 3 }), jbRate: fc.integer({ min: 0, max: 15 }) }),
  jbNominal: u16,
  jbMaximum: u16,
  jbAbsMax: u16,
});

const arbTwccStatus: fc.Arbitrary<TwccPacketStatus> = fc.oneof(
  fc.constant({ status: 'not-received' as const }),
  fc.record({ status: fc.constant('small-delta' as const), delta: u8 }),
  fc.record({ status: fc.constant('large-delta' as const), delta: fc.integer({ min: -0x8000, max: 0x7fff }) }),
);
/** Runs of one status mixed with random ones, to exercise run-length and both vector chunks. */
const arbTwccStatuses = fc
  .array(fc.tuple(arbTwccStatus, fc.integer({ min: 1, max: 40 }), fc.boolean()), { maxLength: 12 })
  .map((parts) => parts.flatMap(([s, n, run]) => (run ? new Array<TwccPacketStatus>(n).fill(s) : [s])));

const arbRtcp: fc.Arbitrary<RtcpPacket> = fc.oneof(
  fc.record({
    type: fc.constant('sr' as const),
    ssrc: u32,
    ntpSeconds: u32,
    ntpFraction: u32,
    rtpTimestamp: u32,
    packetCount: u32,
    octetCount: u32,
    reports: fc.array(arbReport, { maxLength: 4 }),
    profileExtension: words(2),
  }),
  fc.record({ type: fc.constant('rr' as const), ssrc: u32, reports: fc.array(arbReport, { maxLength: 4 }), profileExtension: words(2) }),
  fc.record({
    type: fc.constant('nack' as const),
    senderSsrc: u32,
    mediaSsrc: u32,
    items: fc.array(fc.record({ pid: u16, blp: u16 }), { maxLength: 5 }),
  }),
  fc.record({
    type: fc.constant('xr' as const),
    ssrc: u32,
    blocks: fc.array(
      fc.oneof(
        arbVoip,
        fc.record({
          kind: fc.constant('unknown' as const),
          blockType: u8.filter((b) => b !== 7),
          typeSpecific: u8,
          body: words(3),
        }),
      ),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    type: fc.constant('twcc' as const),
    senderSsrc: u32,
    mediaSsrc: u32,
    baseSeq: u16,
    referenceTime: fc.integer({ min: 0, max: 0xffffff }),
    fbPktCount: u8,
    packets: arbTwccStatuses,
  }),
  fc.record({
    type: fc.constant('unknown' as const),
    packetType: fc.constantFrom(202, 203, 204, 206),
    countOrFmt: fc.integer({ min: 0, max: 31 }),
    body: words(4),
  }),
);

describe('RTCP SR/RR (RFC 3550 6.4)', () => {
  it('parses a hand-assembled SR with one report block (negative cumulative loss)', () => {
    const bytes = hex(
      '81c8000c 01020304 e1234567 80000000 00003c00 00000064 00001f40' +
        ' 0a0b0c0d 40fffffe 0001ffff 00000020 b7052000 00054000',
    );
    expect(parseRtcp(bytes)).toEqual([
      {
        type: 'sr',
        ssrc: 0x01020304,
        ntpSeconds: 0xe1234567,
        ntpFraction: 0x80000000,
        rtpTimestamp: 0x3c00,
        packetCount: 100,
        octetCount: 8000,
        reports: [
          { ssrc: 0x0a0b0c0d, fractionLost: 64, cumulativeLost: -2, extendedHighestSeq: 0x1ffff, jitter: 32, lsr: 0xb7052000, dlsr: 0x54000 },
        ],
        profileExtension: new Uint8Array(0),
      },
    ]);
    expect(serializeRtcp(parseRtcp(bytes))).toEqual(bytes);
  });

  it('honours the P bit and rejects impossible pad counts', () => {
    expect(parseRtcp(hex('a0c90002 00000001 00000004'))).toEqual([
      { type: 'rr', ssrc: 1, reports: [], profileExtension: new Uint8Array(0) },
    ]);
    const r = tryParseRtcp(hex('a0c90001 00000000'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.error.reason, r.error.offset]).toEqual(['padding', 7]);
  });

  it('rejects unrepresentable fields with RtcpFieldError', () => {
    const rr = (cumulativeLost: number): RtcpPacket => ({
      type: 'rr',
      ssrc: 1,
      reports: [{ ssrc: 2, fractionLost: 0, cumulativeLost, extendedHighestSeq: 0, jitter: 0, lsr: 0, dlsr: 0 }],
      profileExtension: new Uint8Array(0),
    });
    expect(() => serializeRtcp([rr(0x800000)])).toThrow(RtcpFieldError);
    expect(() => serializeRtcp([rr(-0x800001)])).toThrow(RtcpFieldError);
    expect(serializeRtcp([rr(-0x800000)]).length).toBe(32);
  });
});

describe('generic NACK (RFC 4585 6.2.1)', () => {
  it('has the RTPFB FMT 1 layout', () => {
    const bytes = serializeRtcp([{ type: 'nack', senderSsrc: 1, mediaSsrc: 2, items: nackItemsFromSeqs([65534, 0, 65535, 15, 16]) }]);
    // PID 65534 with BLP bits for +1 (65535) and +2 (0); 15 is 17 past 65534, so a new item (PID 15, +1 = 16).
    expect(bytes).toEqual(hex('81cd0004 00000001 00000002 fffe0003 000f0001'));
  });

  it('items from missing seqs round-trip (wrap-aware, duplicates merged)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { maxLength: 60 }), (base, offs) => {
        const seqs = offs.map((o) => seqAdd(base, o));
        const items = nackItemsFromSeqs([...seqs, ...seqs.slice(0, 3)]);
        const sorted = [...offs].sort((a, b) => a - b).map((o) => seqAdd(base, o));
        expect(seqsFromNackItems(items)).toEqual(sorted);
        // Greedy packing: each item starts beyond the 16-seq reach of the previous one.
        for (let k = 1; k < items.length; k++) expect(seqDiff(items[k].pid, items[k - 1].pid)).toBeGreaterThan(16);
        const parsed = parseRtcp(serializeRtcp([{ type: 'nack', senderSsrc: 9, mediaSsrc: 8, items }]));
        expect(parsed).toEqual([{ type: 'nack', senderSsrc: 9, mediaSsrc: 8, items }]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('XR VoIP Metrics (RFC 3611 4.7)', () => {
  it('parses a hand-assembled block field by field', () => {
    const bytes = hex(
      '80cf000a 00000001 07000008 0a0b0c0d' +
        ' 0c1a4020 01f40bb8 0096003c ba9c7f10 5d5e2a26 f6000028 00780190',
    );
    expect(parseRtcp(bytes)).toEqual([
      {
        type: 'xr',
        ssrc: 1,
        blocks: [
          {
            kind: 'voip-metrics',
            ssrc: 0x0a0b0c0d,
            lossRate: 12,
            discardRate: 26,
            burstDensity: 64,
            gapDensity: 32,
            burstDuration: 500,
            gapDuration: 3000,
            roundTripDelay: 150,
            endSystemDelay: 60,
            signalLevel: -70,
            noiseLevel: -100,
            rerl: 127,
            gmin: 16,
            rFactor: 93,
            extRFactor: 94,
            mosLq: 42,
            mosCq: 38,
            rxConfig: { plc: 3, jba: 3, jbRate: 6 },
            jbNominal: 40,
            jbMaximum: 120,
            jbAbsMax: 400,
          },
        ],
      },
    ]);
    expect(serializeRtcp(parseRtcp(bytes))).toEqual(bytes);
  });

  it('rejects a VoIP Metrics block of the wrong length', () => {
    const r = tryParseRtcp(hex('80cf0003 00000001 07000001 00000000'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe('field');
  });
});

describe('transport-wide CC feedback (draft-holmer-...-01)', () => {
  it('parses a hand-assembled packet (2-bit vector, small + large delta, zero padding, seq wrap)', () => {
    const bytes = hex('8fcd0006 00000001 00000002 fffe0003 00010207 d800 10 ff38 000000');
    const [fb] = parseRtcp(bytes);
    expect(fb).toEqual({
      type: 'twcc',
      senderSsrc: 1,
      mediaSsrc: 2,
      baseSeq: 0xfffe,
      referenceTime: 0x102,
      fbPktCount: 7,
      packets: [{ status: 'small-delta', delta: 16 }, { status: 'large-delta', delta: -200 }, { status: 'not-received' }],
    });
    if (fb.type !== 'twcc') throw new Error('unreachable');
    expect(twccArrivalTimesMs(fb)).toEqual([0x102 * 64 + 4, 0x102 * 64 + 4 - 50, null]);
  });

  it('decodes the draft examples of a run-length chunk (221 × small delta) and a 1-bit vector', () => {
    const head = (count: number): string => `00000001 00000002 0000 ${count.toString(16).padStart(4, '0')} 00000000`;
    const rl = hex(head(221) + '20dd' + '00'.repeat(221) + '00'.repeat((4 - ((16 + 2 + 221) % 4)) % 4));
    const packet = new Uint8Array(4 + rl.length);
    packet.set(hex('8fcd'), 0);
    packet[2] = (rl.length / 4) >> 8;
    packet[3] = (rl.length / 4) & 0xff;
    packet.set(rl, 4);
    const [a] = parseRtcp(packet);
    expect(a.type === 'twcc' && a.packets.length === 221 && a.packets.every((p) => p.status === 'small-delta')).toBe(true);
    // 1 | 0 | 11100101000101: received ×3, lost ×2, received, lost, received, lost ×3, received, lost, received.
    const sv = hex('8fcd0007 ' + head(14) + 'b945 01020304050607 000000');
    const [b] = parseRtcp(sv);
    if (b.type !== 'twcc') throw new Error('unreachable');
    expect(b.packets.map((p) => (p.status === 'not-received' ? 0 : 1))).toEqual([1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1]);
    expect(b.packets.flatMap((p) => (p.status === 'small-delta' ? [p.delta] : []))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects the reserved status symbol and missing deltas', () => {
    const bad = tryParseRtcp(hex('8fcd0005 00000001 00000002 00000001 00000000 6001 0000'));
    expect(bad.ok === false && bad.error.reason === 'field').toBe(true);
    const short = tryParseRtcp(hex('8fcd0005 00000001 00000002 00000002 00000000 4002 0000'));
    expect(short.ok === false && short.error.reason === 'length').toBe(true);
  });

  it('builds feedback from arrival times and reads them back to 250 µs', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.array(fc.option(fc.double({ min: -500, max: 2000, noNaN: true }), { nil: null }), { minLength: 1, maxLength: 80 }),
        (t0, offsets) => {
          const arrivals = offsets.map((o) => (o === null ? null : t0 + Math.abs(o)));
          const fb = buildTwccFeedback({ senderSsrc: 1, mediaSsrc: 2, baseSeq: 65500, fbPktCount: 3, arrivalTimesMs: arrivals });
          const [back] = parseRtcp(serializeRtcp([fb]));
          expect(back).toEqual(fb);
          if (back.type !== 'twcc') throw new Error('unreachable');
          const wrapMs = 2 ** 24 * 64;
          twccArrivalTimesMs(back).forEach((t, i) => {
            const a = arrivals[i];
            if (a === null) expect(t).toBeNull();
            else expect(Math.abs((t as number) - (a % wrapMs))).toBeLessThanOrEqual(0.125);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('compound packets', () => {
  it('serialize∘parse round-trips arbitrary compounds of every type', () => {
    fc.assert(
      fc.property(fc.array(arbRtcp, { minLength: 1, maxLength: 4 }), (pkts) => {
        const bytes = serializeRtcp(pkts);
        expect(bytes.length % 4).toBe(0);
        expect(parseRtcp(bytes)).toEqual(pkts);
      }),
      { numRuns: 300 },
    );
  });

  it('random and mutated bytes only ever raise RtcpParseError', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        parseRtcp(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(RtcpParseError);
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        if (bytes.length > 0) bytes[0] = (bytes[0] & 0x3f) | 0x80;
        if (bytes.length > 2) bytes[2] = 0;
        check(bytes);
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(
        fc.array(arbRtcp, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.nat(), u8), { maxLength: 4 }),
        fc.nat(),
        (pkts, edits, cut) => {
          const bytes = serializeRtcp(pkts);
          for (const [i, v] of edits) bytes[i % bytes.length] = v;
          check(bytes);
          check(bytes.subarray(0, cut % (bytes.length + 1)));
        },
      ),
      { numRuns: 800 },
    );
  });
});
