/** Media packets for the recovery tests: a MediaSender with the stages under test, no network. */
import { parseRtp } from '../../src/rtp/packet.ts';
import type { RtpPacket } from '../../src/rtp/header.ts';
import { MediaSender, type OutgoingPacket, type SendStage } from '../../src/sender/media-sender.ts';

export const RTP = { payloadType: 111, ssrc: 0xabcdef01, initialSeq: 65530, initialTimestamp: 0xfffff000 };
export const FRAME_TS = 960;

/** A distinct, non-DTX payload for frame i (length varies so XOR recovery of lengths is exercised). */
export function payload(i: number): Uint8Array {
  const p = new Uint8Array(20 + ((i * 7) % 23));
  p[0] = 0x78; // an Opus TOC byte
  for (let k = 1; k < p.length; k++) p[k] = (i * 31 + k * 17) & 0xff;
  return p;
}

/** Send n frames through a MediaSender; returns each frame's outgoing packets and its plain media packet. */
export function sendFrames(n: number, stages: SendStage[], opts: { skip?: (i: number) => boolean } = {}): {
  sender: MediaSender;
  perFrame: OutgoingPacket[][];
  media: Map<number, RtpPacket>;
} {
  const sender = new MediaSender(RTP, FRAME_TS, stages);
  const perFrame: OutgoingPacket[][] = [];
  const media = new Map<number, RtpPacket>();
  for (let i = 0; i < n; i++) {
    // A skipped frame is a DTX pause: the sender sends nothing, the timestamp still advances.
    const pl = opts.skip?.(i) ? new Uint8Array([0x78]) : payload(i);
    const out = sender.packetsForFrame(i, pl, i * 20);
    perFrame.push(out);
    const m = out.find((p) => p.kind === 'media');
    if (m) media.set(m.seq, sender.fromHistory(m.seq)!);
  }
  return { sender, perFrame, media };
}

export const parse = (p: OutgoingPacket): RtpPacket => parseRtp(p.bytes);
