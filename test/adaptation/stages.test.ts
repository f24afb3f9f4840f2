import { describe, expect, it } from 'vitest';
import { decodeHeaderExtensions, readTransportSeq } from '../../src/rtp/header-extension.ts';
import { parseRtp } from '../../src/rtp/packet.ts';
import { decodeRed } from '../../src/rtp/red.ts';
import { parseRtcp } from '../../src/rtp/rtcp.ts';
import { MediaSender } from '../../src/sender/media-sender.ts';
import { ParitySendStage } from '../../src/sender/parity-stage.ts';
import { RedSendStage } from '../../src/sender/red-stage.ts';
import { SwitchableStage } from '../../src/sender/adaptation/switchable-stage.ts';
import { TransportSequencer } from '../../src/sender/adaptation/transport-sequencer.ts';
import { ReceiverRtcpAgent } from '../../src/sim/receiver-rtcp-agent.ts';
import type { XrVoipMetricsBlock } from '../../src/rtp/rtcp-xr.ts';

const init = { ssrc: 1234, initialSeq: 100, initialTimestamp: 5000, payloadType: 111 };
const payload = (i: number): Uint8Array => Uint8Array.of(0x08, i, i + 1, i + 2, i + 3);

describe('transport-wide numbering around the send stages', () => {
  it('numbers every packet on the wire once, in send order: media (also inside RED) and parity FEC', () => {
    const seqr = new TransportSequencer(5);
    let redOn = true;
    const red = new SwitchableStage(new RedSendStage({ generations: 1, payloadType: 63 }), () => redOn);
    const parity = new ParitySendStage({ layout: 'row', L: 2, D: 1, payloadType: 49, ssrc: 999, initialSeq: 0 });
    const sender = new MediaSender(init, 960, [seqr.mediaStage, red, parity, seqr.extrasStage]);
    const seen: number[] = [];
    const pts: number[] = [];
    for (let i = 0; i < 6; i++) {
      if (i === 4) redOn = false;
      for (const p of sender.packetsForFrame(i, payload(i), 20 * (i + 1))) {
        const rtp = parseRtp(p.bytes);
        seen.push(readTransportSeq(rtp, 5)!);
        pts.push(rtp.payloadType);
        expect(decodeHeaderExtensions(rtp.extension!).filter((e) => e.id === 5)).toHaveLength(1);
        if (rtp.payloadType === 63) expect(Array.from(decodeRed(rtp.payload, rtp.timestamp).at(-1)!.payload)).toEqual(Array.from(payload(i)));
      }
    }
    // Frames 0..5, a parity packet after every second one; RED until frame 4.
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(pts).toEqual([63, 63, 49, 63, 63, 49, 111, 111, 49]);
    // The retransmission history holds the packet as sent (with its number).
    expect(readTransportSeq(sender.fromHistory(100)!, 5)).toBe(0);
  });
});

describe('receiver reports with the VoIP Metrics block', () => {
  it('carry the extra XR block after the RRTR, as real bytes', () => {
    const block: XrVoipMetricsBlock = {
      kind: 'voip-metrics', ssrc: 1234, lossRate: 5, discardRate: 1, burstDensity: 0, gapDensity: 5, burstDuration: 0, gapDuration: 2000,
      roundTripDelay: 80, endSystemDelay: 90, signalLevel: 127, noiseLevel: 127, rerl: 127, gmin: 16, rFactor: 80, extRFactor: 127,
      mosLq: 41, mosCq: 40, rxConfig: { plc: 2, jba: 2, jbRate: 0 }, jbNominal: 60, jbMaximum: 60, jbAbsMax: 60,
    };
    const agent = new ReceiverRtcpAgent({ ssrc: 7, mediaSsrc: 1234, ntpOffsetMs: 3.9e12, reception: () => null, extraXrBlocks: () => [block] });
    const xr = parseRtcp(agent.buildReport(1000)).find((p) => p.type === 'xr');
    expect(xr?.type === 'xr' && xr.blocks.map((b) => b.kind)).toEqual(['unknown', 'voip-metrics']);
    expect(xr?.type === 'xr' && xr.blocks[1]).toEqual(block);
  });
});
