/**
 * An RTP stream's audio as its sender sent it, for recordings: the packets are decoded in RTP
 * timestamp order as they arrive at the ingress (before the simulated channel), so the result is
 * the source a recording re-runs offline with. A frame lost before the ingress (a sequence
 * number never seen) is concealed by the decoder; slots the sender skipped without spending
 * sequence numbers (DTX, a pause) are silence, at most `maxGapMs` of it per gap (a timestamp
 * jump beyond that is not a pause a recording should fill). Late packets (their slot was
 * already written) are left out.
 */
import { OpusFrameDecoder } from '../codec/opus-decoder.ts';
import { seqDiff, tsDiff } from '../rtp/wrap.ts';

export class SourceDecoder {
  private readonly decoder: OpusFrameDecoder;
  private readonly frame: Int16Array<ArrayBuffer>;
  private readonly silence: Int16Array;
  private nextTs: number | null = null;
  private lastSeq = 0;
  private closed = false;

  constructor(
    private readonly sink: (pcm: Int16Array) => void,
    private readonly frameSamples = 960,
    private readonly maxGapMs = 60_000,
  ) {
    this.decoder = new OpusFrameDecoder(48000, frameSamples);
    this.frame = new Int16Array(frameSamples);
    this.silence = new Int16Array(frameSamples);
  }

  /** One packet of the stream (already checked to be playable Opus of at most one frame). */
  push(seq: number, ts: number, payload: Uint8Array): void {
    if (this.closed) return;
    if (this.nextTs !== null) {
      const ahead = Math.round(tsDiff(ts, this.nextTs) / this.frameSamples);
      if (ahead < 0) return;
      const missingSeqs = Math.max(0, seqDiff(seq, this.lastSeq) - 1);
      const fill = Math.min(ahead, Math.round((this.maxGapMs * 48) / this.frameSamples));
      for (let i = 0; i < fill; i++) this.sink(i < missingSeqs ? this.decoder.conceal(this.frame) : this.silence);
    }
    try {
      this.sink(this.decoder.decode(payload, this.frame));
    } catch {
      this.sink(this.decoder.conceal(this.frame));
    }
    this.nextTs = (ts + this.frameSamples) >>> 0;
    this.lastSeq = seq;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.destroy();
  }
}
