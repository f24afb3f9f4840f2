/**
 * Rooms as the main thread sees them: who is in which room, on which leg engine the room runs,
 * and each member's WebSocket. A whole room lives on one engine (its legs hear each other's
 * speakers there: room-hub.ts); a new room goes to the engine with the fewest legs. The router
 * gives members their ids, enforces the member limit, names recordings, and passes messages
 * both ways: what a member sends to the room's engine, what the engine sends to a member's
 * connection. With --redis the router holds the link to the other instances (room-link.ts):
 * rooms' limits count their members elsewhere, local speakers (as the room's engine reports them)
 * go out through the link, and remote speakers' notices and packets go to the room's engine.
 */
import type { SettingsPatch } from './catalog.ts';
import type { EngineHandle, EnginePool } from './engine-pool.ts';
import type { FromEngine, RoomInfo } from './engine-protocol.ts';
import type { MemberConnection } from './member.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { CLOSE_ROOM_FULL, type ClientMessage, type ListenMode, type MemberInfo, type ServerEvent } from './protocol.ts';
import type { RemoteSink, RoomLink, SpeakerDesc, SpokenPacket } from './room-link.ts';

export interface RoomRouterOptions {
  engines: EnginePool;
  /** Members a room may hold (listening paths grow as N x (N - 1)). */
  maxMembersPerRoom: number;
  /** Folder name of a recording a member starts. */
  sessionName(room: string, member: MemberInfo): string;
  /** Refusals are counted here (a member over the limit after all, with --redis). */
  metrics: LiveMetrics;
  /** Rooms shared with other instances (--redis). */
  link?: RoomLink;
}

/** A member, for the WebSocket gateway. */
export interface MemberHandle {
  readonly id: number;
  readonly name: string;
  readonly room: string;
  readonly info: MemberInfo;
  /** Send an event straight to the member's connection. */
  event(e: ServerEvent): void;
}

interface Routed {
  handle: MemberHandle;
  conn: MemberConnection;
  left: boolean;
  /** Its speaker was told to the link (the engine reported it). */
  announced: boolean;
}

interface Room {
  engine: EngineHandle;
  members: Map<number, Routed>;
  /** Legs this room puts on its engine (what `engine.legs` was given for it). */
  legs: number;
}

/**
 * Legs of a room of `local` members here and `remote` elsewhere: each local member hears everyone
 * else, a member alone hears themselves.
 */
const legsOf = (local: number, remote: number) => (local + remote > 1 ? local * (local + remote - 1) : local);

const NO_REMOTE: ReadonlyMap<number, SpeakerDesc> = new Map();

export class RoomRouter implements RemoteSink {
  private readonly rooms = new Map<string, Room>();
  private readonly byId = new Map<number, Routed>();
  private nextId: number;

  constructor(private readonly o: RoomRouterOptions) {
    this.nextId = o.link?.firstMemberId ?? 1;
  }

  private remote(room: string): ReadonlyMap<number, SpeakerDesc> {
    return this.o.link?.remote(room) ?? NO_REMOTE;
  }

  /** The room's share of its engine's legs follows its members here and elsewhere. */
  private charge(name: string, r: Room): void {
    const legs = legsOf(r.members.size, this.remote(name).size);
    r.engine.legs += legs - r.legs;
    r.legs = legs;
  }

  roomSizes(): Array<{ name: string; members: number }> {
    return [...this.rooms].map(([name, r]) => ({ name, members: r.members.size }));
  }

  legCount(): number {
    let n = 0;
    for (const r of this.rooms.values()) n += r.legs;
    return n;
  }

  /** Why `room` cannot take another member (counting its members on other instances), or null. */
  /** Whether a leg engine runs to host a member (none: every engine failed and stays down). */
  hasEngine(): boolean {
    return this.o.engines.running > 0;
  }

  roomFull(room: string): string | null {
    const n = (this.rooms.get(room)?.members.size ?? 0) + this.remote(room).size;
    return n >= this.o.maxMembersPerRoom ? this.fullMessage(room) : null;
  }

  private fullMessage(room: string): string {
    return `room '${room}' is full (${this.o.maxMembersPerRoom} members, --max-room-members)`;
  }

  /** Before admitting a member to `room`: learn its members on other instances. */
  prepareRoom(room: string): Promise<void> {
    return this.o.link?.prepare(room) ?? Promise.resolve();
  }

  join(room: string, name: string, conn: MemberConnection, how: { listen: ListenMode; loopback: boolean } = { listen: 'server', loopback: true }): MemberHandle {
    const id = this.nextId++;
    const info = { id, name };
    const handle: MemberHandle = { id, name, room, info, event: (e) => void conn.send(JSON.stringify(e)) };
    let r = this.rooms.get(room);
    // A room new on its engine starts with the members it has elsewhere.
    const remote = r ? [] : [...this.remote(room).values()];
    if (!r) {
      r = { engine: this.o.engines.least(), members: new Map(), legs: 0 };
      this.rooms.set(room, r);
    }
    const routed = { handle, conn, left: false, announced: false };
    r.members.set(id, routed);
    this.charge(room, r);
    this.byId.set(id, routed);
    r.engine.send({ k: 'join', member: info, room, listen: how.listen, loopback: how.loopback, remote });
    return handle;
  }

  /** Idempotent: a member leaves (closed, heartbeat, slow reader, server shutdown). */
  leave(m: MemberHandle, reason: string): void {
    const routed = this.byId.get(m.id);
    if (!routed || routed.left) return;
    routed.left = true;
    this.byId.delete(m.id);
    const r = this.rooms.get(m.room);
    if (!r) return;
    r.members.delete(m.id);
    r.engine.send({ k: 'leave', id: m.id, reason });
    this.o.link?.left(m.room, m.info, reason);
    if (r.members.size === 0) {
      r.engine.legs -= r.legs;
      this.rooms.delete(m.room);
    } else this.charge(m.room, r);
  }

  onMessage(m: MemberHandle, msg: ClientMessage): void {
    const r = this.rooms.get(m.room);
    if (!r || !this.byId.has(m.id)) return;
    const session = msg.type === 'record' && msg.on ? this.o.sessionName(m.room, m.info) : null;
    r.engine.send({ k: 'msg', id: m.id, msg, session });
  }

  /** Captured audio from a member (its buffer is handed over, not copied). */
  onAudio(m: MemberHandle, pcm: Int16Array): void {
    const r = this.rooms.get(m.room);
    if (!r || !this.byId.has(m.id)) return;
    const own = pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength && pcm.buffer instanceof ArrayBuffer;
    r.engine.send({ k: 'audio', id: m.id, pcm }, own ? [pcm.buffer as ArrayBuffer] : undefined);
  }

  /** Apply to one member (by id) or every member of a room: the number changed, or an error. */
  async applyToRoom(room: string, memberId: number | null, patch: SettingsPatch): Promise<{ applied: number } | { error: string }> {
    const r = this.rooms.get(room);
    if (!r) return { error: `no room '${room}'` };
    return r.engine.request({ q: 'room-settings', room, member: memberId, patch });
  }

  /** Rooms, members and their settings, in the order the rooms were made. */
  async roomInfo(): Promise<RoomInfo[]> {
    const engines = [...new Set([...this.rooms.values()].map((r) => r.engine))];
    const infos = (await Promise.all(engines.map((e) => e.request({ q: 'rooms' }).catch(() => [])))).flat();
    const order = [...this.rooms.keys()];
    const link = this.o.link;
    return infos
      .filter((i) => this.rooms.has(i.name))
      .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
      .map((i) => (link ? { ...i, remoteMembers: [...link.remote(i.name).values()].map((s) => s.info) } : i));
  }

  /** What an engine sends to a member, or tells the link of a member's speaker. */
  fromEngine(m: FromEngine): void {
    if (m.k !== 'send' && m.k !== 'close' && m.k !== 'speaker' && m.k !== 'spoke') return;
    const id = m.k === 'speaker' ? m.speaker.info.id : m.id;
    const routed = this.byId.get(id);
    if (!routed) return;
    if (m.k === 'send') routed.conn.send(m.data);
    else if (m.k === 'close') routed.conn.close(m.code, m.reason);
    else if (m.k === 'spoke') this.o.link?.spoke(m.room, id, m.packets);
    else if (routed.announced) this.o.link?.updated(m.room, m.speaker);
    else {
      routed.announced = true;
      this.o.link?.joined(m.room, m.speaker);
    }
  }

  /** A member on another instance joined a room here (or changed its codec): to the room's engine. */
  remoteJoined(room: string, s: SpeakerDesc): void {
    const r = this.rooms.get(room);
    if (!r) return;
    this.charge(room, r);
    r.engine.send({ k: 'remote-join', room, speaker: s });
  }

  remoteLeft(room: string, member: MemberInfo, reason: string): void {
    const r = this.rooms.get(room);
    if (!r) return;
    this.charge(room, r);
    r.engine.send({ k: 'remote-left', room, member, reason });
  }

  /** A remote speaker's packet (a copy of its own: the link's may be a view into a larger buffer, which a post would copy whole). */
  remoteRtp(room: string, speakerId: number, p: SpokenPacket): void {
    this.rooms.get(room)?.engine.send({ k: 'remote-rtp', room, id: speakerId, packet: { bytes: new Uint8Array(p.bytes), lane: p.lane } });
  }

  /** Over the limit after all (another instance filled the room first): told why, and out. */
  refused(room: string, id: number): void {
    const routed = this.byId.get(id);
    if (!routed || routed.handle.room !== room) return;
    const why = this.fullMessage(room);
    this.o.metrics.rejected.inc({ reason: 'room-full' });
    routed.handle.event({ type: 'error', code: 'room-full', message: why });
    routed.conn.close(CLOSE_ROOM_FULL, why.slice(0, 120));
    this.leave(routed.handle, 'room-full');
  }

  /** An engine died: its rooms' members are told and disconnected. */
  engineFailed(engine: EngineHandle): void {
    for (const r of this.rooms.values()) {
      if (r.engine !== engine) continue;
      for (const routed of [...r.members.values()]) {
        routed.handle.event({ type: 'error', code: 'internal', message: 'the room stopped: its leg engine failed' });
        routed.conn.close(1011, 'internal error');
      }
    }
  }

  /** Every member leaves. */
  close(): void {
    for (const routed of [...this.byId.values()]) this.leave(routed.handle, 'server-shutdown');
  }
}
