/**
 * Sequence-number restart detection for a received stream, RFC 3550 appendix A.1: a jump of
 * MAX_DROPOUT or more (and not a late packet within MAX_MISORDER) is held back; when the next
 * packet continues from it, the sender restarted its sequence (a new stream state is made);
 * otherwise the odd packet was garbage and stays dropped.
 */
import { SEQ_MODULUS } from '../rtp/wrap.ts';

export const MAX_DROPOUT = 3000;
export const MAX_MISORDER = 100;

export type SeqVerdict = 'accept' | 'drop' | 'restart';

export class SeqRestartDetector {
  private maxSeq: number | null = null;
  private badSeq: number | null = null;

  check(seq: number): SeqVerdict {
    if (this.maxSeq === null) {
      this.maxSeq = seq;
      return 'accept';
    }
    const udelta = (seq - this.maxSeq + SEQ_MODULUS) % SEQ_MODULUS;
    if (udelta < MAX_DROPOUT) {
      this.maxSeq = seq;
      this.badSeq = null;
      return 'accept';
    }
    if (udelta <= SEQ_MODULUS - MAX_MISORDER) {
      if (seq === this.badSeq) {
        this.maxSeq = seq;
        this.badSeq = null;
        return 'restart';
      }
      this.badSeq = (seq + 1) % SEQ_MODULUS;
      return 'drop';
    }
    return 'accept'; // duplicate or reordered within MAX_MISORDER
  }
}
