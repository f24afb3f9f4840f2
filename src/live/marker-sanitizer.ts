/**
 * Some RTP senders set the marker bit on every packet. For audio the marker means "first packet
 * of a talkspurt" (RFC 3551 section 4.1), and talkspurt-aware jitter buffers re-plan their
 * playout point on it, so a marker on every packet would make them re-plan every 20 ms. A marker
 * is kept only when the timestamp advanced more than the sequence number accounts for since the
 * previous packet (silence was skipped: the sender really restarted after DTX); loss does not
 * fool the rule, since a lost packet advances both by the same ratio.
 */
import { seqDiff, tsDiff } from '../rtp/wrap.ts';

export class MarkerSanitizer {
  private prevSeq: number | null = null;
  private prevTs = 0;
  /** Timestamp units per packet, learned from in-order packets without a marker. */
  private frameTs: number;
  cleared = 0;

  constructor(initialFrameTs = 960) {
    this.frameTs = initialFrameTs;
  }

  /** The packet's bytes, or a copy with the marker cleared. Expects a parsed (≥ 12 byte) RTP packet. */
  apply(bytes: Uint8Array): Uint8Array {
    const seq = (bytes[2] << 8) | bytes[3];
    const ts = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
    const marker = (bytes[1] & 0x80) !== 0;
    if (this.prevSeq === null) {
      this.prevSeq = seq;
      this.prevTs = ts;
      return bytes;
    }
    const ds = seqDiff(seq, this.prevSeq);
    if (ds <= 0) return bytes; // late or duplicate: judged against newer packets already
    const dt = tsDiff(ts, this.prevTs);
    this.prevSeq = seq;
    this.prevTs = ts;
    if (!marker) {
      if (ds === 1 && dt > 0) this.frameTs = dt;
      return bytes;
    }
    if (dt > ds * this.frameTs) return bytes; // a real talkspurt start after silence
    this.cleared++;
    const out = Uint8Array.from(bytes);
    out[1] &= 0x7f;
    return out;
  }
}
