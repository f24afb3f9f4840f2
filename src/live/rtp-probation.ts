/**
 * Source validation for the RTP ingress, RFC 3550 appendix A.1: a new SSRC becomes a stream only
 * after MIN_SEQUENTIAL (2) packets in sequence with the same payload type; until then its first
 * packet is held (and played once the stream is accepted, so nothing is lost). A datagram that
 * merely parses therefore makes no stream: one stream costs a channel, a jitter buffer, an Opus
 * decoder and a playout tick.
 *
 * The table is bounded per sender address: when an address holds its share of candidates, a
 * further new SSRC from it is refused (counted) until one of them becomes a stream or expires.
 * Refusing rather than pushing the oldest out matters: a sender that starts many streams at once
 * (a media server, the capacity bench) gets them all admitted a share at a time, where evicting
 * would cycle its SSRCs through the slots and validate none; and a flood of SSRCs from one socket
 * only fills its own share, never a real sender's. The number of addresses is bounded too (the
 * oldest address is dropped). Candidates dropped are reported so the ingress can count them.
 */
import type { RemoteInfo } from 'node:dgram';
import { seqAdd } from '../rtp/wrap.ts';

export interface Candidate {
  ssrc: number;
  seq: number;
  payloadType: number;
  /** The first packet's bytes and arrival (clock ms), played when the stream is accepted. */
  bytes: Uint8Array;
  atMs: number;
  remote: RemoteInfo;
}

export class RtpProbation {
  private readonly bySource = new Map<string, Candidate[]>();
  private size = 0;

  constructor(
    private readonly perSource = 4,
    private readonly maxSources = 256,
    /** A candidate pushed out or replaced without becoming a stream. */
    private readonly onDropped: () => void = () => undefined,
  ) {}

  /**
   * A valid packet of an unknown SSRC: the held first packet when this one continues it (the
   * source is valid now), else null (this packet is held instead).
   */
  offer(ssrc: number, seq: number, payloadType: number, bytes: Uint8Array, atMs: number, remote: RemoteInfo): Candidate | null {
    const key = `${remote.address}:${remote.port}`;
    let list = this.bySource.get(key);
    const i = list ? list.findIndex((c) => c.ssrc === ssrc) : -1;
    if (list && i >= 0) {
      const c = list[i];
      if (seq === seqAdd(c.seq, 1) && payloadType === c.payloadType) {
        list.splice(i, 1);
        this.size--;
        if (list.length === 0) this.bySource.delete(key);
        return c;
      }
      // Not in sequence: probation starts over from this packet (A.1).
      this.onDropped();
      list[i] = { ssrc, seq, payloadType, bytes, atMs, remote };
      return null;
    }
    if (list && list.length >= this.perSource) {
      this.onDropped();
      return null;
    }
    if (!list) {
      if (this.bySource.size >= this.maxSources) this.dropSource(this.bySource.keys().next().value!);
      list = [];
      this.bySource.set(key, list);
    }
    list.push({ ssrc, seq, payloadType, bytes, atMs, remote });
    this.size++;
    return null;
  }

  private dropSource(key: string): void {
    const list = this.bySource.get(key) ?? [];
    for (let i = 0; i < list.length; i++) this.onDropped();
    this.size -= list.length;
    this.bySource.delete(key);
  }

  /** Drop candidates older than `beforeMs`. */
  expire(beforeMs: number): void {
    for (const [key, list] of [...this.bySource]) {
      const keep = list.filter((c) => c.atMs >= beforeMs);
      for (let i = keep.length; i < list.length; i++) this.onDropped();
      this.size -= list.length - keep.length;
      if (keep.length === 0) this.bySource.delete(key);
      else this.bySource.set(key, keep);
    }
  }

  get candidates(): number {
    return this.size;
  }
}
