/**
 * Rooms of a leg engine (a whole room lives on one engine: room-router.ts places it). Each
 * listener hears every other member of their room through their own leg per speaker (own
 * channel, own jitter buffer); alone, they hear themselves. Join and leave are broadcast;
 * settings apply to the listener's legs (and the speaker's encoder); statistics go to every
 * member a few times a second for the charts. Members, their ids and their connections are the
 * main thread's: what a member is sent goes through `conn`. With rooms shared across instances
 * (--redis), a room's members on other instances are speakers here (the main thread's link
 * passes their joins, leaves and packets): every local listener hears each through a leg of its
 * own, as a local speaker.
 */
import { join } from 'node:path';
import { rtpInitFor } from '../sim/run-scenario.ts';
import type { TimerHandle } from '../core/clock.ts';
import type { LiveCatalog, SettingsPatch } from './catalog.ts';
import { effectiveSettings, LIVE_FRAME_MS, LIVE_SAMPLE_RATE } from './leg-config.ts';
import { LiveLeg } from './leg.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { Member, type MemberConnection } from './member.ts';
import type { ClientMessage, LegStats, ListenMode, MemberInfo, ServerEvent, SettingsState } from './protocol.ts';
import type { SpeakerDesc, SpeakerOutbox, SpokenPacket } from './room-link.ts';
import { RtcListener } from './rtc-listener.ts';
import { LiveRecorder } from './recorder.ts';
import type { RecordingQuota } from './recording-quota.ts';
import { Speaker } from './speaker.ts';
import type { TimerWheel } from './timer-wheel.ts';

export interface HubOptions {
  clock: TimerWheel;
  catalog: LiveCatalog;
  metrics: LiveMetrics;
  /** Recordings go to <reportsDir>/<session>/. */
  reportsDir: string;
  statsIntervalMs: number;
  /** Whether an E-model function is available (shown on the page). */
  emodel: boolean;
  recordingQuota: RecordingQuota;
  /** One line for the terminal (recordings saved). */
  log(line: string): void;
  /** Rooms shared with other instances (--redis): local speakers are told to the main thread's link. */
  link?: SpeakerOutbox;
}

const NO_REMOTE: ReadonlyMap<number, SpeakerDesc> = new Map();

export class RoomHub {
  private readonly rooms = new Map<string, Map<number, Member>>();
  /** Members of each local room on other instances, by id (--redis). */
  private readonly remoteRooms = new Map<string, Map<number, SpeakerDesc>>();
  private readonly statsTimer: TimerHandle;

  constructor(private readonly o: HubOptions) {
    this.statsTimer = o.clock.every(o.statsIntervalMs, o.clock.now() + o.statsIntervalMs, () => this.pushStats(), { catchUp: false });
  }

  roomInfo(): Array<{ name: string; members: Array<MemberInfo & { settings: SettingsState; recording: boolean }> }> {
    return [...this.rooms].map(([name, ms]) => ({
      name,
      members: [...ms.values()].map((m) => ({ ...m.info, settings: { ...m.settings }, recording: m.recording !== null })),
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

  /** A member by id. */
  member(id: number): Member | null {
    for (const ms of this.rooms.values()) {
      const m = ms.get(id);
      if (m) return m;
    }
    return null;
  }

  private remote(room: string): ReadonlyMap<number, SpeakerDesc> {
    return this.remoteRooms.get(room) ?? NO_REMOTE;
  }

  /** A member who speaks in `room`: local, or on another instance. */
  private speakerIn(room: string, id: number): SpeakerDesc | null {
    const m = this.rooms.get(room)?.get(id);
    return m ? speakerDescOf(m) : (this.remote(room).get(id) ?? null);
  }

  /**
   * A new member (the main thread gave its id and checked the room's limit); `remote`: the
   * room's members on other instances, taken when this join makes the room.
   */
  join(room: string, info: MemberInfo, conn: MemberConnection, how: { listen: ListenMode; loopback: boolean } = { listen: 'server', loopback: true }, remote: readonly SpeakerDesc[] = []): Member {
    const { id, name } = info;
    const settings = this.o.catalog.defaultSettings();
    const cfg = this.o.catalog.resolve(settings);
    const speaker = new Speaker(cfg.codec, rtpInitFor(cfg.seed + id, cfg.senderRtp));
    const m = new Member(id, name, room, conn, settings, cfg, speaker, how.listen);
    if (how.listen === 'webrtc') m.rtc = new RtcListener((e) => m.event(e), how.loopback);
    let members = this.rooms.get(room);
    if (!members) {
      members = new Map();
      this.rooms.set(room, members);
      if (remote.length) this.remoteRooms.set(room, new Map(remote.map((s) => [s.info.id, s])));
    }
    for (const other of members.values()) other.event({ type: 'member-joined', member: m.info } satisfies ServerEvent);
    members.set(id, m);
    this.o.link?.speaker(room, speakerDescOf(m));
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
    if (members.size === 0) {
      this.rooms.delete(m.room);
      this.remoteRooms.delete(m.room);
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
    // Only while the room has members elsewhere: the packets would cross to the main thread for nothing.
    if (this.remote(m.room).size > 0) this.o.link?.spoke(m.room, m.id, packets);
  }

  /** A member on another instance joined `room` (or changed its codec): legs and events follow. */
  remoteJoined(room: string, s: SpeakerDesc): void {
    const members = this.rooms.get(room);
    if (!members) return;
    let remote = this.remoteRooms.get(room);
    if (!remote) {
      remote = new Map();
      this.remoteRooms.set(room, remote);
    }
    const known = remote.has(s.info.id);
    remote.set(s.info.id, s);
    if (known) return;
    for (const m of members.values()) m.event({ type: 'member-joined', member: s.info } satisfies ServerEvent);
    this.rewire(room);
  }

  remoteLeft(room: string, member: MemberInfo, reason: string): void {
    const members = this.rooms.get(room);
    if (!members || !this.remoteRooms.get(room)?.delete(member.id)) return;
    for (const m of members.values()) m.event({ type: 'member-left', member, reason } satisfies ServerEvent);
    this.rewire(room);
  }

  /** A remote speaker's packet, as its instance sent it: into every local listener's own leg. */
  remoteRtp(room: string, speakerId: number, p: SpokenPacket): void {
    const members = this.rooms.get(room);
    if (!members) return;
    const now = this.o.clock.now();
    for (const listener of members.values()) listener.legs.get(speakerId)?.onRtp(p.bytes, now, p.lane);
  }

  /** A control message; `session`: the folder name a recording started by it takes. */
  onMessage(m: Member, msg: ClientMessage, session: string | null = null): void {
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
    if (msg.on) this.startRecording(m, session ?? `${m.room}-${m.name}-${m.id}`);
    else this.stopRecording(m);
  }

  /** Apply a settings change; returns an error message when a name is unknown. */
  applySettings(m: Member, patch: SettingsPatch): string | null {
    const next = this.o.catalog.apply(m.settings, patch);
    if ('error' in next) return next.error;
    m.settings = next;
    m.config = this.o.catalog.resolve(next);
    m.speaker.setCodec(m.config.codec);
    this.o.link?.speaker(m.room, speakerDescOf(m));
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

  startRecording(m: Member, sessionName: string): void {
    if (m.recording || m.left) return;
    if (m.listen === 'webrtc') {
      // A recording holds what jitterlab's receiver played; this member hears their browser's.
      m.event({ type: 'error', code: 'recording-refused', message: 'recording keeps what jitterlab\'s receiver plays; you listen through your browser (WebRTC): rejoin listening through the server to record' } satisfies ServerEvent);
      return;
    }
    const session = sessionName.replace(/[^A-Za-z0-9_.-]/g, '_');
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
    for (const [sid, leg] of m.legs) {
      const speaker = this.speakerIn(m.room, sid);
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
