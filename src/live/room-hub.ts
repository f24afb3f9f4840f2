/**
 * Rooms of the live server. Each listener hears every other member of their room through their
 * own leg per speaker (own channel, own jitter buffer); alone, they hear themselves. Join and
 * leave are broadcast; settings apply to the listener's legs (and the speaker's encoder);
 * statistics go to every member a few times a second for the charts.
 */
import { join } from 'node:path';
import { rtpInitFor } from '../sim/run-scenario.ts';
import type { TimerHandle } from '../core/clock.ts';
import type { LiveCatalog, SettingsPatch } from './catalog.ts';
import { effectiveSettings, LIVE_FRAME_MS, LIVE_SAMPLE_RATE } from './leg-config.ts';
import { LiveLeg } from './leg.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { Member, type MemberConnection } from './member.ts';
import { CLOSE_ROOM_FULL, type ClientMessage, type LegStats, type ListenMode, type MemberInfo, type ServerEvent, type SettingsState } from './protocol.ts';
import { RtcListener } from './rtc-listener.ts';
import { LiveRecorder } from './recorder.ts';
import type { RecordingQuota } from './recording-quota.ts';
import type { RemoteSink, RoomLink, SpeakerDesc, SpokenPacket } from './room-link.ts';
import { Speaker } from './speaker.ts';
import type { TimerWheel } from './timer-wheel.ts';

export interface HubOptions {
  clock: TimerWheel;
  catalog: LiveCatalog;
  metrics: LiveMetrics;
  /** Recordings go to <reportsDir>/<session>/. */
  reportsDir: string;
  sessionName(room: string, member: MemberInfo): string;
  statsIntervalMs: number;
  /** Whether an E-model function is available (shown on the page). */
  emodel: boolean;
  /** Members a room may hold (listening paths grow as N x (N - 1)). */
  maxMembersPerRoom: number;
  recordingQuota: RecordingQuota;
  /** One line for the terminal (recordings saved). */
  log(line: string): void;
  /** Rooms shared with other instances (--redis): their members speak in this hub's rooms. */
  link?: RoomLink;
}

const NO_REMOTE: ReadonlyMap<number, SpeakerDesc> = new Map();

export class RoomHub implements RemoteSink {
  private readonly rooms = new Map<string, Map<number, Member>>();
  private nextId: number;
  private readonly statsTimer: TimerHandle;

  constructor(private readonly o: HubOptions) {
    this.nextId = o.link?.firstMemberId ?? 1;
    this.statsTimer = o.clock.every(o.statsIntervalMs, o.clock.now() + o.statsIntervalMs, () => this.pushStats(), { catchUp: false });
  }

  /** The rooms of this instance: its members, and (with --redis) the room's members on other instances. */
  roomInfo(): Array<{ name: string; members: Array<MemberInfo & { settings: SettingsState; recording: boolean }>; remoteMembers?: MemberInfo[] }> {
    return [...this.rooms].map(([name, ms]) => ({
      name,
      members: [...ms.values()].map((m) => ({ ...m.info, settings: { ...m.settings }, recording: m.recording !== null })),
      ...(this.o.link ? { remoteMembers: [...this.remote(name).values()].map((s) => s.info) } : {}),
    }));
  }

  roomSizes(): Array<{ name: string; members: number }> {
    return [...this.rooms].map(([name, ms]) => ({ name, members: ms.size }));
  }

  legCount(): number {
    let n = 0;
    for (const ms of this.rooms.values()) for (const m of ms.values()) n += m.legs.size;
    return n;
  }

  /** Why `room` cannot take another member, or null. */
  roomFull(room: string): string | null {
    const n = (this.rooms.get(room)?.size ?? 0) + this.remote(room).size;
    return n >= this.o.maxMembersPerRoom ? this.fullMessage(room) : null;
  }

  private fullMessage(room: string): string {
    return `room '${room}' is full (${this.o.maxMembersPerRoom} members, --max-room-members)`;
  }

  /** Before admitting a member to `room`: learn its members on other instances. */
  prepareRoom(room: string): Promise<void> {
    return this.o.link?.prepare(room) ?? Promise.resolve();
  }

  private remote(room: string): ReadonlyMap<number, SpeakerDesc> {
    return this.o.link?.remote(room) ?? NO_REMOTE;
  }

  /** A member who speaks in `room`: local, or on another instance. */
  private speakerIn(room: string, id: number): SpeakerDesc | null {
    const m = this.rooms.get(room)?.get(id);
    return m ? speakerDescOf(m) : (this.remote(room).get(id) ?? null);
  }

  join(room: string, name: string, conn: MemberConnection, how: { listen: ListenMode; loopback: boolean } = { listen: 'server', loopback: true }): Member {
    const id = this.nextId++;
    const settings = this.o.catalog.defaultSettings();
    const cfg = this.o.catalog.resolve(settings);
    const speaker = new Speaker(cfg.codec, rtpInitFor(cfg.seed + id, cfg.senderRtp));
    const m = new Member(id, name, room, conn, settings, cfg, speaker, how.listen);
    if (how.listen === 'webrtc') m.rtc = new RtcListener((e) => m.event(e), how.loopback);
    let members = this.rooms.get(room);
    if (!members) {
      members = new Map();
      this.rooms.set(room, members);
    }
    for (const other of members.values()) other.event({ type: 'member-joined', member: m.info } satisfies ServerEvent);
    members.set(id, m);
    this.o.link?.joined(room, speakerDescOf(m));
    const now = this.o.clock.now();
    m.tick = this.o.clock.every(LIVE_FRAME_MS, now + LIVE_FRAME_MS, (due) => m.playout(due));
    this.rewire(room);
    m.event({
      type: 'welcome',
      you: m.info,
      room,
      members: [...members.values()].map((x) => x.info).concat([...this.remote(room).values()].map((x) => x.info)),
      presets: this.o.catalog.presetNames(),
      buffers: this.o.catalog.bufferTypes(),
      settings: { ...settings },
      effective: effectiveSettings(cfg),
      emodel: this.o.emodel,
      listen: m.listen,
    } satisfies ServerEvent);
    return m;
  }

  /** Idempotent: a member leaves (closed, heartbeat, slow reader, server shutdown). */
  leave(m: Member, reason: string): void {
    if (m.left) return;
    m.left = true;
    this.stopRecording(m, reason === 'server-shutdown' ? 'the server stopped' : 'the listener left');
    m.tick?.cancel();
    for (const leg of m.legs.values()) leg.close();
    m.legs.clear();
    m.rtc?.closeAll();
    const members = this.rooms.get(m.room);
    if (!members) return;
    members.delete(m.id);
    this.o.link?.left(m.room, m.info, reason);
    if (members.size === 0) {
      this.rooms.delete(m.room);
      return;
    }
    for (const other of members.values()) other.event({ type: 'member-left', member: m.info, reason } satisfies ServerEvent);
    this.rewire(m.room);
  }

  /** Legs follow membership: everyone else, or yourself when alone. */
  private rewire(room: string): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const speakers = [...members.keys(), ...this.remote(room).keys()];
    for (const listener of members.values()) {
      const want = new Set(speakers.length > 1 ? speakers.filter((id) => id !== listener.id) : [listener.id]);
      for (const [sid, leg] of listener.legs) {
        if (!want.has(sid)) {
          listener.recording?.removeLeg(sid, this.o.clock.now());
          leg.close();
          listener.legs.delete(sid);
          listener.rtc?.close(sid);
        }
      }
      for (const sid of want) {
        if (listener.legs.has(sid)) continue;
        const speaker = this.speakerIn(room, sid)!;
        const rtc = listener.rtc;
        const leg = new LiveLeg(this.o.clock, listener.config, {
          payloadType: speaker.payloadType,
          kind: 'ws',
          metrics: this.o.metrics,
          // WebRTC listening: each impaired packet goes to the listener's browser at its arrival.
          ...(rtc ? { onDelivered: (bytes: Uint8Array) => rtc.write(sid, bytes) } : {}),
        });
        listener.legs.set(sid, leg);
        const codec = speaker.codec;
        rtc?.open(sid, { payloadType: speaker.payloadType, inbandFec: codec.fec, dtx: codec.dtx });
        listener.recording?.addLeg(speaker.info, leg, this.o.clock.now(), () => this.speakerIn(room, sid)?.codec ?? codec);
      }
    }
  }

  /** Captured audio from a member: encode once, then every listener's leg from this speaker. */
  onAudio(m: Member, pcm: Int16Array): void {
    if (m.left) return;
    const now = this.o.clock.now();
    const packets = m.speaker.packetsFor(pcm);
    const members = this.rooms.get(m.room);
    if (!members) return;
    for (const listener of members.values()) {
      const leg = listener.legs.get(m.id);
      if (!leg) continue;
      listener.recording?.spoken(m.info, pcm);
      for (const p of packets) leg.onRtp(p.bytes, now, p.lane);
    }
    this.o.link?.spoke(m.room, m.id, packets);
  }

  /** A member on another instance joined `room` (or changed its codec): legs and events follow. */
  remoteJoined(room: string, s: SpeakerDesc): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const known = [...members.values()].some((m) => m.legs.has(s.info.id));
    if (known) return;
    for (const m of members.values()) m.event({ type: 'member-joined', member: s.info } satisfies ServerEvent);
    this.rewire(room);
  }

  remoteLeft(room: string, member: MemberInfo, reason: string): void {
    const members = this.rooms.get(room);
    if (!members) return;
    for (const m of members.values()) m.event({ type: 'member-left', member, reason } satisfies ServerEvent);
    this.rewire(room);
  }

  /** Over the limit after all (another instance filled the room first): told why, and out. */
  refused(room: string, id: number): void {
    const m = this.rooms.get(room)?.get(id);
    if (!m) return;
    const why = this.fullMessage(room);
    this.o.metrics.rejected.inc({ reason: 'room-full' });
    m.event({ type: 'error', code: 'room-full', message: why } satisfies ServerEvent);
    m.conn.close(CLOSE_ROOM_FULL, why.slice(0, 120));
    this.leave(m, 'room-full');
  }

  /** A remote speaker's packet, as its instance sent it: into every local listener's own leg. */
  remoteRtp(room: string, speakerId: number, p: SpokenPacket): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const now = this.o.clock.now();
    for (const listener of members.values()) listener.legs.get(speakerId)?.onRtp(p.bytes, now, p.lane);
  }

  onMessage(m: Member, msg: ClientMessage): void {
    if (msg.type === 'settings') {
      const { type: _t, ...patch } = msg;
      void _t;
      const err = this.applySettings(m, patch);
      if (err) m.event({ type: 'error', code: 'bad-settings', message: err } satisfies ServerEvent);
      return;
    }
    if (msg.type === 'rtc-answer') {
      if (!m.rtc) m.event({ type: 'error', code: 'rtc-not-webrtc', message: 'this member listens through the server (join with listen=webrtc)' } satisfies ServerEvent);
      else m.rtc.answer(msg.leg, msg.sdp);
      return;
    }
    if (msg.on) this.startRecording(m);
    else this.stopRecording(m);
  }

  /** Apply a settings change; returns an error message when a name is unknown. */
  applySettings(m: Member, patch: SettingsPatch): string | null {
    const next = this.o.catalog.apply(m.settings, patch);
    if ('error' in next) return next.error;
    m.settings = next;
    m.config = this.o.catalog.resolve(next);
    m.speaker.setCodec(m.config.codec);
    this.o.link?.updated(m.room, speakerDescOf(m));
    for (const leg of m.legs.values()) leg.reconfigure(m.config);
    m.recording?.newPeriod(this.o.clock.now());
    m.event({ type: 'settings', settings: { ...next }, effective: effectiveSettings(m.config) } satisfies ServerEvent);
    return null;
  }

  /** Apply to one member (by id) or every member of a room; the number changed, or an error. */
  applyToRoom(room: string, memberId: number | null, patch: SettingsPatch): { applied: number } | { error: string } {
    const members = this.rooms.get(room);
    if (!members) return { error: `no room '${room}'` };
    const targets = memberId === null ? [...members.values()] : [members.get(memberId)].filter((x): x is Member => !!x);
    if (targets.length === 0) return { error: `no member ${memberId} in room '${room}'` };
    for (const m of targets) {
      const err = this.applySettings(m, patch);
      if (err) return { error: err };
    }
    return { applied: targets.length };
  }

  startRecording(m: Member): void {
    if (m.recording || m.left) return;
    if (m.listen === 'webrtc') {
      // A recording holds what jitterlab's receiver played; this member hears their browser's.
      m.event({ type: 'error', code: 'recording-refused', message: 'recording keeps what jitterlab\'s receiver plays; you listen through your browser (WebRTC): rejoin listening through the server to record' } satisfies ServerEvent);
      return;
    }
    const session = this.o.sessionName(m.room, m.info).replace(/[^A-Za-z0-9_.-]/g, '_');
    const now = this.o.clock.now();
    const recorder = LiveRecorder.open({
      dir: join(this.o.reportsDir, session),
      session,
      sampleRate: LIVE_SAMPLE_RATE,
      startMs: now,
      quota: this.o.recordingQuota,
      // Not inside the playout tick that hit the limit: right after it (if it is still this recording).
      onLimit: (reason) =>
        void this.o.clock.schedule(this.o.clock.now(), () => {
          if (m.recording === recorder) this.stopRecording(m, reason);
        }),
    });
    if (typeof recorder === 'string') {
      m.event({ type: 'error', code: 'recording-refused', message: recorder } satisfies ServerEvent);
      return;
    }
    m.recording = recorder;
    const members = this.rooms.get(m.room);
    for (const [sid, leg] of m.legs) {
      const speaker = members ? this.speakerIn(m.room, sid) : null;
      if (speaker) recorder.addLeg(speaker.info, leg, now, () => this.speakerIn(m.room, sid)?.codec ?? speaker.codec);
    }
    m.event({ type: 'recording', on: true, dir: recorder.dir } satisfies ServerEvent);
  }

  /** Save the member's recording, if any; `reason` when it did not stop on request. */
  stopRecording(m: Member, reason?: string): void {
    const rec = m.recording;
    if (!rec) return;
    m.recording = null;
    this.o.recordingQuota.release();
    const why = rec.stopReason ?? reason;
    try {
      const files = rec.finish({ endMs: this.o.clock.now(), room: m.room, listener: m.info, effective: effectiveSettings(m.config), reason: why });
      this.o.metrics.recordings.inc();
      this.o.log(`recording saved: ${rec.dir} (${files.join(', ')})${why ? `: ${why}` : ''}`);
      if (!m.left) m.event({ type: 'recording', on: false, dir: rec.dir, files, ...(why ? { reason: why } : {}) } satisfies ServerEvent);
    } catch (e) {
      this.o.log(`recording ${rec.dir} failed: ${(e as Error).message}`);
      if (!m.left) m.event({ type: 'error', code: 'recording-failed', message: (e as Error).message } satisfies ServerEvent);
    }
  }

  private pushStats(): void {
    const now = this.o.clock.now();
    for (const members of this.rooms.values()) {
      for (const m of members.values()) {
        const legs: LegStats[] = [];
        for (const [sid, leg] of m.legs) {
          const s = leg.snapshot(now);
          m.recording?.sample(sid, s);
          const c = leg.counters();
          legs.push({
            speaker: members.get(sid)?.info ?? this.remote(m.room).get(sid)?.info ?? { id: sid, name: '?' },
            netDelayMs: s.netDelayMs,
            jbTargetMs: s.jbTargetMs,
            jbLevelMs: s.jbLevelMs,
            lossPct: s.lossPct,
            lateLastS: s.lateLastS,
            concealedLastS: s.concealedLastS,
            effectiveLossPct: s.effectiveLossPct,
            mosCQ: s.mos?.mosCQ ?? null,
            mosLQ: s.mos?.mosLQ ?? null,
            counters: { packetsReceived: c.packetsReceived, packetsLost: c.packetsLost, packetsDiscarded: c.packetsDiscarded, concealmentEvents: c.concealmentEvents, jitterMs: c.jitter * 1000 },
          });
        }
        m.event({ type: 'stats', tMs: now, legs } satisfies ServerEvent);
      }
    }
  }

  /** Every member leaves (recordings are saved). */
  close(): void {
    this.statsTimer.cancel();
    for (const members of [...this.rooms.values()]) for (const m of [...members.values()]) this.leave(m, 'server-shutdown');
  }
}

function speakerDescOf(m: Member): SpeakerDesc {
  return { info: m.info, payloadType: m.speaker.rtp.payloadType, codec: m.config.codec };
}
