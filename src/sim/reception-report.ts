/**
 * RFC 3550 appendix A.3: the loss fields of a receiver report block from the receiver's running
 * totals. Fraction lost is over the interval since the previous report (×256, 0 when packets
 * arrived in excess, e.g. duplicates); cumulative lost is expected − received, clamped to the
 * signed 24-bit field.
 */
import type { RtcpReportBlock } from '../rtp/rtcp-report.ts';

export interface ReceptionState {
  extHighestSeq: number;
  expected: number;
  received: number;
  jitterTs: number;
}

export class ReceptionReporter {
  private expectedPrior = 0;
  private receivedPrior = 0;

  /** The report block for `ssrc`; advances the interval. */
  block(ssrc: number, s: ReceptionState, lsr: number, dlsr: number): RtcpReportBlock {
    const expectedInterval = s.expected - this.expectedPrior;
    const receivedInterval = s.received - this.receivedPrior;
    this.expectedPrior = s.expected;
    this.receivedPrior = s.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    const cumulativeLost = Math.max(-0x800000, Math.min(0x7fffff, s.expected - s.received));
    return {
      ssrc,
      fractionLost,
      cumulativeLost,
      extendedHighestSeq: ((s.extHighestSeq % 0x100000000) + 0x100000000) % 0x100000000,
      jitter: Math.min(0xffffffff, Math.max(0, Math.floor(s.jitterTs))),
      lsr,
      dlsr,
    };
  }
}
