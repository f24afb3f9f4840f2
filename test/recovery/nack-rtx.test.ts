import { describe, expect, it } from 'vitest';
import { NackGenerator } from '../../src/recovery/nack-generator.ts';
import { RtxRecoveryStage } from '../../src/recovery/rtx-stage.ts';
import { parseRtcp } from '../../src/rtp/rtcp.ts';
import { serializeRtcpPacket } from '../../src/rtp/rtcp.ts';
import { nackItemsFromSeqs, type RtcpGenericNack } from '../../src/rtp/rtcp-nack.ts';
import { RedSendStage } from '../../src/sender/red-stage.ts';
import { RtxResponder } from '../../src/sender/rtx-responder.ts';
import { FRAME_TS, parse, payload, RTP, sendFrames } from './helpers.ts';

function gen(opts: { maxRetries?: number; retryIntervalMs?: number | null; rtt?: number | null; playTs?: number | null } = {}) {
  const sent: Array<{ t: number; seqs: number[] }> = [];
  const state = { rtt: opts.rtt ?? null, playTs: opts.playTs ?? null };
  const g = new NackGenerator({
    maxRetries: opts.maxRetries ?? 3,
    retryIntervalMs: opts.retryIntervalMs === undefined ? null : opts.retryIntervalMs,
    frameTs: 960,
    rttMs: () => state.rtt,
    playoutTs: () => state.playTs,
    send: (seqs, t) => sent.push({ t, seqs: [...seqs] }),
  });
  return { g, sent, state };
}

describe('NACK generator (RFC 4585 generic NACK list)', () => {
  it('asks at once for a gap, across the 16-bit wrap, and not again for packets that arrive', () => {
    const { g, sent } = gen({ rtt: 40 });
    g.onReceived(65533, 1000, 0);
    g.onReceived(1, 1000 + 4 * 960, 20); // 65534, 65535, 0 missing
    expect(sent).toEqual([{ t: 20, seqs: [65534, 65535, 0] }]);
    g.onReceived(65535, 1000 + 2 * 960, 30); // a late one (or a repair) arrives
    g.process(100); // retry after max(20, 1.5 × 40) = 60 ms
    expect(sent[1]).toEqual({ t: 100, seqs: [65534, 0] });
    expect(g.nackPacketsSent).toBe(2);
    expect(g.seqsRequested).toBe(5);
  });

  it('retries every interval (1.5 × RTT, 100 ms RTT before the first estimate) and gives up after maxRetries', () => {
    const { g, sent } = gen({ maxRetries: 2 });
    g.onReceived(10, 0, 0);
    g.onReceived(12, 1920, 20);
    for (let t = 20; t <= 1000; t += 10) g.process(t);
    expect(sent.map((s) => s.t)).toEqual([20, 170]);
    expect(g.gaveUpRetries).toBe(1);
    expect(g.pending).toBe(0);
  });

  it('uses a configured retry interval', () => {
    const { g, sent } = gen({ retryIntervalMs: 30, maxRetries: 3 });
    g.onReceived(10, 0, 0);
    g.onReceived(12, 1920, 20);
    for (let t = 20; t <= 200; t += 10) g.process(t);
    expect(sent.map((s) => s.t)).toEqual([20, 50, 80]);
  });

  it('gives up on a packet once its playout time has passed', () => {
    const { g, sent, state } = gen({ rtt: 40 });
    g.onReceived(10, 96000, 0);
    g.onReceived(13, 96000 + 3 * 960, 20); // 11 at ts 96960, 12 at 97920
    expect(sent[0].seqs).toEqual([11, 12]);
    state.playTs = 97000; // frame of seq 11 played (concealed) already
    g.process(200);
    expect(sent[1].seqs).toEqual([12]);
    expect(g.gaveUpDeadline).toBe(1);
  });
});

describe('RTX (RFC 4588) responder and receive stage', () => {
  const nackFor = (seqs: number[]): RtcpGenericNack => {
    const bytes = serializeRtcpPacket({ type: 'nack', senderSsrc: 7, mediaSsrc: RTP.ssrc, items: nackItemsFromSeqs(seqs) });
    return parseRtcp(bytes)[0] as RtcpGenericNack;
  };

  it('resends the packets asked for in its own SSRC, PT and seq space; the receiver restores them exactly', () => {
    const { sender, media } = sendFrames(10, []);
    const rtx = new RtxResponder(sender, { payloadType: 97, ssrc: 0x77, initialSeq: 65535, historyMs: 1000 });
    const seqs = [(RTP.initialSeq + 3) & 0xffff, (RTP.initialSeq + 7) & 0xffff];
    const out = rtx.onNack(nackFor(seqs), 300);
    expect(out.map((p) => [p.lane, p.kind, p.seq])).toEqual([
      ['rtx', 'rtx', 65535],
      ['rtx', 'rtx', 0],
    ]);
    const stage = new RtxRecoveryStage({ rtxPayloadType: 97, associatedPayloadType: RTP.payloadType, mediaSsrc: RTP.ssrc, nack: null });
    const restored = out.flatMap((p) => stage.onPacket(parse(p), 320, 'primary'));
    expect(restored.map((r) => r.origin)).toEqual(['rtx', 'rtx']);
    expect(restored.map((r) => r.packet)).toEqual(seqs.map((s) => media.get(s)));
    expect(stage.stats()).toEqual({ packetsReceived: 2, bytesReceived: payload(3).length + payload(7).length, rebuilt: 2, malformed: 0 });
    expect(rtx.bytesSent).toBe(out.reduce((n, p) => n + p.bytes.length, 0));
  });

  it('resends the packet as it went on the wire (RED) and restores it with the apt payload type', () => {
    const { sender } = sendFrames(6, [new RedSendStage({ generations: 1, payloadType: 63 })]);
    const rtx = new RtxResponder(sender, { payloadType: 98, ssrc: 0x77, initialSeq: 0, historyMs: 1000 });
    const seq = (RTP.initialSeq + 4) & 0xffff;
    const [p] = rtx.onNack(nackFor([seq]), 200);
    const stage = new RtxRecoveryStage({ rtxPayloadType: 98, associatedPayloadType: 63, mediaSsrc: RTP.ssrc, nack: null });
    const [r] = stage.onPacket(parse(p), 220, 'primary');
    expect(r.packet.payloadType).toBe(63);
    expect(r.packet.timestamp).toBe((RTP.initialTimestamp + 4 * FRAME_TS) >>> 0);
  });

  it('does not resend packets older than historyMs, unknown ones, or one resent less than an RTT ago', () => {
    const { sender } = sendFrames(60, []); // frame i sent at 20 i ms
    const rtt = 50;
    const rtx = new RtxResponder(sender, { payloadType: 97, ssrc: 1, initialSeq: 0, historyMs: 500, rttMs: () => rtt });
    const seqOf = (i: number) => (RTP.initialSeq + i) & 0xffff;
    expect(rtx.onNack(nackFor([seqOf(10)]), 1200)).toHaveLength(0); // sent at 200 ms: 1000 ms old
    expect(rtx.onNack(nackFor([seqOf(50)]), 1200)).toHaveLength(1);
    expect(rtx.onNack(nackFor([seqOf(50)]), 1230)).toHaveLength(0); // within one RTT
    expect(rtx.onNack(nackFor([seqOf(50)]), 1260)).toHaveLength(1);
    expect(rtx.onNack(nackFor([(RTP.initialSeq + 100) & 0xffff]), 1300)).toHaveLength(0); // never sent
    expect(rtx.requestsIgnored).toBe(3);
  });

  it('tells the NACK list about every media packet that becomes known', () => {
    const { g, sent } = gen({ rtt: 40 });
    const stage = new RtxRecoveryStage({ rtxPayloadType: 97, associatedPayloadType: RTP.payloadType, mediaSsrc: RTP.ssrc, nack: g });
    const { perFrame } = sendFrames(4, []);
    for (const i of [0, 3]) stage.onMedia(parse(perFrame[i][0]), i * 20, { origin: 'primary', wire: true });
    expect(sent[0].seqs).toEqual([(RTP.initialSeq + 1) & 0xffff, (RTP.initialSeq + 2) & 0xffff]);
    stage.onMedia(parse(perFrame[1][0]), 70, { origin: 'red', wire: false });
    g.process(200);
    expect(sent[1].seqs).toEqual([(RTP.initialSeq + 2) & 0xffff]);
  });
});
