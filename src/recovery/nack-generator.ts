/**
 * The receiver's NACK list (RFC 4585 section 6.2.1 generic NACK, RFC 4588 section 3): sequence
 * numbers missing from the media stream are requested from the sender over the reverse channel
 * as soon as the gap is seen, and again every retry interval, until the packet arrives (by any
 * means: the network, a retransmission, RED or parity), `maxRetries` NACKs were sent for it, or
 * its playout deadline has passed (the frame was already played or concealed, so a
 * retransmission could no longer help).
 *
 * The retry interval defaults to 1.5 × RTT, at least 20 ms (a retransmission needs one RTT to
 * come back; asking again sooner only duplicates it); before the first RTT estimate, RTT is
 * taken as 100 ms (libwebrtc's default). The missing packet's timestamp, needed for the
 * deadline, is estimated from the packet before the gap: ts + k × frameTs (a loss burst is
 * normally inside a talkspurt, where timestamps advance by one frame per packet).
 */
import { seqAdd, SeqUnwrapper, tsAdd, tsDiff } from '../rtp/wrap.ts';

export interface NackGeneratorOptions {
  /** NACKs sent at most per missing packet. */
  maxRetries: number;
  /** Wait before asking again (ms); null = max(20, 1.5 × RTT). */
  retryIntervalMs: number | null;
  /** RTP timestamp units per frame (to estimate the timestamp of a missing packet). */
  frameTs: number;
  /** Current RTT estimate (ms) or null. */
  rttMs: () => number | null;
  /** 32-bit RTP timestamp of the next frame to be played, or null before playout starts. */
  playoutTs: () => number | null;
  /** Send one generic NACK for these 16-bit sequence numbers now. */
  send: (seqs: number[], nowMs: number) => void;
  /** Missing packets tracked at most (oldest dropped first); default 1000 (libwebrtc kMaxNackPackets). */
  maxTracked?: number;
}

interface Missing {
  seq: number;
  ts: number;
  sent: number;
  lastSentMs: number;
}

const DEFAULT_RTT_MS = 100;

export class NackGenerator {
  private readonly unwrap = new SeqUnwrapper();
  private readonly missing = new Map<number, Missing>();
  private highest: { ext: number; ts: number } | null = null;
  /** NACK packets sent (W3C nackCount). */
  nackPacketsSent = 0;
  /** Sequence numbers requested, counting each request. */
  seqsRequested = 0;
  /** Missing packets given up after maxRetries, or because their deadline passed. */
  gaveUpRetries = 0;
  gaveUpDeadline = 0;

  constructor(private readonly opts: NackGeneratorOptions) {}

  private retryMs(): number {
    if (this.opts.retryIntervalMs !== null) return this.opts.retryIntervalMs;
    return Math.max(20, 1.5 * (this.opts.rttMs() ?? DEFAULT_RTT_MS));
  }

  /** A media-stream packet is now known (received or rebuilt). New gaps are NACKed at once. */
  onReceived(seq: number, timestamp: number, nowMs: number): void {
    const ext = this.unwrap.unwrap(seq);
    this.missing.delete(ext);
    const h = this.highest;
    if (h === null) {
      this.highest = { ext, ts: timestamp };
      return;
    }
    if (ext <= h.ext) return;
    const max = this.opts.maxTracked ?? 1000;
    const fresh: number[] = [];
    for (let e = Math.max(h.ext + 1, ext - max); e < ext; e++) {
      const m: Missing = { seq: seqAdd(seq, e - ext), ts: tsAdd(h.ts, (e - h.ext) * this.opts.frameTs), sent: 0, lastSentMs: -Infinity };
      this.missing.set(e, m);
      fresh.push(e);
    }
    this.highest = { ext, ts: timestamp };
    while (this.missing.size > max) {
      this.missing.delete(this.missing.keys().next().value as number);
    }
    if (fresh.length > 0) this.process(nowMs);
  }

  /** Periodic: drop hopeless entries, and send one NACK for every entry due (new or retry). */
  process(nowMs: number): void {
    const playTs = this.opts.playoutTs();
    const retry = this.retryMs();
    const due: number[] = [];
    for (const [ext, m] of this.missing) {
      if (playTs !== null && tsDiff(m.ts, playTs) < 0) {
        this.missing.delete(ext);
        this.gaveUpDeadline++;
        continue;
      }
      if (nowMs - m.lastSentMs < retry) continue;
      if (m.sent >= this.opts.maxRetries) {
        this.missing.delete(ext);
        this.gaveUpRetries++;
        continue;
      }
      m.sent++;
      m.lastSentMs = nowMs;
      due.push(m.seq);
    }
    if (due.length === 0) return;
    this.nackPacketsSent++;
    this.seqsRequested += due.length;
    this.opts.send(due, nowMs);
  }

  /** Sequence numbers currently missing and still worth asking for. */
  get pending(): number {
    return this.missing.size;
  }
}
