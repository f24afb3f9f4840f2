/**
 * The WebSocket protocol between the live page and the server (shared by both; no Node imports).
 *
 * Binary frames carry audio: byte 0 the type, bytes 1-3 zero, bytes 4-7 the frame number
 * (uint32 little-endian), then one 20 ms frame at 48 kHz, 960 signed 16-bit little-endian
 * samples (offset 8 keeps the samples 2-byte aligned). Text frames carry JSON control messages
 * (client → server) and events (server → client).
 */
export const AUDIO_IN = 1;
export const AUDIO_OUT = 2;
export const FRAME_SAMPLES = 960;
export const SAMPLE_RATE = 48000;
export const FRAME_MS = 20;
export const AUDIO_HEADER_BYTES = 8;
export const AUDIO_FRAME_BYTES = AUDIO_HEADER_BYTES + FRAME_SAMPLES * 2;
/** The WebSocket subprotocol of the page; the access token rides as a second one (no token in any URL). */
export const WS_PROTOCOL = 'jitterlab';
export const WS_TOKEN_PREFIX = 'jitterlab-token.';

/** The subprotocol carrying `token`: hex of its UTF-8 bytes (subprotocol names allow only RFC 7230 token characters). */
export function wsTokenProtocol(token: string): string {
  let hex = '';
  for (const b of new TextEncoder().encode(token)) hex += b.toString(16).padStart(2, '0');
  return WS_TOKEN_PREFIX + hex;
}

/** WebSocket close code when a room is at its member limit (4000-4999: private use, RFC 6455 7.4.2). */
export const CLOSE_ROOM_FULL = 4001;

export function encodeAudioFrame(type: number, frameNo: number, pcm: Int16Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(AUDIO_FRAME_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, type);
  dv.setUint32(4, frameNo >>> 0, true);
  for (let i = 0; i < FRAME_SAMPLES; i++) dv.setInt16(AUDIO_HEADER_BYTES + 2 * i, pcm[i] ?? 0, true);
  return out;
}

export type AudioFrameResult = { ok: true; type: number; frameNo: number; pcm: Int16Array } | { ok: false; reason: string };

export function decodeAudioFrame(bytes: Uint8Array): AudioFrameResult {
  if (bytes.length < 1) return { ok: false, reason: 'empty' };
  const type = bytes[0];
  if (type !== AUDIO_IN && type !== AUDIO_OUT) return { ok: false, reason: 'unknown-type' };
  if (bytes.length !== AUDIO_FRAME_BYTES) return { ok: false, reason: 'bad-length' };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pcm = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; i < FRAME_SAMPLES; i++) pcm[i] = dv.getInt16(AUDIO_HEADER_BYTES + 2 * i, true);
  return { ok: true, type, frameNo: dv.getUint32(4, true), pcm };
}

/** Control messages the page sends (validated on the server). */
export type ClientMessage =
  | { type: 'settings'; preset?: string; buffer?: string | null; lossPct?: number | null; jitterMs?: number | null }
  | { type: 'record'; on: boolean }
  /** The page's SDP answer to the server's offer for the leg from speaker `leg` (WebRTC listening). */
  | { type: 'rtc-answer'; leg: number; sdp: string };

/**
 * How a member hears: `server`, jitterlab's receiver on the server decodes and the page plays
 * the PCM it sends; `webrtc`, the impaired Opus packets go to the page over WebRTC and the
 * browser's own NetEq, decoder and concealment play them.
 */
export type ListenMode = 'server' | 'webrtc';

export interface MemberInfo {
  id: number;
  name: string;
}

export interface EffectiveSettings {
  preset: string;
  buffer: string;
  lossPct: number | null;
  jitterMs: number;
  baseDelayMs: number;
  lossModel: string;
}

export interface SettingsState {
  preset: string;
  buffer: string | null;
  lossPct: number | null;
  jitterMs: number | null;
}

export interface LegStats {
  speaker: MemberInfo;
  netDelayMs: number | null;
  jbTargetMs: number | null;
  jbLevelMs: number | null;
  lossPct: number;
  lateLastS: number;
  concealedLastS: number;
  effectiveLossPct: number;
  mosCQ: number | null;
  mosLQ: number | null;
  counters: { packetsReceived: number; packetsLost: number; packetsDiscarded: number; concealmentEvents: number; jitterMs: number };
}

/** Events the server sends. */
export type ServerEvent =
  | {
      type: 'welcome';
      you: MemberInfo;
      room: string;
      members: MemberInfo[];
      presets: string[];
      buffers: string[];
      settings: SettingsState;
      effective: EffectiveSettings;
      emodel: boolean;
      listen: ListenMode;
    }
  | { type: 'member-joined'; member: MemberInfo }
  | { type: 'member-left'; member: MemberInfo; reason: string }
  | { type: 'settings'; settings: SettingsState; effective: EffectiveSettings }
  | { type: 'stats'; tMs: number; legs: LegStats[] }
  | { type: 'recording'; on: boolean; dir?: string; files?: string[]; reason?: string }
  | { type: 'error'; code: string; message: string }
  /** WebRTC listening: the server's offer for the leg from speaker `leg`, and its end. */
  | { type: 'rtc-offer'; leg: number; sdp: string }
  | { type: 'rtc-close'; leg: number };
