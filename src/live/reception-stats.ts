/**
 * What a receiver reports about one source in an RTCP report block, RFC 3550 appendix A.3:
 * extended highest sequence number, cumulative loss (expected - received), fraction lost since
 * the previous report, and interarrival jitter in timestamp units.
 */
import type { RtcpReportBlock } from '../rtp/rtcp-report.ts';
import { SeqUnwrapper } from '../rtp/wrap.ts';

export class ReceptionStats {
  private readonly unwrap = new SeqUnwrapper();
  private base: number | null = null;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;

  onPacket(seq: number): void {
    const ext = this.unwrap.unwrap(seq);
    if (this.base === null || ext < this.base) this.base = ext;
    this.received++;
  }

  get packetsReceived(): number {
    return this.received;
  }

  /** The report block now; advances the "since previous report" interval. */
  reportBlock(ssrc: number, jitterTs: number, lsr: number, dlsr: number): RtcpReportBlock {
    const max = this.unwrap.max ?? 0;
    const base = this.base ?? 0;
    const expected = this.base === null ? 0 : max - base + 1;
    const lost = expected - this.received;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval << 8) / expectedInterval));
    // Extended highest sequence: cycles in the upper 16 bits (an unwrapped value below 0 reports 0).
    const extHighest = Math.max(0, max) % 0x100000000;
    return {
      ssrc,
      fractionLost: fraction,
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, lost)),
      extendedHighestSeq: extHighest,
      jitter: Math.max(0, Math.min(0xffffffff, Math.round(jitterTs))),
      lsr: lsr >>> 0,
      dlsr: Math.max(0, Math.min(0xffffffff, Math.round(dlsr))),
    };
  }
}
