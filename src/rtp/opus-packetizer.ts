/**
 * Opus over RTP, RFC 7587: one Opus packet per RTP packet, RTP clock fixed at 48 kHz whatever
 * rate the codec runs at (section 4.1), marker bit on the first packet of a talkspurt after
 * DTX silence (RFC 3551 section 4.1, RFC 7587 section 4.1).
 */
import { checkRtpInt } from './errors.ts';
import type { RtpPacket } from './header.ts';
import { seqAdd, tsAdd } from './wrap.ts';

export const OPUS_RTP_CLOCK_HZ = 48000;

export interface OpusPacketizerOptions {
  payloadType: number;
  ssrc: number;
  /** Sequence number of the first packet (the caller draws it from the seed, RFC 3550 5.1). */
  initialSeq: number;
  /** RTP timestamp at offset 0 (drawn from the seed by the caller). */
  initialTimestamp: number;
}

export interface OpusFrameToSend {
  /** One complete Opus packet (RFC 6716 section 3), possibly carrying several frames. */
  payload: Uint8Array;
  /** Media time of the first sample since stream start, in 48 kHz ticks. */
  timestampOffset48k: number;
  /** True for the first packet after silence (DTX): sets the marker bit. */
  talkspurtStart: boolean;
}

export class OpusPacketizer {
  private nextSeq: number;

  constructor(private readonly opts: OpusPacketizerOptions) {
    checkRtpInt('payloadType', opts.payloadType, 0, 127);
    checkRtpInt('ssrc', opts.ssrc, 0, 0xffffffff);
    checkRtpInt('initialSeq', opts.initialSeq, 0, 0xffff);
    checkRtpInt('initialTimestamp', opts.initialTimestamp, 0, 0xffffffff);
    this.nextSeq = opts.initialSeq;
  }

  /** Sequence number the next packet will get. */
  get sequenceNumber(): number {
    return this.nextSeq;
  }

  packetize(frame: OpusFrameToSend): RtpPacket {
    checkRtpInt('timestampOffset48k', frame.timestampOffset48k, 0, Number.MAX_SAFE_INTEGER);
    const seq = this.nextSeq;
    this.nextSeq = seqAdd(seq, 1);
    return {
      version: 2,
      padding: 0,
      marker: frame.talkspurtStart,
      payloadType: this.opts.payloadType,
      sequenceNumber: seq,
      timestamp: tsAdd(this.opts.initialTimestamp, frame.timestampOffset48k),
      ssrc: this.opts.ssrc,
      csrcs: [],
      extension: null,
      payload: frame.payload,
    };
  }
}
