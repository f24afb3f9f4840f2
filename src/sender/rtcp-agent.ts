/**
 * The sender's (A's) RTCP endpoint: it writes sender reports (RFC 3550 6.4.1), reads the
 * receiver's reports and feedback, and measures RTT from them.
 *
 * - SR every report interval: NTP time, the RTP timestamp of that instant, packet and octet
 *   counts. When the receiver has sent an RFC 3611 RRTR block, the SR compound carries a DLRR
 *   block answering it, so the receiver can measure RTT too (src/sim/xr-rtt-blocks.ts).
 * - RR from the receiver: RTT = arrival − LSR − DLSR (RFC 3550 6.4.1); listeners registered
 *   with `onReceiverReport` get every report block about our stream with that RTT (the hook
 *   for sender adaptation: bitrate / FEC driven by reported loss and RTT).
 * - Generic NACK (RFC 4585): handed to the RTX responder; its retransmissions are returned.
 *
 * Time is passed in; `ntpOffsetMs` maps the caller's ms clock onto NTP time (ms since 1900).
 */
import { ntpFromMs, ntpMiddle32, ntpShortToMs, msToNtpShort, rttFromReport, ntpMiddle32FromParts } from '../rtp/rtt.ts';
import type { RtcpReportBlock } from '../rtp/rtcp-report.ts';
import { serializeRtcp, tryParseRtcp, type RtcpPacket } from '../rtp/rtcp.ts';
import { dlrrBlock, readRrtr } from './xr-rtt-blocks.ts';
import type { OutgoingPacket } from './media-sender.ts';
import type { RtxResponder } from './rtx-responder.ts';

export interface ReceiverReportEvent {
  /** SSRC of the reporting receiver. */
  reporterSsrc: number;
  block: RtcpReportBlock;
  /** Fraction lost since the previous report, 0..1. */
  fractionLost: number;
  /** Interarrival jitter (ms). */
  jitterMs: number;
  /** RTT from this block's LSR/DLSR (ms), or null when it reflects no SR yet. */
  rttMs: number | null;
}

export type ReceiverReportListener = (report: ReceiverReportEvent, nowMs: number) => void;

export interface SenderRtcpAgentOptions {
  /** Our media SSRC. */
  ssrc: number;
  clockRate: number;
  ntpOffsetMs: number;
  /** RTP timestamp (32 bit) of the media clock at `nowMs`. */
  rtpTimestampAt: (nowMs: number) => number;
  rtx: RtxResponder | null;
}

export class SenderRtcpAgent {
  private rtt: number | null = null;
  private readonly listeners: ReceiverReportListener[] = [];
  private rrtr: { ssrc: number; lrr: number; atMs: number } | null = null;
  /** RTP packets and payload octets sent (SR sender info). */
  private packets = 0;
  private octets = 0;
  reportsSent = 0;
  reportsReceived = 0;
  nacksReceived = 0;
  malformed = 0;

  constructor(private readonly opts: SenderRtcpAgentOptions) {}

  /** Register a listener for receiver reports (called in arrival order). */
  onReceiverReport(listener: ReceiverReportListener): void {
    this.listeners.push(listener);
  }

  /** Count one RTP packet sent in the media stream (SR packet and octet counts, RFC 3550 6.4.1). */
  noteSent(payloadBytes: number): void {
    this.packets = (this.packets + 1) >>> 0;
    this.octets = (this.octets + payloadBytes) % 0x100000000;
  }

  /** Latest RTT measured at the sender from receiver reports (ms), or null. */
  rttMs(): number | null {
    return this.rtt;
  }

  private ntpMs(nowMs: number): number {
    return this.opts.ntpOffsetMs + nowMs;
  }

  /** The compound packet to send at `nowMs`: SR, plus a DLRR block when an RRTR is pending. */
  buildReport(nowMs: number): Uint8Array {
    const ntp = ntpFromMs(this.ntpMs(nowMs));
    const packets: RtcpPacket[] = [
      {
        type: 'sr',
        ssrc: this.opts.ssrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: this.opts.rtpTimestampAt(nowMs),
        packetCount: this.packets,
        octetCount: this.octets,
        reports: [],
        profileExtension: new Uint8Array(0),
      },
    ];
    if (this.rrtr) {
      const dlrr = msToNtpShort(nowMs - this.rrtr.atMs) >>> 0;
      packets.push({ type: 'xr', ssrc: this.opts.ssrc, blocks: [dlrrBlock([{ ssrc: this.rrtr.ssrc, lrr: this.rrtr.lrr, dlrr }])] });
    }
    this.reportsSent++;
    return serializeRtcp(packets);
  }

  /** An RTCP compound packet from the receiver arrives at `nowMs`; returns the retransmissions to send now. */
  onRtcp(bytes: Uint8Array, nowMs: number): OutgoingPacket[] {
    const parsed = tryParseRtcp(bytes);
    if (!parsed.ok) {
      this.malformed++;
      return [];
    }
    const out: OutgoingPacket[] = [];
    for (const p of parsed.packets) {
      if (p.type === 'rr' || p.type === 'sr') {
        for (const block of p.reports) if (block.ssrc === this.opts.ssrc) this.onReportBlock(p.ssrc, block, nowMs);
      } else if (p.type === 'xr') {
        for (const b of p.blocks) {
          const r = readRrtr(b);
          if (r) this.rrtr = { ssrc: p.ssrc, lrr: ntpMiddle32FromParts(r.ntpSeconds, r.ntpFraction), atMs: nowMs };
        }
      } else if (p.type === 'nack') {
        this.nacksReceived++;
        if (this.opts.rtx) out.push(...this.opts.rtx.onNack(p, nowMs));
      }
    }
    return out;
  }

  private onReportBlock(reporterSsrc: number, block: RtcpReportBlock, nowMs: number): void {
    this.reportsReceived++;
    const units = rttFromReport(ntpMiddle32(this.ntpMs(nowMs)), block.lsr, block.dlsr);
    const rttMs = units === null || units < 0 ? null : ntpShortToMs(units);
    if (rttMs !== null) this.rtt = rttMs;
    const ev: ReceiverReportEvent = {
      reporterSsrc,
      block,
      fractionLost: block.fractionLost / 256,
      jitterMs: (block.jitter * 1000) / this.opts.clockRate,
      rttMs,
    };
    for (const l of this.listeners) l(ev, nowMs);
  }
}
