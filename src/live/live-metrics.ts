/**
 * The live server's metrics (GET /metrics). Counters are incremented where things happen;
 * gauges are read from the room hub and the RTP ingress when the page is scraped.
 * `kind` labels a path: "ws" (browser rooms) or "rtp" (UDP ingress).
 */
import type { LatenessRecorder } from './lateness.ts';
import { MetricRegistry, type Counter, type CounterSnapshot } from './prometheus.ts';

export type PathKind = 'ws' | 'rtp';

export interface GaugeSources {
  rooms(): Array<{ name: string; members: number }>;
  streams(): Record<PathKind, number>;
  connections(): number;
  lateness: LatenessRecorder;
}

const P = 'jitterlab_live_';

export class LiveMetrics {
  readonly registry = new MetricRegistry();
  readonly packetsSent: Counter = this.registry.counter(`${P}packets_sent_total`, 'RTP packets handed to a live channel.');
  readonly packetsDelivered: Counter = this.registry.counter(`${P}packets_delivered_total`, 'RTP packets the live channel delivered to a receiver.');
  readonly packetsLost: Counter = this.registry.counter(`${P}packets_lost_total`, 'RTP packets the live channel dropped (loss model or outage).');
  readonly queueDrops: Counter = this.registry.counter(`${P}queue_drops_total`, 'RTP packets dropped by the channel bottleneck queue.');
  readonly packetsLate: Counter = this.registry.counter(`${P}packets_late_total`, 'Packets discarded by a jitter buffer (late or overflow).');
  readonly framesPlayed: Counter = this.registry.counter(`${P}frames_played_total`, 'Frames played for audio the source sent (decoded, FEC or concealed; DTX silence and a stream\'s tail after its last frame are not counted).');
  readonly concealedFrames: Counter = this.registry.counter(`${P}concealed_frames_total`, 'Of those, frames concealed (PLC).');
  readonly concealmentEvents: Counter = this.registry.counter(`${P}concealment_events_total`, 'W3C concealmentEvents summed over receivers.');
  readonly fecFrames: Counter = this.registry.counter(`${P}fec_frames_total`, 'Frames recovered from Opus in-band FEC.');
  readonly sendQueueDrops: Counter = this.registry.counter(`${P}send_queue_drops_total`, 'WebSocket peers dropped because their send queue passed its bound (slow readers).');
  readonly heartbeatDrops: Counter = this.registry.counter(`${P}heartbeat_drops_total`, 'WebSocket peers dropped for missing a heartbeat pong.');
  readonly invalidMessages: Counter = this.registry.counter(`${P}invalid_messages_total`, 'Invalid WebSocket messages, by reason.');
  readonly rejected: Counter = this.registry.counter(`${P}rejected_requests_total`, 'Refused HTTP requests and WebSocket upgrades, by reason.');
  readonly malformedRtp: Counter = this.registry.counter(`${P}malformed_rtp_total`, 'UDP datagrams on the RTP port dropped before the channel, by reason.');
  readonly rtpStreamsStarted: Counter = this.registry.counter(`${P}rtp_streams_started_total`, 'RTP stream states created (new SSRC or sequence restart).');
  readonly rtcpSent: Counter = this.registry.counter(`${P}rtcp_reports_sent_total`, 'RTCP receiver reports sent back to RTP senders.');
  readonly forwarded: Counter = this.registry.counter(`${P}rtp_forwarded_total`, 'RTP packets forwarded after impairment.');
  readonly recordings: Counter = this.registry.counter(`${P}recordings_total`, 'Recordings saved.');
  readonly internalErrors: Counter = this.registry.counter(`${P}internal_errors_total`, 'Errors caught in timer callbacks (the server went on).');

  constructor() {
    // Show the per-path counters at 0 before the first packet, so dashboards see the series.
    for (const kind of ['ws', 'rtp'] as const) {
      for (const c of [this.packetsSent, this.packetsDelivered, this.packetsLost, this.queueDrops, this.packetsLate, this.framesPlayed, this.concealedFrames, this.concealmentEvents, this.fecFrames]) c.inc({ kind }, 0);
    }
    for (const c of [this.sendQueueDrops, this.heartbeatDrops, this.rtpStreamsStarted, this.rtcpSent, this.forwarded, this.recordings, this.internalErrors]) c.inc({}, 0);
  }

  bindGauges(src: GaugeSources): void {
    this.registry.gauge(`${P}streams`, 'Live receive paths (channel + receiver) running.', () => {
      const s = src.streams();
      return (Object.keys(s) as PathKind[]).map((k) => ({ labels: { kind: k }, value: s[k] }));
    });
    this.registry.gauge(`${P}connections`, 'Open WebSocket connections.', () => src.connections());
    this.registry.gauge(`${P}rooms`, 'Rooms with at least one member.', () => src.rooms().length);
    this.registry.gauge(`${P}room_members`, 'Members per room.', () => src.rooms().map((r) => ({ labels: { room: r.name }, value: r.members })));
    this.registry.gauge(`${P}tick_lateness_ms`, 'Playout tick lateness over the recent ticks (quantile 0.5 / 0.99 / max).', () => {
      const s = src.lateness.summary();
      if (s.count === 0) return [];
      return [
        { labels: { quantile: '0.5' }, value: s.p50 ?? Number.NaN },
        { labels: { quantile: '0.99' }, value: s.p99 ?? Number.NaN },
        { labels: { quantile: '1' }, value: s.max ?? Number.NaN },
      ];
    });
  }

  /** The text exposition, with the counters of the leg engines (other threads) added. */
  render(engines: CounterSnapshot[] = []): string {
    return this.registry.render(engines);
  }

  /** This registry's counters, for the main thread's render. */
  counterSnapshot(): CounterSnapshot {
    return this.registry.counterSnapshot();
  }
}
