/**
 * Rooms as the main thread sees them: who is in which room, on which leg engine the room runs,
 * and each member's WebSocket. A whole room lives on one engine (its legs hear each other's
 * speakers there: room-hub.ts); a new room goes to the engine with the fewest legs. The router
 * gives members their ids, enforces the member limit, names recordings, and passes messages
 * both ways: what a member sends to the room's engine, what the engine sends to a member's
 * connection.
 */
import type { SettingsPatch } from './catalog.ts';
import type { EngineHandle, EnginePool } from './engine-pool.ts';
import type { FromEngine, RoomInfo } from './engine-protocol.ts';
import type { MemberConnection } from './member.ts';
import type { ClientMessage, ListenMode, MemberInfo, ServerEvent } from './protocol.ts';

export interface RoomRouterOptions {
  engines: EnginePool;
  /** Members a room may hold (listening paths grow as N x (N - 1)). */
  maxMembersPerRoom: number;
  /** Folder name of a recording a member starts. */
  sessionName(room: string, member: MemberInfo): string;
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
}

interface Room {
  engine: EngineHandle;
  members: Map<number, Routed>;
}

/** Legs of a room of n members: everyone hears everyone else, a member alone hears themselves. */
const legsOf = (n: number) => (n > 1 ? n * (n - 1) : n);

export class RoomRouter {
  private readonly rooms = new Map<string, Room>();
  private readonly byId = new Map<number, Routed>();
  private nextId = 1;

  constructor(private readonly o: RoomRouterOptions) {}

  roomSizes(): Array<{ name: string; members: number }> {
    return [...this.rooms].map(([name, r]) => ({ name, members: r.members.size }));
  }

  legCount(): number {
    let n = 0;
    for (const r of this.rooms.values()) n += legsOf(r.members.size);
    return n;
  }

  /** Why `room` cannot take another member, or null. */
  roomFull(room: string): string | null {
    const n = this.rooms.get(room)?.members.size ?? 0;
    return n >= this.o.maxMembersPerRoom ? `room '${room}' is full (${this.o.maxMembersPerRoom} members, --max-room-members)` : null;
  }

  join(room: string, name: string, conn: MemberConnection, how: { listen: ListenMode; loopback: boolean } = { listen: 'server', loopback: true }): MemberHandle {
    const id = this.nextId++;
    const info = { id, name };
    const handle: MemberHandle = { id, name, room, info, event: (e) => void conn.send(JSON.stringify(e)) };
    let r = this.rooms.get(room);
    if (!r) {
      r = { engine: this.o.engines.least(), members: new Map() };
      this.rooms.set(room, r);
    }
    const routed = { handle, conn, left: false };
    r.engine.legs += legsOf(r.members.size + 1) - legsOf(r.members.size);
    r.members.set(id, routed);
    this.byId.set(id, routed);
    r.engine.send({ k: 'join', member: info, room, listen: how.listen, loopback: how.loopback });
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
    r.engine.legs -= legsOf(r.members.size) - legsOf(r.members.size - 1);
    r.members.delete(m.id);
    r.engine.send({ k: 'leave', id: m.id, reason });
    if (r.members.size === 0) this.rooms.delete(m.room);
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
    return infos.filter((i) => this.rooms.has(i.name)).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  }

  /** What an engine sends to a member. */
  fromEngine(m: FromEngine): void {
    if (m.k !== 'send' && m.k !== 'close') return;
    const routed = this.byId.get(m.id);
    if (!routed) return;
    if (m.k === 'send') routed.conn.send(m.data);
    else routed.conn.close(m.code, m.reason);
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
