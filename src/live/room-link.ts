/**
 * The narrow seam between the rooms of this instance and rooms shared with other server
 * instances (redis/redis-rooms.ts). The link lives on the main thread next to the room router
 * (room-router.ts): the router tells it what its local members do (join, change their codec,
 * speak, leave: the speaker's side comes from the leg engine that runs the room, through
 * SpeakerOutbox), and the link tells the router what members on other instances do, which the
 * router passes to the room's engine. A remote member is only a speaker here: their listening
 * (legs, jitter buffers, playout) runs on their own instance, while every local listener hears
 * them through a leg of its own, as it hears a local speaker.
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

/** Router → other instances. Calls never throw and never block the caller. */
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

/** Other instances → router (which passes them to the room's engine: room-hub.ts). */
export interface RemoteSink {
  /** A remote member joined (or changed its speaker): idempotent. */
  remoteJoined(room: string, s: SpeakerDesc): void;
  remoteLeft(room: string, member: MemberInfo, reason: string): void;
  remoteRtp(room: string, speakerId: number, packet: SpokenPacket): void;
  /** A local member turned out to be over the room's limit (another instance took the last place first). */
  refused(room: string, id: number): void;
}

/**
 * What a room's hub (on its leg engine) tells the link about its local speakers: their encoder's
 * payload type and codec (on join and on every settings change) and the packets they send.
 */
export interface SpeakerOutbox {
  speaker(room: string, s: SpeakerDesc): void;
  spoke(room: string, speakerId: number, packets: readonly SpokenPacket[]): void;
}
