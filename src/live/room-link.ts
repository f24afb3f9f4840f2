/**
 * The narrow seam between the room hub and rooms shared with other server instances
 * (redis/redis-rooms.ts): the hub tells the link what its local members do (join, change their
 * codec, speak, leave), and the link tells the hub what members on other instances do. A remote
 * member is only a speaker here: their listening (legs, jitter buffers, playout) runs on their
 * own instance, while every local listener hears them through a leg of its own, as it hears a
 * local speaker.
 */
import type { CodecConfig } from '../codec/config.ts';
import type { Lane } from '../channel/types.ts';
import type { MemberInfo } from './protocol.ts';

/** What a listener's leg needs to know about a speaker (local or remote). */
export interface SpeakerDesc {
  info: MemberInfo;
  payloadType: number;
  codec: CodecConfig;
}

/** One RTP packet a speaker sent, as the sender made it (before any simulated network). */
export interface SpokenPacket {
  bytes: Uint8Array;
  lane: Lane;
}

/** Hub → other instances. Calls never throw and never block the caller. */
export interface RoomLink {
  /** Where local member ids start (ids are unique across the instances sharing rooms). */
  readonly firstMemberId: number;
  joined(room: string, s: SpeakerDesc): void;
  /** The member's speaker changed (codec settings). */
  updated(room: string, s: SpeakerDesc): void;
  left(room: string, info: MemberInfo, reason: string): void;
  spoke(room: string, speakerId: number, packets: readonly SpokenPacket[]): void;
  /** Members of `room` on other instances as this instance knows them (by id). */
  remote(room: string): ReadonlyMap<number, SpeakerDesc>;
  /**
   * Learn who is in `room` elsewhere before a member is admitted (room limits count every
   * instance). Resolves, never rejects: without the shared store, what is known is used.
   */
  prepare(room: string): Promise<void>;
}

/** Other instances → hub. */
export interface RemoteSink {
  /** A remote member joined (or changed its speaker): idempotent. */
  remoteJoined(room: string, s: SpeakerDesc): void;
  remoteLeft(room: string, member: MemberInfo, reason: string): void;
  remoteRtp(room: string, speakerId: number, packet: SpokenPacket): void;
  /** A local member turned out to be over the room's limit (another instance took the last place first). */
  refused(room: string, id: number): void;
}
