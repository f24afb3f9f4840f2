/**
 * Messages on a room's Redis pub/sub channel, shared by every instance with members in the room.
 * Binary, so a speaker's RTP crosses instances byte for byte (no base64):
 *
 *   byte 0      kind: 1 media, 2 control
 *   bytes 1-2   the sending instance's slot (uint16 big-endian): an instance skips its own
 *   media:      bytes 3-6 speaker id (uint32 BE), byte 7 lane, then the RTP packet as sent
 *   control:    bytes 3.. UTF-8 JSON: a member joined, changed its speaker, or left
 *
 * Anything else is malformed: counted and dropped by the receiver, never thrown.
 */
import { z } from 'zod';
import { CodecConfigSchema } from '../../codec/config.ts';
import type { Lane } from '../../channel/types.ts';
import type { SpeakerDesc } from '../room-link.ts';

const MEDIA = 1;
const CONTROL = 2;
const LANES: readonly Lane[] = ['media', 'fec', 'rtx', 'rtcp', 'other'];
/** An RTP packet is at least its 12-byte fixed header (RFC 3550 section 5.1). */
const MIN_RTP = 12;

const MemberSchema = z.strictObject({ id: z.number().int().min(1).max(2 ** 31), name: z.string().max(64) });
const ControlSchema = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('join'), member: MemberSchema, pt: z.number().int().min(0).max(127), codec: CodecConfigSchema }),
  z.strictObject({ t: z.literal('update'), member: MemberSchema, pt: z.number().int().min(0).max(127), codec: CodecConfigSchema }),
  z.strictObject({ t: z.literal('leave'), member: MemberSchema, reason: z.string().max(200) }),
]);

export type Control = z.output<typeof ControlSchema>;

export type BusMessage =
  | { kind: 'media'; slot: number; speakerId: number; lane: Lane; rtp: Uint8Array }
  | { kind: 'control'; slot: number; control: Control };

export function encodeMedia(slot: number, speakerId: number, lane: Lane, rtp: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(8 + rtp.length);
  out[0] = MEDIA;
  out.writeUInt16BE(slot, 1);
  out.writeUInt32BE(speakerId, 3);
  out[7] = Math.max(0, LANES.indexOf(lane));
  out.set(rtp, 8);
  return out;
}

export function encodeControl(slot: number, c: Control): Buffer {
  const json = Buffer.from(JSON.stringify(c), 'utf8');
  const out = Buffer.allocUnsafe(3 + json.length);
  out[0] = CONTROL;
  out.writeUInt16BE(slot, 1);
  json.copy(out, 3);
  return out;
}

export function speakerControl(t: 'join' | 'update', s: SpeakerDesc): Control {
  return { t, member: { id: s.info.id, name: s.info.name }, pt: s.payloadType, codec: s.codec };
}

export function speakerOf(c: Extract<Control, { t: 'join' | 'update' }>): SpeakerDesc {
  return { info: { id: c.member.id, name: c.member.name }, payloadType: c.pt, codec: c.codec };
}

/** A message off the bus, or why it is malformed (a metric label). */
export function decodeBusMessage(b: Buffer): BusMessage | { malformed: string } {
  if (b.length < 3) return { malformed: 'short' };
  const slot = b.readUInt16BE(1);
  if (b[0] === MEDIA) {
    if (b.length < 8 + MIN_RTP) return { malformed: 'short' };
    const lane = LANES[b[7]];
    if (!lane) return { malformed: 'lane' };
    return { kind: 'media', slot, speakerId: b.readUInt32BE(3), lane, rtp: new Uint8Array(b.buffer, b.byteOffset + 8, b.length - 8) };
  }
  if (b[0] !== CONTROL) return { malformed: 'kind' };
  let raw: unknown;
  try {
    raw = JSON.parse(b.subarray(3).toString('utf8'));
  } catch {
    return { malformed: 'json' };
  }
  const r = ControlSchema.safeParse(raw);
  return r.success ? { kind: 'control', slot, control: r.data } : { malformed: 'control' };
}

/** A directory entry (the room hash's value for one member): the speaker and its instance's slot. */
export function encodeEntry(slot: number, s: SpeakerDesc): string {
  return JSON.stringify({ slot, ...speakerControl('join', s) });
}

const EntrySchema = z.object({ slot: z.number().int().min(1).max(0xffff) }).passthrough();

export function decodeEntry(text: string): { slot: number; speaker: SpeakerDesc } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const e = EntrySchema.safeParse(raw);
  if (!e.success) return null;
  const { slot, ...rest } = e.data;
  const c = ControlSchema.safeParse(rest);
  if (!c.success || c.data.t !== 'join') return null;
  return { slot, speaker: speakerOf(c.data) };
}
