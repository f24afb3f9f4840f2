/**
 * XOR parity FEC on the send side (RFC 5109 recovery rules, FlexFEC L×D layouts of RFC 8627):
 * every media-stream packet as it goes on the wire (after RED, if RED is on) is fed to the
 * parity encoder; the FEC packets it completes are sent right after it, on the 'fec' lane, in
 * their own SSRC / payload type / sequence space.
 *
 * Layouts: 'row' protects each row of L consecutive packets (one loss per row); '2d' adds a
 * column FEC over every L-th packet of an L×D block, so a lost row (a burst of up to L) is
 * rebuilt from the columns.
 */
import { JitterlabError } from '../core/errors.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { ParityFecEncoder } from '../rtp/parity-fec.ts';
import { parseRtp } from '../rtp/packet.ts';
import type { OutgoingPacket, SendStage } from './media-sender.ts';

export interface ParityStageOptions {
  layout: 'row' | '2d';
  L: number;
  D: number;
  payloadType: number;
  /** SSRC of the FEC stream. */
  ssrc: number;
  /** First sequence number of the FEC stream. */
  initialSeq: number;
}

export class ParitySendStage implements SendStage {
  private readonly encoder: ParityFecEncoder;

  constructor(opts: ParityStageOptions) {
    if (opts.layout === '2d' && opts.D < 2) throw new JitterlabError('scenario', `sender.parityFec: layout 2d needs D >= 2 (got ${opts.D})`);
    // 'row' with D > 1 is the same as D = 1: rows only.
    this.encoder = new ParityFecEncoder({
      L: opts.L,
      D: opts.layout === 'row' ? 1 : opts.D,
      payloadType: opts.payloadType,
      ssrc: opts.ssrc,
      initialSeq: opts.initialSeq,
      layout: opts.layout === 'row' ? 'row' : 'row+column',
    });
  }

  process(media: RtpPacket, out: OutgoingPacket[]): void {
    const wire = out[0];
    for (const bytes of this.encoder.push(wire.bytes, media.sequenceNumber)) {
      const h = parseRtp(bytes);
      out.push({ lane: 'fec', bytes, frameIndex: -1, seq: h.sequenceNumber, timestamp: h.timestamp, kind: 'fec' });
    }
  }
}
