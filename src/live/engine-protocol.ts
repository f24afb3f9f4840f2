/**
 * Messages between the live server's main thread (sockets, HTTP, WebSocket, validation) and its
 * leg engines (engine.ts: each on a worker thread, or one on the main thread with --workers 0),
 * which run the legs: channels, jitter buffers, decoding, concealment, playout ticks, RTCP
 * reports, recordings. Everything that crosses is plain data (structured clone); a leg's state
 * never does.
 *
 * Messages travel in batches, one postMessage per event-loop turn (mailbox.ts), and RTP packets
 * inside a batch travel packed in one transferred buffer (PacketBlock), so the cost of crossing
 * is per turn, not per packet. Order is kept: a block is closed before any other message, so a
 * stream's packets never overtake its start or its end.
 */
import type { RemoteInfo } from 'node:dgram';
import type { RtcpSenderReport } from '../rtp/rtcp-report.ts';
import type { SettingsPatch } from './catalog.ts';
import type { ListenerSettings } from './leg-config.ts';
import type { CounterSnapshot } from './prometheus.ts';
import type { ClientMessage, ListenMode, MemberInfo, SettingsState } from './protocol.ts';
import type { RecordingLimits } from './recording-quota.ts';
import type { RtpStreamInfo } from './rtp-stream.ts';
import type { SpeakerDesc, SpokenPacket } from './room-link.ts';

/** What an engine is started with (a worker's workerData). */
export interface EngineInit {
  index: number;
  scenariosDir: string;
  scenarioFile: string | null;
  /** The main thread's clock zero on the process-wide monotonic clock: every thread tells the same time. */
  originMonotonicMs: number;
  quota: { limits: RecordingLimits; shared: SharedArrayBuffer };
  reportsDir: string;
  statsIntervalMs: number;
  emodel: boolean;
  /** Forward impaired RTP here (the engine's own socket); null = no forwarding. */
  forward: { host: string; port: number } | null;
  /** Our SSRC in RTCP receiver reports. */
  rtcpSsrc: number;
  /** Send every RTP stream's decoded playout to the main thread (LiveServerOptions.onRtpAudio). */
  rtpAudio: boolean;
  /** The libopus addon's path as the main thread found it (codec/opus-native.ts), or null. */
  opusAddon: string | null;
  /** Rooms are shared with other instances (--redis): speakers' descriptions and packets go to the main thread's link. */
  shareRooms: boolean;
}

/** The address a stream's packets come from (RemoteInfo without its per-datagram size). */
export type Remote = Pick<RemoteInfo, 'address' | 'port' | 'family'>;

export type Query =
  | { q: 'rtp-info'; limit: number | null }
  | { q: 'rtp-record'; id: number; on: boolean; session: string }
  | { q: 'room-settings'; room: string; member: number | null; patch: SettingsPatch }
  | { q: 'rooms' }
  | { q: 'metrics' }
  | { q: 'load' }
  | { q: 'close' };

export type RecordResult = { ok: true; dir: string; files?: string[] } | { error: string; status: number };
export type RoomInfo = { name: string; members: Array<MemberInfo & { settings: SettingsState; recording: boolean }>; remoteMembers?: MemberInfo[] };

/** What each query answers. */
export interface Answers {
  'rtp-info': { infos: Array<RtpStreamInfo & { id: number }>; total: number };
  'rtp-record': RecordResult;
  'room-settings': { applied: number } | { error: string };
  rooms: RoomInfo[];
  metrics: CounterSnapshot;
  /** The engine thread's CPU time so far (ms; null off Linux), and what runs on it. */
  load: { cpuMs: number | null; streams: number; members: number };
  close: null;
}

export type ToEngine =
  | { k: 'pk'; block: ArrayBuffer; n: number }
  | { k: 'rtp-new'; id: number; ssrc: number; generation: number; payloadType: number; remote: Remote; originMs: number; settings: ListenerSettings; session: string | null }
  | { k: 'rtp-remote'; id: number; remote: Remote }
  | { k: 'rtp-sr'; id: number; sr: RtcpSenderReport; atMs: number }
  | { k: 'rtp-bye'; id: number; atMs: number }
  | { k: 'rtp-end'; id: number; reason: string }
  | { k: 'rtp-settings'; id: number | null; settings: ListenerSettings }
  /** `remote`: the room's members on other instances, when the join makes the room on this engine. */
  | { k: 'join'; member: MemberInfo; room: string; listen: ListenMode; loopback: boolean; remote: SpeakerDesc[] }
  | { k: 'leave'; id: number; reason: string }
  | { k: 'msg'; id: number; msg: ClientMessage; session: string | null }
  | { k: 'audio'; id: number; pcm: Int16Array }
  /** Members on other instances (--redis): joined or changed codec, left, and their packets. */
  | { k: 'remote-join'; room: string; speaker: SpeakerDesc }
  | { k: 'remote-left'; room: string; member: MemberInfo; reason: string }
  | { k: 'remote-rtp'; room: string; id: number; packet: SpokenPacket }
  | { k: 'req'; req: number; query: Query };

export type FromEngine =
  | { k: 'ready' }
  | { k: 'failed'; message: string }
  /** To a member's WebSocket, and closing it. */
  | { k: 'send'; id: number; data: string | Uint8Array }
  | { k: 'close'; id: number; code: number; reason: string }
  | { k: 'rtcp'; bytes: Uint8Array; port: number; address: string }
  | { k: 'audio'; ssrc: number; pcm: Int16Array; dueMs: number }
  | { k: 'log'; line: string }
  /** With shareRooms: a local member's speaker (on join and every settings change) and what it sent. */
  | { k: 'speaker'; room: string; speaker: SpeakerDesc }
  | { k: 'spoke'; room: string; id: number; packets: SpokenPacket[] }
  /** A stream ended (on its own, or as asked): its final figures and summary line. */
  | { k: 'ended'; id: number; info: RtpStreamInfo; line: string }
  /** The engine's counters, sent every second unasked (what /metrics shows while the engine is busy). */
  | { k: 'counters'; snapshot: CounterSnapshot }
  /** Playout-tick lateness samples (ms). */
  | { k: 'late'; samples: Float64Array }
  | { k: 'reply'; req: number; value?: unknown; error?: string };

/** Bytes of a packet record's header: stream id (u32), arrival (f64), length (u16). */
const HEAD = 14;

/** RTP packets of one batch, packed into one buffer that is transferred, not copied. */
export class PacketBlockWriter {
  private buf = new ArrayBuffer(16 * 1024);
  private view = new DataView(this.buf);
  private bytes = new Uint8Array(this.buf);
  private at = 0;
  count = 0;

  add(id: number, atMs: number, packet: Uint8Array): void {
    const need = this.at + HEAD + packet.length;
    if (need > this.buf.byteLength) this.grow(need);
    const v = this.view;
    v.setUint32(this.at, id, true);
    v.setFloat64(this.at + 4, atMs, true);
    v.setUint16(this.at + 12, packet.length, true);
    this.bytes.set(packet, this.at + HEAD);
    this.at = need;
    this.count++;
  }

  private grow(need: number): void {
    const next = new ArrayBuffer(Math.max(need, 2 * this.buf.byteLength));
    new Uint8Array(next).set(this.bytes.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next);
    this.bytes = new Uint8Array(next);
  }

  /** The block so far (its own buffer, to transfer), and a fresh writer state. */
  take(): { block: ArrayBuffer; n: number } {
    const block = this.buf.slice(0, this.at);
    const n = this.count;
    this.at = 0;
    this.count = 0;
    return { block, n };
  }
}

/** Each packet of a block: stream id, arrival time, the packet's bytes (a view into the block). */
export function readPacketBlock(block: ArrayBuffer, n: number, each: (id: number, atMs: number, packet: Uint8Array) => void): void {
  const v = new DataView(block);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len = v.getUint16(at + 12, true);
    each(v.getUint32(at, true), v.getFloat64(at + 4, true), new Uint8Array(block, at + HEAD, len));
    at += HEAD + len;
  }
}
