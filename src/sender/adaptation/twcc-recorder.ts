/**
 * Receiver side of transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 section 3): record the arrival time of every packet carrying a transport-wide
 * sequence number and, every feedback interval, report the range from the first unreported
 * sequence number to the highest received one (losses as "not received").
 *
 * A packet that arrives after its number was reported missing makes the next feedback start at
 * that number again, so the sender learns it did arrive (it keeps the latest status).
 */
import { RtcpFieldError } from '../../rtp/errors.ts';
import { buildTwccFeedback, type RtcpTwccFeedback } from '../../rtp/rtcp-twcc.ts';
import { SeqUnwrapper } from '../../rtp/wrap.ts';

/** Longest feedback packet in statuses (keeps one RTCP packet well under a typical MTU). */
const MAX_STATUSES = 256;

export class TwccRecorder {
  private readonly unwrap = new SeqUnwrapper();
  private readonly arrivals = new Map<number, number>();
  /** First extended seq not yet covered by a feedback packet. */
  private next: number | null = null;
  private lowestNew: number | null = null;
  private fbCount = 0;

  constructor(
    readonly senderSsrc: number,
    readonly mediaSsrc: number,
  ) {}

  /** A packet with transport-wide sequence number `seq` arrived at `arrivalMs`. */
  onPacket(seq: number, arrivalMs: number): void {
    const ext = this.unwrap.unwrap(seq);
    if (!this.arrivals.has(ext)) this.arrivals.set(ext, arrivalMs);
    if (this.next === null) this.next = ext;
    if (this.lowestNew === null || ext < this.lowestNew) this.lowestNew = ext;
  }

  /** Feedback packets for everything new since the last call (empty when nothing arrived). */
  feedback(): RtcpTwccFeedback[] {
    const max = this.unwrap.max;
    if (this.next === null || max === null || this.lowestNew === null) return [];
    let start = Math.min(this.next, this.lowestNew);
    this.lowestNew = null;
    const out: RtcpTwccFeedback[] = [];
    while (start <= max) {
      let end = Math.min(max, start + MAX_STATUSES - 1);
      const times: (number | null)[] = [];
      for (let s = start; s <= end; s++) times.push(this.arrivals.get(s) ?? null);
      // Trim trailing non-received entries (cannot happen at `max`, which was received).
      while (times.length > 0 && times[times.length - 1] === null) times.pop();
      end = start + times.length - 1;
      if (times.length > 0) out.push(...this.build(start, times));
      start = end + 1;
    }
    this.next = max + 1;
    // Forget what cannot be re-reported any more (keep a margin for late arrivals).
    for (const k of this.arrivals.keys()) {
      if (k < max - 4 * MAX_STATUSES) this.arrivals.delete(k);
      else break;
    }
    return out;
  }

  /** One or more packets: split where an arrival delta does not fit the 16-bit field. */
  private build(start: number, times: (number | null)[]): RtcpTwccFeedback[] {
    try {
      return [this.one(start, times)];
    } catch (e) {
      if (!(e instanceof RtcpFieldError) || times.length < 2) throw e;
      const half = Math.ceil(times.length / 2);
      return [...this.build(start, times.slice(0, half)), ...this.build(start + half, times.slice(half))];
    }
  }

  private one(start: number, times: (number | null)[]): RtcpTwccFeedback {
    const fb = buildTwccFeedback({
      senderSsrc: this.senderSsrc,
      mediaSsrc: this.mediaSsrc,
      baseSeq: start & 0xffff,
      fbPktCount: this.fbCount & 0xff,
      arrivalTimesMs: times,
    });
    this.fbCount++;
    return fb;
  }
}
