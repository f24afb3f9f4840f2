/**
 * The receiver's (B's) RTCP endpoint: receiver reports about the media stream, generic NACKs,
 * and its own RTT measurement.
 *
 * How B learns RTT: RFC 3550's LSR/DLSR exchange measures RTT at the SR *sender* (A). A receiver
 * that sends no media sends no SR, so B uses RFC 3611's extension for exactly this case: every
 * RR compound carries a Receiver Reference Time block (RRTR, 4.4) with B's NTP time, A answers
 * in its next SR compound with a DLRR sub-block (4.5: LRR = middle 32 bits of that time, DLRR =
 * delay since it arrived), and B computes RTT = arrival − LRR − DLRR (the RFC 3550 6.4.1
 * formula). It is what libwebrtc does for receive-only streams (`rtcp_xr` with RRTR).
 *
 * NACKs go out as reduced-size RTCP (RFC 5506: the NACK alone, no RR in front), as WebRTC does,
 * so they cost 12 + 4n bytes and leave as soon as a loss is seen.
 */
import type { ReceptionState } from './reception-report.ts';
import { ReceptionReporter } from './reception-report.ts';
import { nackItemsFromSeqs } from '../rtp/rtcp-nack.ts';
import { serializeRtcp, serializeRtcpPacket, tryParseRtcp, type RtcpPacket } from '../rtp/rtcp.ts';
import { msToNtpShort, ntpFromMs, ntpMiddle32, ntpMiddle32FromParts, ntpShortToMs, rttFromReport } from '../rtp/rtt.ts';
import type { XrBlock } from '../rtp/rtcp-xr.ts';
import { readDlrr, rrtrBlock } from '../sender/xr-rtt-blocks.ts';

export interface ReceiverRtcpAgentOptions {
  /** B's own SSRC (RTCP sender SSRC). */
  ssrc: number;
  /** The media SSRC it reports on and NACKs for. */
  mediaSsrc: number;
  ntpOffsetMs: number;
  /** The receiver's reception state now, or null before the first media packet. */
  reception: () => ReceptionState | null;
  /** More XR blocks for each report (sender adaptation: the RFC 3611 VoIP Metrics block). */
  extraXrBlocks?: (nowMs: number) => XrBlock[];
}

export class ReceiverRtcpAgent {
  private readonly reporter = new ReceptionReporter();
  private lastSr: { lsr: number; atMs: number } | null = null;
  private rtt: number | null = null;
  reportsSent = 0;
  nacksSent = 0;
  srReceived = 0;
  rttSamples = 0;
  malformed = 0;

  constructor(private readonly opts: ReceiverRtcpAgentOptions) {}

  /** Latest RTT measured at the receiver (ms), from RRTR/DLRR, or null before the first answer. */
  rttMs(): number | null {
    return this.rtt;
  }

  private ntpMs(nowMs: number): number {
    return this.opts.ntpOffsetMs + nowMs;
  }

  /** The compound packet to send at `nowMs`: RR (one block once media has arrived) and XR RRTR. */
  buildReport(nowMs: number): Uint8Array {
    const state = this.opts.reception();
    const reports = [];
    if (state) {
      const lsr = this.lastSr?.lsr ?? 0;
      const dlsr = this.lastSr ? msToNtpShort(nowMs - this.lastSr.atMs) >>> 0 : 0;
      reports.push(this.reporter.block(this.opts.mediaSsrc, state, lsr, dlsr));
    }
    const ntp = ntpFromMs(this.ntpMs(nowMs));
    const packets: RtcpPacket[] = [
      { type: 'rr', ssrc: this.opts.ssrc, reports, profileExtension: new Uint8Array(0) },
      { type: 'xr', ssrc: this.opts.ssrc, blocks: [rrtrBlock(ntp.seconds, ntp.fraction), ...(this.opts.extraXrBlocks?.(nowMs) ?? [])] },
    ];
    this.reportsSent++;
    return serializeRtcp(packets);
  }

  /** A reduced-size (RFC 5506) generic NACK for these sequence numbers. */
  buildNack(seqs: readonly number[]): Uint8Array {
    this.nacksSent++;
    return serializeRtcpPacket({ type: 'nack', senderSsrc: this.opts.ssrc, mediaSsrc: this.opts.mediaSsrc, items: nackItemsFromSeqs(seqs) });
  }

  /** An RTCP compound packet from the sender arrives at `nowMs`. */
  onRtcp(bytes: Uint8Array, nowMs: number): void {
    const parsed = tryParseRtcp(bytes);
    if (!parsed.ok) {
      this.malformed++;
      return;
    }
    for (const p of parsed.packets) {
      if (p.type === 'sr' && p.ssrc === this.opts.mediaSsrc) {
        this.srReceived++;
        this.lastSr = { lsr: ntpMiddle32FromParts(p.ntpSeconds, p.ntpFraction), atMs: nowMs };
      } else if (p.type === 'xr') {
        for (const b of p.blocks) {
          for (const sub of readDlrr(b) ?? []) {
            if (sub.ssrc !== this.opts.ssrc) continue;
            const units = rttFromReport(ntpMiddle32(this.ntpMs(nowMs)), sub.lrr, sub.dlrr);
            if (units === null || units < 0) continue;
            this.rtt = ntpShortToMs(units);
            this.rttSamples++;
          }
        }
      }
    }
  }
}
