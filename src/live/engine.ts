/**
 * A leg engine: one thread's share of the live server's receive paths. It runs the legs (the
 * simulator's channel and receiver: jitter buffer, Opus decoding, FEC, concealment) of the RTP
 * streams and rooms placed on it, on its own timer wheel, with their playout ticks, RTCP
 * reports, room statistics and recordings. The main thread keeps the sockets, HTTP, WebSocket
 * and validation and talks to it only in messages (engine-protocol.ts), so a busy engine never
 * delays /healthz, and the legs spread over the cores: each engine runs on a worker thread
 * (engine-worker.ts), or on the main thread itself with --workers 0.
 *
 * Its counters are its own; the main thread adds them up for /metrics. The recording limits are
 * one quota shared by every thread (recording-quota.ts).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { CodecConfig } from '../codec/config.ts';
import { OpusFrameDecoder } from '../codec/opus-decoder.ts';
import { OpusFrameEncoder } from '../codec/opus-encoder.ts';
import { useOpusAddonPath } from '../codec/opus-native.ts';
import { RealClock } from '../core/clock.ts';
import { tryParseRtp } from '../rtp/packet.ts';
import { LiveCatalog } from './catalog.ts';
import { readPacketBlock, type Answers, type EngineInit, type FromEngine, type Query, type RecordResult, type ToEngine } from './engine-protocol.ts';
import { LIVE_SAMPLE_RATE } from './leg-config.ts';
import { LiveMetrics } from './live-metrics.ts';
import { Mailbox, type Post } from './mailbox.ts';
import type { Member, MemberConnection } from './member.ts';
import { LiveRecorder } from './recorder.ts';
import { RecordingQuota } from './recording-quota.ts';
import { RoomHub } from './room-hub.ts';
import type { SpeakerOutbox } from './room-link.ts';
import { RtpStream, ssrcHex } from './rtp-stream.ts';
import { threadCpuMs } from './thread-cpu.ts';
import { TimerWheel } from './timer-wheel.ts';

/**
 * The first Opus encoder and decoder of a thread load their native libraries (a few hundred ms):
 * done at start, not inside the first stream's packet handler, where it would stall every other
 * stream on this thread.
 */
function warmUpCodecs(codec: CodecConfig): void {
  new OpusFrameEncoder(codec).encode(new Int16Array((codec.sampleRate * codec.frameMs) / 1000));
  new OpusFrameDecoder(48000, 960).destroy();
}

/** Lateness samples are sent to the main thread this often (ms), or when this many are waiting. */
const LATE_FLUSH_MS = 100;
const LATE_BATCH = 2048;
/** The engine's counters are sent to the main thread this often (ms), for a /metrics the engine is too busy to answer at once. */
const COUNTERS_PUSH_MS = 1000;

type Saved = { dir: string; files: string[]; reason: string | null } | { error: string };

/** `bytes` on a buffer of its own (a post copies a view's whole buffer). */
function tight(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** The buffer of `view` when the view covers all of it (then it can be transferred, not copied). */
function ownBuffer(view: Uint8Array | Int16Array): ArrayBuffer[] | undefined {
  const b = view.buffer;
  return b instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === b.byteLength ? [b] : undefined;
}

export class LiveEngine {
  readonly clock: TimerWheel;
  readonly metrics = new LiveMetrics();
  private readonly out: Mailbox<FromEngine>;
  private readonly hub: RoomHub;
  private readonly members = new Map<number, Member>();
  private readonly streams = new Map<number, RtpStream>();
  private readonly ids = new Map<RtpStream, number>();
  private readonly quota: RecordingQuota;
  private readonly fwd: Socket | null;
  private late = new Float64Array(LATE_BATCH);
  private lateN = 0;
  private closed = false;

  private constructor(
    private readonly init: EngineInit,
    post: Post<FromEngine>,
    private readonly catalog: LiveCatalog,
  ) {
    this.out = new Mailbox(post);
    this.clock = new TimerWheel(new RealClock(init.originMonotonicMs));
    this.clock.lateness = { record: (ms) => this.recordLate(ms) };
    this.clock.onError = (e) => {
      this.metrics.internalErrors.inc();
      process.stderr.write(`jitterlab serve: ${(e as Error).message ?? String(e)}\n`);
    };
    this.clock.every(LATE_FLUSH_MS, this.clock.now() + LATE_FLUSH_MS, () => this.flushLate(), { catchUp: false });
    this.clock.every(COUNTERS_PUSH_MS, this.clock.now() + COUNTERS_PUSH_MS, () => this.out.push({ k: 'counters', snapshot: this.metrics.counterSnapshot() }), { catchUp: false });
    this.quota = RecordingQuota.attach(init.quota.limits, init.quota.shared);
    this.hub = new RoomHub({
      clock: this.clock,
      catalog,
      metrics: this.metrics,
      reportsDir: init.reportsDir,
      statsIntervalMs: init.statsIntervalMs,
      emodel: init.emodel,
      recordingQuota: this.quota,
      log: (line) => this.log(line),
      ...(init.shareRooms ? { link: this.speakerOutbox() } : {}),
    });
    const f = init.forward;
    this.fwd = f ? createSocket(isIPv6(f.host) ? 'udp6' : 'udp4') : null;
    this.fwd?.on('error', () => undefined);
  }

  /** An engine with its presets loaded and its codecs warm; `post` carries its batches to the main thread. */
  static async start(init: EngineInit, post: Post<FromEngine>): Promise<LiveEngine> {
    if (init.opusAddon !== null) useOpusAddonPath(init.opusAddon);
    const catalog = await LiveCatalog.load(init.scenariosDir, init.scenarioFile);
    warmUpCodecs(catalog.resolve(catalog.defaultSettings()).codec);
    return new LiveEngine(init, post, catalog);
  }

  /** With --redis: local speakers go to the main thread's link (the packets are copied by the post: the legs here keep theirs). */
  private speakerOutbox(): SpeakerOutbox {
    return {
      speaker: (room, speaker) => this.out.push({ k: 'speaker', room, speaker }),
      spoke: (room, id, packets) => this.out.push({ k: 'spoke', room, id, packets: packets.map((p) => ({ bytes: tight(p.bytes), lane: p.lane })) }),
    };
  }

  private log(line: string): void {
    this.out.push({ k: 'log', line });
  }

  private recordLate(ms: number): void {
    this.late[this.lateN++] = ms;
    if (this.lateN === LATE_BATCH) this.flushLate();
  }

  private flushLate(): void {
    if (this.lateN === 0) return;
    const samples = this.late.slice(0, this.lateN);
    this.lateN = 0;
    this.out.push({ k: 'late', samples }, [samples.buffer]);
  }

  /** A batch from the main thread, in order. */
  receive(batch: ToEngine[]): void {
    for (const m of batch) {
      try {
        this.handle(m);
      } catch (e) {
        this.metrics.internalErrors.inc();
        process.stderr.write(`jitterlab serve: ${(e as Error).message ?? String(e)}\n`);
        if (m.k === 'req') this.out.push({ k: 'reply', req: m.req, error: (e as Error).message ?? String(e) });
      }
    }
  }

  private handle(m: ToEngine): void {
    if (this.closed && m.k !== 'req') return;
    switch (m.k) {
      case 'pk':
        return readPacketBlock(m.block, m.n, (id, atMs, bytes) => this.packet(id, atMs, bytes));
      case 'rtp-new':
        return this.newStream(m);
      case 'rtp-remote': {
        const s = this.streams.get(m.id);
        if (s) s.remote = m.remote;
        return;
      }
      case 'rtp-sr':
        return this.streams.get(m.id)?.senderReport(m.sr, m.atMs);
      case 'rtp-bye':
        return this.streams.get(m.id)?.bye(m.atMs);
      case 'rtp-end':
        return this.streams.get(m.id)?.end(m.reason);
      case 'rtp-settings': {
        const cfg = this.catalog.resolve(m.settings);
        for (const [id, s] of this.streams) if (m.id === null || m.id === id) s.reconfigure(cfg);
        return;
      }
      case 'join':
        return this.join(m);
      case 'leave': {
        const member = this.members.get(m.id);
        if (!member) return;
        this.members.delete(m.id);
        return this.hub.leave(member, m.reason);
      }
      case 'msg': {
        const member = this.members.get(m.id);
        return member ? this.hub.onMessage(member, m.msg, m.session) : undefined;
      }
      case 'audio': {
        const member = this.members.get(m.id);
        return member ? this.hub.onAudio(member, m.pcm) : undefined;
      }
      case 'remote-join':
        return this.hub.remoteJoined(m.room, m.speaker);
      case 'remote-left':
        return this.hub.remoteLeft(m.room, m.member, m.reason);
      case 'remote-rtp':
        return this.hub.remoteRtp(m.room, m.id, m.packet);
      case 'req':
        return this.out.push({ k: 'reply', req: m.req, value: this.answer(m.query) });
    }
  }

  private packet(id: number, atMs: number, bytes: Uint8Array): void {
    const s = this.streams.get(id);
    if (!s) return;
    // The main thread has checked it; parsed again here for its fields (cheaper than sending them).
    const p = tryParseRtp(bytes);
    if (p.ok) s.packet(bytes, p.packet, atMs);
  }

  private newStream(m: Extract<ToEngine, { k: 'rtp-new' }>): void {
    const out = this.out;
    const fwd = this.fwd;
    const target = this.init.forward;
    const s = new RtpStream({
      ssrc: m.ssrc,
      generation: m.generation,
      payloadType: m.payloadType,
      remote: m.remote,
      clock: this.clock,
      metrics: this.metrics,
      config: this.catalog.resolve(m.settings),
      originMs: m.originMs,
      rtcpSsrc: this.init.rtcpSsrc,
      sendRtcp: (bytes, port, address) => out.push({ k: 'rtcp', bytes, port, address }, ownBuffer(bytes)),
      forward: fwd && target ? (b) => fwd.send(b, target.port, target.host) : null,
      onAudio: this.init.rtpAudio
        ? (ssrc, pcm, dueMs) => {
            const copy = pcm.slice();
            out.push({ k: 'audio', ssrc, pcm: copy, dueMs }, [copy.buffer]);
          }
        : undefined,
      onEnded: (x) => this.ended(x),
    });
    this.streams.set(m.id, s);
    this.ids.set(s, m.id);
    if (m.session !== null) {
      const rec = this.recorderFor(s, m.session);
      if (typeof rec === 'string') this.log(`rtp ${ssrcHex(m.ssrc)}: ${rec}`);
      else s.record(rec);
    }
  }

  private ended(s: RtpStream): void {
    const id = this.ids.get(s)!;
    this.streams.delete(id);
    this.ids.delete(s);
    const info = s.info(this.clock.now());
    this.saveRecording(s, `the stream ended (${info.endedBy})`);
    this.out.push({ k: 'ended', id, info, line: s.summaryLine(info.summary) });
  }

  /** A recorder for a stream under the recording limits, or why not. */
  private recorderFor(s: RtpStream, session: string): LiveRecorder | string {
    const name = session.replace(/[^A-Za-z0-9_.-]/g, '_');
    const rec: LiveRecorder | string = LiveRecorder.open({
      dir: join(this.init.reportsDir, name),
      session: name,
      sampleRate: LIVE_SAMPLE_RATE,
      startMs: this.clock.now(),
      quota: this.quota,
      sourceFileName: () => 'source.wav',
      // Not inside the playout tick that hit the limit: right after it (if it is still this recording).
      onLimit: (reason) =>
        void this.clock.schedule(this.clock.now(), () => {
          if (typeof rec !== 'string' && s.recordingDir === rec.dir) this.saveRecording(s, reason);
        }),
    });
    return rec;
  }

  /** Save a stream's recording, if any (the quota place is given back, the terminal told). */
  private saveRecording(s: RtpStream, reason?: string): Saved | null {
    let r: Saved | null;
    try {
      r = s.stopRecording(reason);
    } catch (e) {
      r = { error: (e as Error).message };
    }
    if (!r) return null;
    this.quota.release();
    if ('error' in r) this.log(`rtp ${ssrcHex(s.ssrc)}: recording failed: ${r.error}`);
    else {
      this.metrics.recordings.inc();
      this.log(`recording saved: ${r.dir} (${r.files.join(', ')})${r.reason ? `: ${r.reason}` : ''}`);
    }
    return r;
  }

  private record(id: number, on: boolean, session: string): RecordResult {
    const s = this.streams.get(id);
    if (!s) return { error: `no running RTP stream`, status: 404 };
    if (on) {
      if (s.recordingDir !== null) return { ok: true, dir: s.recordingDir };
      const rec = this.recorderFor(s, session);
      if (typeof rec === 'string') return { error: rec, status: 409 };
      s.record(rec);
      return { ok: true, dir: rec.dir };
    }
    const r = this.saveRecording(s);
    if (!r) return { error: `RTP stream ${ssrcHex(s.ssrc)} is not being recorded`, status: 409 };
    if ('error' in r) return { error: r.error, status: 500 };
    return { ok: true, dir: r.dir, files: r.files };
  }

  private join(m: Extract<ToEngine, { k: 'join' }>): void {
    const id = m.member.id;
    const out = this.out;
    const conn: MemberConnection = {
      send: (data) => {
        out.push({ k: 'send', id, data }, typeof data === 'string' ? undefined : ownBuffer(data));
        return true;
      },
      close: (code, reason) => out.push({ k: 'close', id, code, reason }),
    };
    this.members.set(id, this.hub.join(m.room, m.member, conn, { listen: m.listen, loopback: m.loopback }, m.remote));
  }

  private answer<Q extends Query>(query: Q): Answers[Q['q']] {
    const a = ((): Answers[keyof Answers] => {
      switch (query.q) {
        case 'rtp-info': {
          const now = this.clock.now();
          const limit = query.limit ?? Number.POSITIVE_INFINITY;
          const infos: Answers['rtp-info']['infos'] = [];
          for (const [id, s] of this.streams) {
            if (infos.length >= limit) break;
            infos.push({ ...s.info(now), id });
          }
          return { infos, total: this.streams.size };
        }
        case 'rtp-record':
          return this.record(query.id, query.on, query.session);
        case 'room-settings':
          return this.hub.applyToRoom(query.room, query.member, query.patch);
        case 'rooms':
          return this.hub.roomInfo();
        case 'metrics':
          return this.metrics.counterSnapshot();
        case 'load':
          return { cpuMs: threadCpuMs(), streams: this.streams.size, members: this.members.size };
        case 'close':
          this.close();
          return null;
      }
    })();
    return a as Answers[Q['q']];
  }

  /** Every member leaves and every stream ends (recordings are saved); timers stop. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.close();
    this.members.clear();
    for (const s of [...this.streams.values()]) s.end('server stopped');
    this.flushLate();
    this.clock.stop();
    this.fwd?.close();
  }
}
