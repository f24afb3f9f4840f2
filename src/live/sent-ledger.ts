/**
 * What the source of a live leg has sent, seen where its packets enter the leg (before the
 * simulated channel): the newest media frame (highest sequence number and its RTP timestamp),
 * and the timestamp ranges the source skipped without spending sequence numbers (sender DTX, a
 * pause). Playout asks it whether a concealed slot is a loss (the source sent that frame), audio
 * that was never sent (a skipped range), or beyond the newest frame (not known yet: the source
 * may still send it, or may have stopped). Offline the simulator knows this from the sender's
 * own records; live, this is what the packets tell.
 *
 * Sequence numbers missing before a jump (packets lost upstream of the leg, on a real network)
 * are taken to be the frames right after the previous one: RFC 3550 numbers packets, not
 * frames, so where exactly they sat inside the gap cannot be known.
 */
import { seqDiff, SeqUnwrapper, tsDiff } from '../rtp/wrap.ts';

export type SlotVerdict = 'sent' | 'unsent' | 'beyond';

const MAX_GAPS = 64;

export class SentLedger {
  private readonly seqs = new SeqUnwrapper();
  private hiSeq = 0;
  private hiTs = 0;
  private any = false;
  private base = 0;
  /** Skipped ranges [from, to) of 32-bit timestamps, oldest first (a short ring). */
  private readonly gapFrom: number[] = [];
  private readonly gapTo: number[] = [];
  packets = 0;

  constructor(readonly frameTs: number) {}

  /** A media packet (sequence number, 32-bit timestamp) entered the leg; returns its extended sequence number. */
  sent(seq: number, ts: number): number {
    const ext = this.seqs.unwrap(seq);
    this.packets++;
    if (!this.any || ext < this.base) this.base = ext;
    if (!this.any) {
      this.any = true;
      this.hiSeq = seq;
      this.hiTs = ts;
      return ext;
    }
    const ds = seqDiff(seq, this.hiSeq);
    if (ds <= 0) return ext; // reordered or duplicate: the newest frame stays
    const slots = Math.round(tsDiff(ts, this.hiTs) / this.frameTs);
    if (slots > ds) {
      // slots - 1 frame slots lie between the two packets; ds - 1 of them were sent (and lost
      // before the leg), the remaining slots - ds were skipped by the source.
      this.gapFrom.push((this.hiTs + ds * this.frameTs) >>> 0);
      this.gapTo.push(ts >>> 0);
      if (this.gapFrom.length > MAX_GAPS) {
        this.gapFrom.shift();
        this.gapTo.shift();
      }
    }
    this.hiSeq = seq;
    this.hiTs = ts;
    return ext;
  }

  /** 32-bit RTP timestamp of the newest frame sent, or null before the first packet. */
  get lastTs(): number | null {
    return this.any ? this.hiTs : null;
  }

  /** Extended sequence number of the newest packet, or null. */
  get lastExtSeq(): number | null {
    return this.seqs.max;
  }

  /** Sequence numbers from the first to the newest packet (RFC 3550 A.3 "expected"); 0 before the first. */
  get span(): number {
    return this.any ? (this.seqs.max ?? 0) - this.base + 1 : 0;
  }

  /** Extended sequence number of a packet seen now (without recording it). */
  extSeqOf(seq: number): number {
    return this.seqs.peek(seq);
  }

  /** Whether the slot with 32-bit timestamp `ts` was sent, skipped, or lies beyond the newest frame. */
  classify(ts: number): SlotVerdict {
    if (!this.any || tsDiff(ts, this.hiTs) > 0) return 'beyond';
    for (let i = this.gapFrom.length - 1; i >= 0; i--) {
      if (tsDiff(ts, this.gapFrom[i]) >= 0 && tsDiff(ts, this.gapTo[i]) < 0) return 'unsent';
    }
    return 'sent';
  }
}
