/**
 * Presence and membership in Redis. Each instance holds a slot: the key
 * `jitterlab:live:instance:<slot>`, set with an expiry (PX) and renewed on every heartbeat, so it
 * vanishes by Redis's own clock when an instance dies (no clocks of ours are compared). Each room
 * is a hash `jitterlab:live:room:<room>`: member id -> entry (the member's speaker and slot). An
 * entry whose slot key is gone belongs to a dead instance: whoever sees it first deletes it.
 */
import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { IoError } from '../../core/errors.ts';
import type { SpeakerDesc } from '../room-link.ts';
import { decodeEntry, encodeEntry } from './bus-message.ts';

const PREFIX = 'jitterlab:live:';
/** Slots 1..2047: member ids are slot x 2^20 + n and stay below 2^31 (the protocol's id range). */
export const MAX_SLOT = 2047;
export const IDS_PER_SLOT = 2 ** 20;

export const instanceKey = (slot: number) => `${PREFIX}instance:${slot}`;
export const roomKey = (room: string) => `${PREFIX}room:${room}`;
export const busChannel = (room: string) => `${PREFIX}bus:${room}`;
export const BUS_PREFIX = `${PREFIX}bus:`;
/** A room hash nobody renews (every instance in it died) goes after this long. */
const ROOM_KEEP_MS = 60_000;

/**
 * Admission, atomic in Redis (one script runs at a time): count the room's entries whose instance
 * is alive; below the limit, add the new member's entry. Two members connecting to two instances
 * in the same instant cannot both take the last place.
 */
const ADMIT = `
local fields = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #fields, 2 do
  local ok, e = pcall(cjson.decode, fields[i + 1])
  if ok and type(e) == 'table' and e.slot and redis.call('EXISTS', ARGV[4] .. e.slot) == 1 then n = n + 1 end
end
if n >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

export interface DirectoryEntry {
  slot: number;
  speaker: SpeakerDesc;
}

/** A room as one read of the directory saw it. */
export interface RoomView {
  room: string;
  alive: Map<number, DirectoryEntry>;
  dead: number[];
  liveSlots: Set<number>;
}

/** The slot of a member id (ids are slot x 2^20 + n). */
export const slotOfId = (id: number) => Math.floor(id / IDS_PER_SLOT);

export class RoomDirectory {
  constructor(
    private readonly redis: Redis,
    readonly ttlMs: number,
  ) {}

  /** A free slot, taken with SET NX (so two instances never share one) and an expiry. */
  async claimSlot(info: string): Promise<number> {
    for (let i = 0; i < 64; i++) {
      const slot = randomInt(1, MAX_SLOT + 1);
      if ((await this.redis.set(instanceKey(slot), info, 'PX', this.ttlMs, 'NX')) === 'OK') return slot;
    }
    throw new IoError('redis', `no free instance slot (${MAX_SLOT} slots): too many instances, or stale keys under ${PREFIX}instance:*`);
  }

  async release(slot: number): Promise<void> {
    await this.redis.del(instanceKey(slot));
  }

  /**
   * The room's entries whose instance is alive; the ids of entries of dead instances (deleted);
   * and which of `alsoSlots` (instances of members this instance knows) are alive.
   */
  async read(room: string, ownSlot: number, alsoSlots: Iterable<number> = []): Promise<RoomView> {
    const raw = await this.redis.hgetall(roomKey(room));
    const entries = new Map<number, DirectoryEntry>();
    const bad: string[] = [];
    for (const [field, text] of Object.entries(raw)) {
      const e = decodeEntry(text);
      if (!e || String(e.speaker.info.id) !== field) bad.push(field);
      else entries.set(e.speaker.info.id, e);
    }
    const slots = [...new Set([...[...entries.values()].map((e) => e.slot), ...alsoSlots])].filter((s) => s !== ownSlot);
    const liveSlots = new Set<number>([ownSlot]);
    if (slots.length) {
      const vals = await this.redis.mget(slots.map(instanceKey));
      slots.forEach((s, i) => vals[i] !== null && liveSlots.add(s));
    }
    const dead = [...entries.values()].filter((e) => !liveSlots.has(e.slot)).map((e) => e.speaker.info.id);
    for (const id of dead) entries.delete(id);
    const gone = [...bad, ...dead.map(String)];
    if (gone.length) await this.redis.hdel(roomKey(room), ...gone);
    return { room, alive: entries, dead, liveSlots };
  }

  /**
   * One transaction: renew (or, after a Redis restart, re-create) this instance's presence and
   * write its members of each room, deleting its entries that are no longer members. Others thus
   * never see this instance's presence without its entries.
   */
  async commit(slot: number, info: string, rooms: ReadonlyArray<{ view: RoomView; local: ReadonlyMap<number, SpeakerDesc> }>): Promise<void> {
    const p = this.redis.multi();
    p.set(instanceKey(slot), info, 'PX', this.ttlMs);
    for (const { view, local } of rooms) {
      const key = roomKey(view.room);
      const stale = [...view.alive.values()].filter((e) => e.slot === slot && !local.has(e.speaker.info.id)).map((e) => String(e.speaker.info.id));
      if (local.size) p.hset(key, Object.fromEntries([...local].map(([id, s]) => [String(id), encodeEntry(slot, s)])));
      if (stale.length) p.hdel(key, ...stale);
      p.pexpire(key, ROOM_KEEP_MS);
    }
    const r = await p.exec();
    const failed = r?.find(([e]) => e);
    if (failed) throw failed[0];
  }

  /** Adds the member if the room (on every instance) has fewer than `max` members; false if it is full. */
  async admit(room: string, slot: number, s: SpeakerDesc, max: number): Promise<boolean> {
    const args: string[] = [roomKey(room), String(s.info.id), encodeEntry(slot, s), String(max), `${PREFIX}instance:`, String(ROOM_KEEP_MS)];
    const r = await this.redis.eval(ADMIT, 1, ...args);
    return r === 1;
  }

  async add(room: string, slot: number, s: SpeakerDesc): Promise<void> {
    await this.redis.hset(roomKey(room), String(s.info.id), encodeEntry(slot, s));
  }

  async remove(room: string, id: number): Promise<void> {
    await this.redis.hdel(roomKey(room), String(id));
  }
}
