/**
 * Rooms shared by server instances through Redis (`jitterlab serve --redis`), the RoomLink of the
 * room router (on the main thread; the rooms' legs run on the leg engines). What crosses instances is what a speaker's instance produced: the encoded RTP packets
 * (before any simulated network) and join / update / leave notices, on the room's pub/sub channel
 * (bus-message.ts). Each listener's instance then runs its own channel and jitter buffer per
 * speaker, exactly as for a local speaker. Presence and membership live in Redis with expiry
 * (room-directory.ts), and every heartbeat reconciles this instance's view of each room with the
 * directory: missed notices are repaired, and the members of an instance that stopped renewing
 * its presence leave within ttl + heartbeat.
 *
 * Redis lost while serving: local rooms go on (media is not queued: publishing fails at once and
 * is counted); after one ttl without a successful reconcile the remote members leave (their
 * presence can no longer be seen); when Redis is back, the heartbeat re-creates this instance's
 * presence and entries in one transaction, and the members of other instances return (for two
 * expiry periods after the reconnect, a member whose instance has not re-registered yet stays:
 * after a Redis restart every instance re-registers on its own schedule).
 */
import type { Redis } from 'ioredis';
import type { MetricRegistry } from '../prometheus.ts';
import type { RemoteSink, RoomLink, SpeakerDesc, SpokenPacket } from '../room-link.ts';
import type { MemberInfo } from '../protocol.ts';
import type { TimerHandle } from '../../core/clock.ts';
import { IoError, JitterlabError } from '../../core/errors.ts';
import type { TimerWheel } from '../timer-wheel.ts';
import { decodeBusMessage, encodeControl, encodeMedia, speakerControl, speakerOf, type BusMessage, type Control } from './bus-message.ts';
import { connectRedis, probeRedis, redactRedisUrl } from './redis-connect.ts';
import { RedisMetrics, type BusKind } from './redis-metrics.ts';
import { BUS_PREFIX, busChannel, IDS_PER_SLOT, RoomDirectory, slotOfId, type RoomView } from './room-directory.ts';
import { DEFAULT_REDIS_HEARTBEAT_MS, DEFAULT_REDIS_TTL_MS } from './presence-timing.ts';

export interface RedisRoomsOptions {
  url: string;
  clock: TimerWheel;
  registry: MetricRegistry;
  /** Presence renewal and room reconciliation period (default 1000 ms). */
  heartbeatMs?: number;
  /** Presence expiry (default 4000 ms): a dead instance's members leave within ttl + heartbeat. */
  ttlMs?: number;
  /** Members a room may hold, on every instance together. */
  maxMembersPerRoom: number;
  /** Shown in this instance's presence key (where it serves). */
  describe: string;
  log(line: string): void;
}

/** A room looked up for an admission but never joined is forgotten after this long. */
const PREPARED_KEEP_MS = 5000;

export class RedisRooms implements RoomLink {
  readonly firstMemberId: number;
  private sink: RemoteSink | null = null;
  private readonly local = new Map<string, Map<number, SpeakerDesc>>();
  private readonly remoteRooms = new Map<string, Map<number, SpeakerDesc>>();
  private readonly prepared = new Map<string, number>();
  /** Local members whose admission (room limit, counted in Redis) is not settled: not announced yet. */
  private readonly admitting = new Set<number>();
  private readonly metrics: RedisMetrics;
  private readonly timer: TimerHandle;
  private readonly directory: RoomDirectory;
  private readonly heartbeatMs: number;
  private lastOkMs: number;
  private reconciling = false;
  /**
   * Bus notices are numbered; a remote member's last notice number tells a reconcile whose
   * directory read started earlier not to undo it (the read may predate the notice's write).
   */
  private seq = 0;
  private readonly changedAt = new Map<number, number>();
  private lost = false;
  /**
   * Until then, a remote member missing from the directory stays: after a Redis restart the
   * directory is empty until every instance's next heartbeat has re-created its entries.
   */
  private graceUntilMs = 0;
  private closed = false;

  private constructor(
    private readonly o: RedisRoomsOptions,
    private readonly cmd: Redis,
    private readonly sub: Redis,
    readonly slot: number,
    ttlMs: number,
  ) {
    this.firstMemberId = slot * IDS_PER_SLOT + 1;
    this.heartbeatMs = o.heartbeatMs ?? DEFAULT_REDIS_HEARTBEAT_MS;
    this.directory = new RoomDirectory(cmd, ttlMs);
    this.lastOkMs = o.clock.now();
    this.metrics = new RedisMetrics(o.registry, {
      slot,
      up: () => cmd.status === 'ready' && !this.lost,
      remoteMembers: () => [...this.remoteRooms].filter(([r]) => this.local.has(r)).map(([room, m]) => ({ room, members: m.size })),
    });
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onBus(channel.toString('utf8'), message));
    sub.on('ready', () => void this.resubscribe());
    cmd.on('close', () => this.onLost());
    this.timer = o.clock.every(this.heartbeatMs, o.clock.now() + this.heartbeatMs, () => void this.reconcile(), { catchUp: false });
  }

  /** Probes Redis (an IoError line when it is not there), takes a slot and subscribes. */
  static async start(o: RedisRoomsOptions): Promise<RedisRooms> {
    await probeRedis(o.url);
    const ttlMs = o.ttlMs ?? DEFAULT_REDIS_TTL_MS;
    const clients: Redis[] = [];
    try {
      const cmd = await connectRedis(o.url);
      clients.push(cmd);
      const sub = await connectRedis(o.url, { autoResubscribe: false });
      clients.push(sub);
      const slot = await new RoomDirectory(cmd, ttlMs).claimSlot(o.describe);
      return new RedisRooms(o, cmd, sub, slot, ttlMs);
    } catch (e) {
      for (const c of clients) c.disconnect();
      throw e instanceof JitterlabError ? e : new IoError(redactRedisUrl(o.url), `Redis: ${(e as Error).message}`);
    }
  }

  attach(sink: RemoteSink): void {
    this.sink = sink;
  }

  get url(): string {
    return redactRedisUrl(this.o.url);
  }

  remote(room: string): ReadonlyMap<number, SpeakerDesc> {
    return this.remoteRooms.get(room) ?? new Map();
  }

  async prepare(room: string): Promise<void> {
    if (this.local.has(room) || this.lost) return;
    try {
      const { alive } = await this.directory.read(room, this.slot);
      if (this.local.has(room)) return;
      this.remoteRooms.set(room, new Map([...alive.values()].filter((e) => e.slot !== this.slot).map((e) => [e.speaker.info.id, e.speaker])));
      this.prepared.set(room, this.o.clock.now());
    } catch {
      // Redis away: admit on what this instance knows.
    }
  }

  joined(room: string, s: SpeakerDesc): void {
    let members = this.local.get(room);
    if (!members) {
      members = new Map();
      this.local.set(room, members);
      this.prepared.delete(room);
      if (!this.remoteRooms.has(room)) this.remoteRooms.set(room, new Map());
      void this.subscribe(room);
    }
    members.set(s.info.id, s);
    void this.admit(room, s);
  }

  /** Announce a member once Redis took its place; one over the limit (a race lost) is refused. */
  private async admit(room: string, s: SpeakerDesc): Promise<void> {
    const id = s.info.id;
    this.admitting.add(id);
    let ok = true;
    try {
      ok = await this.directory.admit(room, this.slot, s, this.o.maxMembersPerRoom);
    } catch {
      // Redis away: the member stays; the reconcile after the reconnect adds its entry.
    }
    this.admitting.delete(id);
    const current = this.local.get(room)?.get(id);
    if (!current) return;
    if (!ok) return this.sink?.refused(room, id);
    this.publishControl(room, speakerControl('join', current));
  }

  updated(room: string, s: SpeakerDesc): void {
    const members = this.local.get(room);
    if (!members?.has(s.info.id)) return;
    members.set(s.info.id, s);
    if (this.admitting.has(s.info.id)) return;
    this.quietly(this.directory.add(room, this.slot, s));
    this.publishControl(room, speakerControl('update', s));
  }

  left(room: string, info: MemberInfo, reason: string): void {
    const members = this.local.get(room);
    if (!members?.delete(info.id)) return;
    this.quietly(this.directory.remove(room, info.id));
    this.publishControl(room, { t: 'leave', member: { id: info.id, name: info.name }, reason });
    if (members.size > 0) return;
    this.local.delete(room);
    this.remoteRooms.delete(room);
    if (this.sub.status === 'ready') this.quietly(this.sub.unsubscribe(busChannel(room)));
  }

  spoke(room: string, speakerId: number, packets: readonly SpokenPacket[]): void {
    // Nobody elsewhere listens (or the speaker is not admitted yet): nothing crosses.
    if (!this.remoteRooms.get(room)?.size || this.admitting.has(speakerId)) return;
    for (const p of packets) this.publish(room, 'media', encodeMedia(this.slot, speakerId, p.lane, p.bytes));
  }

  private publishControl(room: string, c: Control): void {
    this.publish(room, 'control', encodeControl(this.slot, c));
  }

  private publish(room: string, kind: BusKind, msg: Buffer): void {
    if (this.cmd.status !== 'ready') {
      this.metrics.dropped.inc({ reason: 'redis-down' });
      return;
    }
    this.metrics.count('out', kind, msg.length);
    this.quietly(this.cmd.publish(busChannel(room), msg));
  }

  /** A command whose failure the next reconcile repairs. */
  private quietly(p: Promise<unknown>): void {
    p.catch(() => undefined);
  }

  private async subscribe(room: string): Promise<void> {
    try {
      await this.sub.subscribe(busChannel(room));
      // Who was there before the subscription: the directory (joins after it come on the bus).
      await this.reconcileRooms([room]);
    } catch {
      // Redis away: 'ready' after the reconnect subscribes every local room again.
    }
  }

  private async resubscribe(): Promise<void> {
    const rooms = [...this.local.keys()];
    if (rooms.length) await this.sub.subscribe(...rooms.map(busChannel)).catch(() => undefined);
  }

  private onBus(channel: string, message: Buffer): void {
    if (!channel.startsWith(BUS_PREFIX)) return;
    const room = channel.slice(BUS_PREFIX.length);
    const m = decodeBusMessage(message);
    if ('malformed' in m) {
      this.metrics.dropped.inc({ reason: `malformed-${m.malformed}` });
      return;
    }
    if (m.slot === this.slot || !this.local.has(room)) return;
    this.metrics.count('in', m.kind, message.length);
    try {
      this.deliver(room, m);
    } catch (e) {
      this.o.log(`redis: message from instance ${m.slot} in room '${room}' failed: ${(e as Error).message}`);
    }
  }

  private deliver(room: string, m: BusMessage): void {
    const remote = this.remoteRooms.get(room)!;
    if (m.kind === 'media') {
      if (!remote.has(m.speakerId)) this.metrics.dropped.inc({ reason: 'unknown-speaker' });
      else this.sink?.remoteRtp(room, m.speakerId, { bytes: m.rtp, lane: m.lane });
      return;
    }
    const c = m.control;
    if (c.t === 'leave') return this.removeRemote(room, c.member.id, c.reason);
    this.addRemote(room, speakerOf(c));
  }

  private addRemote(room: string, s: SpeakerDesc): void {
    const remote = this.remoteRooms.get(room);
    if (!remote) return;
    remote.set(s.info.id, s);
    this.changedAt.set(s.info.id, ++this.seq);
    this.sink?.remoteJoined(room, s);
  }

  private removeRemote(room: string, id: number, reason: string): void {
    this.changedAt.set(id, ++this.seq);
    const remote = this.remoteRooms.get(room);
    const s = remote?.get(id);
    if (!remote || !s) return;
    remote.delete(id);
    this.sink?.remoteLeft(room, s.info, reason);
  }

  /** One heartbeat: read every room, renew presence with this instance's entries, then follow the directory. */
  private async reconcile(): Promise<void> {
    if (this.reconciling || this.closed) return;
    this.reconciling = true;
    try {
      if (this.cmd.status !== 'ready') throw new Error('not connected');
      await this.reconcileRooms([...this.local.keys()]);
      this.forgetPrepared();
      this.lastOkMs = this.o.clock.now();
    } catch {
      if (this.o.clock.now() - this.lastOkMs > this.directory.ttlMs) this.dropAllRemote();
    } finally {
      this.reconciling = false;
    }
  }

  private async reconcileRooms(rooms: string[]): Promise<void> {
    const readAt = this.seq;
    const views: RoomView[] = [];
    for (const room of rooms) {
      const knownSlots = [...(this.remoteRooms.get(room)?.keys() ?? [])].map(slotOfId);
      views.push(await this.directory.read(room, this.slot, knownSlots));
    }
    const admitted = (room: string) => new Map([...(this.local.get(room) ?? [])].filter(([id]) => !this.admitting.has(id)));
    await this.directory.commit(this.slot, this.o.describe, views.map((view) => ({ view, local: admitted(view.room) })));
    if (this.lost) this.back();
    for (const v of views) this.follow(v, readAt);
    for (const [id, at] of this.changedAt) if (at <= readAt && !this.isRemote(id)) this.changedAt.delete(id);
  }

  /**
   * Bring the view of one room in line with a directory read. A member missing from it left if
   * its instance is alive (an instance writes its presence and its entries together); if its
   * instance is gone, it expired, except just after this instance reconnected (after a Redis
   * restart, instances re-register one by one). Bus notices newer than the read win.
   */
  private follow(v: RoomView, readAt: number): void {
    const remote = this.remoteRooms.get(v.room);
    if (!remote || !this.local.has(v.room)) return;
    const settled = (id: number) => (this.changedAt.get(id) ?? 0) <= readAt;
    const graced = this.o.clock.now() < this.graceUntilMs;
    for (const id of v.dead) this.expire(v.room, id);
    for (const id of [...remote.keys()]) {
      if (v.alive.has(id) || !settled(id)) continue;
      if (v.liveSlots.has(slotOfId(id))) this.removeRemote(v.room, id, 'left');
      else if (!graced) this.expire(v.room, id);
    }
    for (const e of v.alive.values()) {
      const id = e.speaker.info.id;
      if (e.slot !== this.slot && !remote.has(id) && settled(id)) this.addRemote(v.room, e.speaker);
    }
  }

  private expire(room: string, id: number): void {
    if (this.remoteRooms.get(room)?.has(id)) this.metrics.expired.inc();
    this.removeRemote(room, id, 'instance-gone');
  }

  private isRemote(id: number): boolean {
    for (const r of this.remoteRooms.values()) if (r.has(id)) return true;
    return false;
  }

  private forgetPrepared(): void {
    const now = this.o.clock.now();
    for (const [room, at] of this.prepared) {
      if (now - at < PREPARED_KEEP_MS) continue;
      this.prepared.delete(room);
      if (!this.local.has(room)) this.remoteRooms.delete(room);
    }
  }

  private onLost(): void {
    if (this.lost || this.closed) return;
    this.lost = true;
    this.o.log(`redis ${this.url}: connection lost; local rooms go on, members on other instances leave after ${this.directory.ttlMs / 1000} s; reconnecting`);
  }

  private back(): void {
    this.lost = false;
    // Other instances reconnect on their own schedule, then re-register on their next heartbeat.
    this.graceUntilMs = this.o.clock.now() + 2 * this.directory.ttlMs;
    this.metrics.reconnects.inc();
    this.o.log(`redis ${this.url}: connected again; rooms shared again`);
    void this.resubscribe();
  }

  private dropAllRemote(): void {
    for (const [room, remote] of this.remoteRooms) {
      for (const id of [...remote.keys()]) {
        this.metrics.expired.inc();
        this.removeRemote(room, id, 'redis-lost');
      }
    }
  }

  /** Leaves gracefully: the members' entries (the router's close made them leave) and the presence go. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer.cancel();
    try {
      if (this.cmd.status === 'ready') await this.directory.release(this.slot);
      await this.cmd.quit();
    } catch {
      this.cmd.disconnect();
    }
    this.sub.disconnect();
  }
}
