/**
 * A ChannelPath that replays a recorded network: the i-th media packet of the simulated call
 * takes the fate of the i-th packet of the trace in sequence order (lost, or delivered after the
 * recorded delay); its payload is the scenario's own audio, so the capture need not contain
 * decodable audio. A call longer than the trace wraps around to its start. Packets of other
 * lanes (FEC, RTX, RTCP) meet the network as it was for the latest media packet (the same
 * delay, and lost if it was lost): the capture has nothing else to say about them.
 *
 * Arrival = send time + recorded delay; there is no FIFO clamp, so reordering in the capture is
 * replayed as it happened. No randomness: every variant meets exactly the same network.
 */
import { JitterlabError } from '../core/errors.ts';
import type { ChannelDecision, ChannelPacket, ChannelPath, ChannelStats } from '../channel/types.ts';
import type { PacketFate, ReplayTrace } from './replay-trace.ts';

export class ReplayPath implements ChannelPath {
  private media = 0;
  private lastSendMs = Number.NEGATIVE_INFINITY;
  private maxArrival = Number.NEGATIVE_INFINITY;
  private readonly st: ChannelStats = { sent: 0, delivered: 0, lost: 0, queueDrops: 0, outageDrops: 0, duplicated: 0, corrupted: 0, reordered: 0, bytesSent: 0 };

  constructor(
    readonly trace: ReplayTrace,
    private readonly slotMs: number,
  ) {
    if (trace.fates.length === 0) throw new JitterlabError('scenario', `channel.replay: ${trace.source} has no packets`);
    if (!(slotMs > 0)) throw new JitterlabError('internal', `replay: slotMs must be positive (got ${slotMs})`);
  }

  /** The fate the i-th media packet takes (the trace wraps around). */
  fateOf(i: number): PacketFate {
    return this.trace.fates.at(i % this.trace.fates.length);
  }

  send(packet: ChannelPacket): ChannelDecision {
    const t = packet.sendMs;
    if (!Number.isFinite(t) || t < 0) throw new JitterlabError('internal', `replay: sendMs must be a finite time >= 0 (got ${t})`);
    if (t < this.lastSendMs) throw new JitterlabError('internal', `replay: send times must not decrease (${t} after ${this.lastSendMs})`);
    this.lastSendMs = t;
    const fate = packet.lane === 'media' ? this.fateOf(this.media++) : this.fateOf(Math.max(0, this.media - 1));
    const slot = Math.floor(t / this.slotMs + 1e-9);
    this.st.sent++;
    this.st.bytesSent += packet.sizeBytes;
    if (fate.lost) {
      this.st.lost++;
      return { delivered: false, cause: 'replay', deliveries: [], slot, queueDelayMs: 0, pathDelayMs: 0 };
    }
    const arrivalMs = t + fate.delayMs;
    const reordered = arrivalMs < this.maxArrival;
    if (reordered) this.st.reordered++;
    if (arrivalMs > this.maxArrival) this.maxArrival = arrivalMs;
    this.st.delivered++;
    const delivery = { arrivalMs, duplicate: false, corrupted: false, reordered, ...(packet.payload ? { payload: packet.payload } : {}) };
    return { delivered: true, cause: null, deliveries: [delivery], slot, queueDelayMs: 0, pathDelayMs: fate.delayMs };
  }

  stats(): ChannelStats {
    return { ...this.st };
  }
}
