/**
 * Cross-instance figures on the live server's /metrics (families added to its registry only when
 * it runs with --redis). Every figure is this instance's: a scraper sees the traffic of each
 * instance (messages and bytes it published to and received from the room channels), the
 * members of its rooms that are on other instances, and whether Redis answers.
 */
import type { Counter, MetricRegistry } from '../prometheus.ts';

const P = 'jitterlab_live_redis_';

export type BusKind = 'media' | 'control';

export interface RedisGaugeSources {
  slot: number;
  up(): boolean;
  remoteMembers(): Array<{ room: string; members: number }>;
}

export class RedisMetrics {
  readonly messages: Counter;
  readonly bytes: Counter;
  readonly dropped: Counter;
  readonly reconnects: Counter;
  readonly expired: Counter;

  constructor(registry: MetricRegistry, src: RedisGaugeSources) {
    this.messages = registry.counter(`${P}messages_total`, 'Room-channel messages this instance published (out) or received from other instances (in), by kind (media: one RTP packet; control: join, update, leave).');
    this.bytes = registry.counter(`${P}bytes_total`, 'Bytes of those messages, by direction and kind.');
    this.dropped = registry.counter(`${P}dropped_total`, 'Cross-instance messages not delivered, by reason (redis-down: not published while Redis is away; malformed; unknown-speaker).');
    this.reconnects = registry.counter(`${P}reconnects_total`, 'Times the connection to Redis came back after it was lost.');
    this.expired = registry.counter(`${P}expired_members_total`, 'Remote members removed because their instance stopped renewing its presence (or Redis was lost).');
    for (const direction of ['in', 'out']) {
      for (const kind of ['media', 'control']) {
        this.messages.inc({ direction, kind }, 0);
        this.bytes.inc({ direction, kind }, 0);
      }
    }
    this.reconnects.inc({}, 0);
    this.expired.inc({}, 0);
    registry.gauge(`${P}up`, 'Whether this instance is connected to Redis (1) or serves its local rooms alone (0).', () => (src.up() ? 1 : 0));
    registry.gauge(`${P}instance_slot`, 'This instance\'s slot among the instances sharing rooms (member ids start at slot x 2^20).', () => src.slot);
    registry.gauge('jitterlab_live_remote_members', 'Members of this instance\'s rooms connected to other instances.', () => src.remoteMembers().map((r) => ({ labels: { room: r.room }, value: r.members })));
  }

  count(direction: 'in' | 'out', kind: BusKind, bytes: number): void {
    this.messages.inc({ direction, kind });
    this.bytes.inc({ direction, kind }, bytes);
  }
}
