import { describe, expect, it } from 'vitest';
import { parseRtcp, serializeRtcp } from '../../src/rtp/rtcp.ts';
import { SenderRtcpAgent, type ReceiverReportEvent } from '../../src/sender/rtcp-agent.ts';
import { dlrrBlock, readDlrr, readRrtr, rrtrBlock } from '../../src/sender/xr-rtt-blocks.ts';
import { ReceptionReporter } from '../../src/sim/reception-report.ts';
import { ReceiverRtcpAgent } from '../../src/sim/receiver-rtcp-agent.ts';

describe('RFC 3611 RRTR / DLRR blocks', () => {
  it('round-trip through an XR packet with the RFC layout', () => {
    const bytes = serializeRtcp([{ type: 'xr', ssrc: 5, blocks: [rrtrBlock(0xe1234567, 0x89abcdef), dlrrBlock([{ ssrc: 9, lrr: 0x45678000, dlrr: 65536 }])] }]);
    // Header 4 + SSRC 4 + RRTR (4 + 8) + DLRR (4 + 12).
    expect(bytes.length).toBe(36);
    expect([bytes[8], bytes[10], bytes[11]]).toEqual([4, 0, 2]);
    expect([bytes[20], bytes[22], bytes[23]]).toEqual([5, 0, 3]);
    const [xr] = parseRtcp(bytes);
    if (xr.type !== 'xr') throw new Error('not XR');
    expect(readRrtr(xr.blocks[0])).toEqual({ ntpSeconds: 0xe1234567, ntpFraction: 0x89abcdef });
    expect(readDlrr(xr.blocks[1])).toEqual([{ ssrc: 9, lrr: 0x45678000, dlrr: 65536 }]);
    expect(readRrtr(xr.blocks[1])).toBeNull();
  });
});

describe('RFC 3550 A.3 report block', () => {
  it('computes fraction lost over the interval and cumulative loss', () => {
    const r = new ReceptionReporter();
    const b1 = r.block(1, { extHighestSeq: 99, expected: 100, received: 90, jitterTs: 123.7 }, 0, 0);
    expect(b1).toMatchObject({ fractionLost: Math.floor((10 * 256) / 100), cumulativeLost: 10, extendedHighestSeq: 99, jitter: 123 });
    // Next interval: 50 expected, 50 received (+ 2 duplicates): nothing lost in it.
    const b2 = r.block(1, { extHighestSeq: 149, expected: 150, received: 142, jitterTs: 0 }, 0, 0);
    expect(b2).toMatchObject({ fractionLost: 0, cumulativeLost: 8 });
    const b3 = r.block(1, { extHighestSeq: 153, expected: 154, received: 143, jitterTs: 0 }, 0, 0);
    expect(b3.fractionLost).toBe(Math.floor((3 * 256) / 4));
  });
});

describe('RTCP agents', () => {
  it('measure RTT at both ends from real report bytes (SR/RR LSR/DLSR at A, RRTR/DLRR at B)', () => {
    let reception = { extHighestSeq: 1000, expected: 100, received: 97, jitterTs: 480 };
    const a = new SenderRtcpAgent({ ssrc: 0xaaaa, clockRate: 48000, ntpOffsetMs: 3.9e12, rtpTimestampAt: (t) => Math.floor(t * 48), rtx: null });
    const b = new ReceiverRtcpAgent({ ssrc: 0xbbbb, mediaSsrc: 0xaaaa, ntpOffsetMs: 3.9e12 + 777_777.5, reception: () => reception });
    const events: ReceiverReportEvent[] = [];
    a.onReceiverReport((e) => events.push(e));
    // One-way delays: A→B 35 ms, B→A 45 ms; RTT 80 ms.
    const rrAt0 = b.buildReport(100); // RR without LSR, with RRTR
    a.onRtcp(rrAt0, 145);
    expect(events[0].rttMs).toBeNull();
    expect(events[0].fractionLost).toBeCloseTo(3 / 100, 2);
    expect(events[0].jitterMs).toBe(10);
    const sr = a.buildReport(400); // SR + DLRR answering the RRTR (held 255 ms)
    b.onRtcp(sr, 435);
    expect(b.rttMs()).toBeCloseTo(80, 1);
    reception = { extHighestSeq: 1050, expected: 150, received: 147, jitterTs: 0 };
    a.onRtcp(b.buildReport(900), 945); // LSR = the SR of 400 ms, DLSR = 465 ms
    expect(events[1].rttMs).toBeCloseTo(80, 1);
    expect(a.rttMs()).toBeCloseTo(80, 1);
    expect(events[1].fractionLost).toBe(0);
  });

  it('count malformed RTCP and ignore reports about other streams', () => {
    const a = new SenderRtcpAgent({ ssrc: 1, clockRate: 48000, ntpOffsetMs: 3.9e12, rtpTimestampAt: () => 0, rtx: null });
    const b = new ReceiverRtcpAgent({ ssrc: 2, mediaSsrc: 3, ntpOffsetMs: 3.9e12, reception: () => ({ extHighestSeq: 1, expected: 1, received: 1, jitterTs: 0 }) });
    const events: ReceiverReportEvent[] = [];
    a.onReceiverReport((e) => events.push(e));
    expect(a.onRtcp(new Uint8Array([1, 2, 3]), 0)).toEqual([]);
    expect(a.malformed).toBe(1);
    a.onRtcp(b.buildReport(0), 10);
    expect(events).toHaveLength(0);
  });
});
