/**
 * The RTCP loop of one variant in simulated time: A's sender reports go A→B on the media path's
 * channel (lane 'rtcp'), B's receiver reports and NACKs go B→A on the reverse channel; every
 * packet is real RTCP bytes and meets the simulated network (loss, delay, the bottleneck queue).
 * A's answers to NACKs (RTX packets) are handed back to the media path to be sent and recorded.
 *
 * Lanes: reports on 'rtcp', NACKs on 'other' (see sendReverse). Report times follow RFC 3550 6.3.1: intervals drawn uniformly in [0.5, 1.5] × T, the first
 * one after half of that. The draws are keyed by (seed, direction, report index), so every
 * variant of a scenario sends its reports at the same instants.
 */
import type { ChannelPath } from '../channel/types.ts';
import type { VirtualClock } from '../core/clock.ts';
import { RngStream } from '../core/rng.ts';
import type { OutgoingPacket } from '../sender/media-sender.ts';
import type { SenderRtcpAgent } from '../sender/rtcp-agent.ts';
import type { ReceiverRtcpAgent } from './receiver-rtcp-agent.ts';
import { applyChannelDecision, rtcpRecord, type PacketRecord } from './records.ts';

export interface PathCounts {
  packets: number;
  bytes: number;
  delivered: number;
  lost: number;
}

export interface FeedbackStats {
  /** RTCP A→B (sender reports) on the media path. */
  forward: PathCounts;
  /** RTCP B→A (receiver reports and NACKs) on the reverse path. */
  reverse: PathCounts & { nackPackets: number; nackBytes: number };
}

export interface FeedbackOptions {
  clock: VirtualClock;
  seed: number;
  /** RTCP report interval T (ms). */
  intervalMs: number;
  forward: ChannelPath;
  reverse: ChannelPath;
  sender: SenderRtcpAgent;
  receiver: ReceiverRtcpAgent;
  /** Send A's retransmissions on the media path at `nowMs`. */
  sendRtp: (packets: OutgoingPacket[], nowMs: number) => void;
  /** The media path's packet records: A's reports are appended as 'rtcp' rows (they share its queue). */
  records?: PacketRecord[];
  /** The call is over: stop scheduling reports. */
  isDone: () => boolean;
}

const counts = (): PathCounts => ({ packets: 0, bytes: 0, delivered: 0, lost: 0 });

export class FeedbackPath {
  private readonly st: FeedbackStats = { forward: counts(), reverse: { ...counts(), nackPackets: 0, nackBytes: 0 } };

  constructor(private readonly o: FeedbackOptions) {}

  start(): void {
    this.scheduleReports(new RngStream(this.o.seed, 'rtcp.aToB'), (t) => this.sendForward(this.o.sender.buildReport(t), t));
    this.scheduleReports(new RngStream(this.o.seed, 'rtcp.bToA'), (t) => this.sendReverse(this.o.receiver.buildReport(t), t, false));
  }

  private scheduleReports(rng: RngStream, fire: (t: number) => void): void {
    const T = this.o.intervalMs;
    const step = (k: number, at: number): void => {
      this.o.clock.schedule(at, (t) => {
        if (this.o.isDone()) return;
        fire(t);
        step(k + 1, t + T * (0.5 + rng.at(k + 1)));
      });
    };
    step(0, (T * (0.5 + rng.at(0))) / 2);
  }

  /** B sends a generic NACK for these sequence numbers now. */
  sendNack(seqs: readonly number[], nowMs: number): void {
    this.sendReverse(this.o.receiver.buildNack(seqs), nowMs, true);
  }

  private sendForward(bytes: Uint8Array, nowMs: number): void {
    const c = this.st.forward;
    c.packets++;
    c.bytes += bytes.length;
    const rec = rtcpRecord(bytes.length, nowMs);
    this.o.records?.push(rec);
    const d = this.o.forward.send({ sendMs: nowMs, sizeBytes: bytes.length, lane: 'rtcp', payload: bytes });
    applyChannelDecision(rec, d);
    if (d.delivered) c.delivered++;
    else c.lost++;
    for (const del of d.deliveries) {
      const b = del.payload ?? bytes;
      this.o.clock.schedule(del.arrivalMs, (t) => {
        const bad = this.o.receiver.malformed;
        this.o.receiver.onRtcp(b, t);
        if (this.o.receiver.malformed === bad) rec.fate = 'delivered';
        else if (rec.fate === 'pending') rec.fate = 'malformed';
      });
    }
  }

  private sendReverse(bytes: Uint8Array, nowMs: number, nack: boolean): void {
    const c = this.st.reverse;
    c.packets++;
    c.bytes += bytes.length;
    if (nack) {
      c.nackPackets++;
      c.nackBytes += bytes.length;
    }
    // NACKs take lane 'other' so that, inside a slot, they never shift the draws of the periodic
    // reports (which every variant sends at the same instants).
    const d = this.o.reverse.send({ sendMs: nowMs, sizeBytes: bytes.length, lane: nack ? 'other' : 'rtcp', payload: bytes });
    if (d.delivered) c.delivered++;
    else c.lost++;
    for (const del of d.deliveries) {
      const b = del.payload ?? bytes;
      this.o.clock.schedule(del.arrivalMs, (t) => {
        const rtx = this.o.sender.onRtcp(b, t);
        if (rtx.length > 0) this.o.sendRtp(rtx, t);
      });
    }
  }

  stats(): FeedbackStats {
    return { forward: { ...this.st.forward }, reverse: { ...this.st.reverse } };
  }
}
