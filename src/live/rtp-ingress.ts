/**
 * UDP RTP/Opus ingress (an RTP-aware impairment proxy): datagrams on --rtp-port go, per SSRC,
 * through a live channel and receiver (rtp-stream.ts, on a leg engine: engine.ts), are decoded
 * and measured on real timers, optionally forwarded as RTP after impairment, and answered with
 * RTCP receiver reports.
 *
 * This part runs on the main thread: it reads both sockets, validates every datagram, keeps the
 * table of streams (SSRC, sender, RFC 3550 A.1 sequence state, idle time) and hands each valid
 * packet, stamped with the instant it was read, to its stream's engine; the engine's RTCP
 * reports leave through the RTCP socket here.
 *
 * A datagram changes nothing until it has passed every check: RTP version and lengths, a
 * dynamic payload type (96-127), a non-empty payload with valid Opus framing (RFC 6716 3.4).
 * A valid packet of an unknown SSRC is only a candidate (rtp-probation.ts, RFC 3550 A.1:
 * two packets in sequence make a stream); each stream keeps its own payload type, so another
 * sender's, or garbage's, payload type never locks anyone out. Streams are capped in total and
 * per sender address. Everything refused is counted by reason and dropped.
 *
 * What real senders do, handled here: any dynamic payload type (ffmpeg uses 97), a marker bit
 * on every packet (MarkerSanitizer), bursty pacing (the channel and jitter buffer take real
 * arrival times), SSRC changes (a new stream), sequence jumps (RFC 3550 A.1 restart: a new
 * stream), RTCP from another port of the sender's host, and stopping with or without BYE.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { TimerHandle } from '../core/clock.ts';
import { IoError } from '../core/errors.ts';
import { tryParseOpusPacket } from '../rtp/opus-toc.ts';
import { tryParseRtp } from '../rtp/packet.ts';
import { tryParseRtcp, type RtcpPacket } from '../rtp/rtcp.ts';
import { SeqRestartDetector } from '../rtp/seq-restart.ts';
import type { EngineHandle, EnginePool } from './engine-pool.ts';
import type { FromEngine, RecordResult, Remote } from './engine-protocol.ts';
import type { LegConfig, ListenerSettings } from './leg-config.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { RtpProbation } from './rtp-probation.ts';
import { ssrcHex, type RtpStreamInfo } from './rtp-stream.ts';
import type { TimerWheel } from './timer-wheel.ts';

export type { RtpStreamInfo } from './rtp-stream.ts';

export interface RtpIngressOptions {
  host: string;
  /** 0 = any free port (RTCP then also takes any free port). */
  port: number;
  clock: TimerWheel;
  metrics: LiveMetrics;
  engines: EnginePool;
  /** The settings every new stream gets, and what they resolve to (for the terminal). */
  streamSettings(): { settings: ListenerSettings; config: LegConfig };
  forward: { host: string; port: number } | null;
  /** A stream without packets for this long ends. */
  idleMs: number;
  /** Streams at once. */
  maxStreams: number;
  /** Streams at once from one sender address (ip:port); default a quarter of maxStreams. */
  maxStreamsPerSource?: number;
  /** Decoded playout of every stream (tests, monitoring); the engines send it only when set. */
  onAudio?(ssrc: number, pcm: Int16Array, dueMs: number): void;
  /** A line for the terminal: a stream starts, a stream ends (with its summary). */
  log?(line: string): void;
  /** The recording session a new stream is recorded in from its start, or null (not recorded). */
  autoRecord?(ssrc: number): string | null;
}

/** What the main thread knows of a running stream; its leg and figures are on `engine`. */
export interface IngressStream {
  readonly id: number;
  readonly ssrc: number;
  readonly generation: number;
  readonly payloadType: number;
  remote: Remote;
  readonly seq: SeqRestartDetector;
  lastPacketMs: number;
  /** Packets handed to the stream. */
  packetsIn: number;
  readonly engine: EngineHandle;
  readonly sourceKey: string;
}

function bind(sock: Socket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(new IoError(`udp://${host}:${port}`, `cannot bind: ${e.message}`));
    sock.once('error', onErr);
    sock.bind(port, host, () => {
      sock.off('error', onErr);
      resolve();
    });
  });
}

const RTCP_BYE = 203;
const SWEEP_MS = 500;
const CLOSED_KEPT = 64;

/** SSRCs an RTCP BYE (RFC 3550 6.6) says goodbye for; the parser keeps BYE opaque. */
function byeSsrcs(p: RtcpPacket): number[] {
  if (p.type !== 'unknown' || p.packetType !== RTCP_BYE) return [];
  const out: number[] = [];
  for (let i = 0; i < p.countOrFmt && 4 * i + 4 <= p.body.length; i++) {
    const b = p.body;
    out.push(((b[4 * i] << 24) | (b[4 * i + 1] << 16) | (b[4 * i + 2] << 8) | b[4 * i + 3]) >>> 0);
  }
  return out;
}

export class RtpIngress {
  private readonly byssrc = new Map<number, IngressStream>();
  private readonly perSource = new Map<string, number>();
  private readonly closedInfo: RtpStreamInfo[] = [];
  private readonly probation: RtpProbation;
  private readonly idleTimer: TimerHandle;
  private readonly maxPerSource: number;
  private nextId = 0;
  private closing = false;

  private constructor(
    private readonly o: RtpIngressOptions,
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    private readonly fwd: Socket | null,
  ) {
    this.maxPerSource = o.maxStreamsPerSource ?? Math.max(1, Math.ceil(o.maxStreams / 4));
    this.probation = new RtpProbation(Math.min(256, this.maxPerSource), 64, () => o.metrics.malformedRtp.inc({ reason: 'probation' }));
    rtp.on('message', (msg, r) => this.guard(() => this.onRtp(msg, r)));
    rtcp.on('message', (msg, r) => this.guard(() => this.onRtcp(msg, r)));
    rtp.on('error', () => undefined);
    rtcp.on('error', () => undefined);
    fwd?.on('error', () => undefined);
    this.idleTimer = o.clock.every(SWEEP_MS, o.clock.now() + SWEEP_MS, (due) => this.sweep(o.clock.now() - due > SWEEP_MS), { catchUp: false });
  }

  static async start(o: RtpIngressOptions): Promise<RtpIngress> {
    const type = isIPv6(o.host) ? 'udp6' : 'udp4';
    // A deep receive queue (capped by net.core.rmem_max) rides out event-loop stalls at high packet rates.
    const rtp = createSocket({ type, recvBufferSize: 4 << 20 });
    // RTCP gets a deep queue too: a flood of garbage there must not push a real BYE out.
    const rtcp = createSocket({ type, recvBufferSize: 1 << 20 });
    await bind(rtp, o.port, o.host);
    try {
      await bind(rtcp, o.port === 0 ? 0 : o.port + 1, o.host);
    } catch (e) {
      rtp.close();
      throw e;
    }
    const fwd = o.forward ? createSocket(isIPv6(o.forward.host) ? 'udp6' : 'udp4') : null;
    return new RtpIngress(o, rtp, rtcp, fwd);
  }

  get port(): number {
    return this.rtp.address().port;
  }

  get rtcpPort(): number {
    return this.rtcp.address().port;
  }

  get streamCount(): number {
    return this.byssrc.size;
  }

  /** SSRCs waiting to become streams (RFC 3550 A.1 probation). */
  get candidateCount(): number {
    return this.probation.candidates;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      // A datagram must never take the server down; it is counted and dropped.
      this.o.metrics.malformedRtp.inc({ reason: 'internal' });
    }
  }

  private onRtp(msg: Buffer, r: RemoteInfo): void {
    if (this.closing) return;
    const m = this.o.metrics;
    // RTCP multiplexed on the RTP port (RFC 5761 section 4: packet types 192-223).
    if (msg.length >= 2 && msg[1] >= 192 && msg[1] <= 223) return this.onRtcp(msg, r);
    const parsed = tryParseRtp(msg);
    if (!parsed.ok) return m.malformedRtp.inc({ reason: parsed.error.reason });
    const p = parsed.packet;
    if (p.payloadType < 96 || p.payloadType > 127) return m.malformedRtp.inc({ reason: 'payload-type' });
    if (p.payload.length === 0) return m.malformedRtp.inc({ reason: 'empty' });
    // RFC 6716 section 3 framing, and at most one 20 ms frame (what libopus decodes into one tick).
    const opus = tryParseOpusPacket(p.payload);
    if (opus === null || opus.durationMs > 20) return m.malformedRtp.inc({ reason: 'opus' });
    const now = this.o.clock.now();
    let s = this.byssrc.get(p.ssrc);
    if (s) {
      if (r.address !== s.remote.address) return m.malformedRtp.inc({ reason: 'ssrc-collision' });
      if (p.payloadType !== s.payloadType) return m.malformedRtp.inc({ reason: 'payload-type' });
      const verdict = s.seq.check(p.sequenceNumber);
      if (verdict === 'drop') return m.malformedRtp.inc({ reason: 'seq-jump' });
      if (verdict === 'restart') {
        // The sender restarted its sequence (RFC 3550 A.1): a new stream from this packet.
        const gen = s.generation + 1;
        this.end(s, 'sequence restart');
        s = this.newStream(p.ssrc, r, gen, p.payloadType, now);
        s.seq.check(p.sequenceNumber);
      }
      this.deliver(s, msg, now, r);
      return;
    }
    // The held packet must own its bytes (the datagram's buffer may be much larger than it).
    const first = this.probation.offer(p.ssrc, p.sequenceNumber, p.payloadType, Uint8Array.from(msg), now, r);
    if (first === null) return;
    const key = `${r.address}:${r.port}`;
    if (this.byssrc.size >= this.o.maxStreams || (this.perSource.get(key) ?? 0) >= this.maxPerSource) {
      return m.malformedRtp.inc({ reason: 'too-many-streams' }, 2);
    }
    // Every leg engine failed and stays down: nowhere to run the stream (/healthz says so).
    if (this.o.engines.running === 0) return m.malformedRtp.inc({ reason: 'no-leg-engine' }, 2);
    s = this.newStream(p.ssrc, first.remote, 0, p.payloadType, first.atMs);
    const held = tryParseRtp(first.bytes);
    if (held.ok) {
      s.seq.check(held.packet.sequenceNumber);
      this.deliver(s, first.bytes, first.atMs, first.remote);
    }
    s.seq.check(p.sequenceNumber);
    this.deliver(s, msg, now, r);
  }

  /** A valid packet to its stream's engine, with the instant it was read. */
  private deliver(s: IngressStream, bytes: Uint8Array, atMs: number, r: RemoteInfo): void {
    if (r.port !== s.remote.port) {
      s.remote = { address: r.address, port: r.port, family: r.family };
      s.engine.send({ k: 'rtp-remote', id: s.id, remote: s.remote });
    }
    s.lastPacketMs = atMs;
    s.packetsIn++;
    s.engine.packet(s.id, atMs, bytes);
  }

  private onRtcp(msg: Buffer, r: RemoteInfo): void {
    if (this.closing) return;
    const bytes = Uint8Array.from(msg);
    const parsed = tryParseRtcp(bytes);
    if (!parsed.ok) return this.o.metrics.malformedRtp.inc({ reason: 'rtcp' });
    // Only RTCP that parses is forwarded: the proxy does not reflect garbage.
    if (this.fwd && this.o.forward) this.fwd.send(bytes, this.o.forward.port + 1, this.o.forward.host);
    const now = this.o.clock.now();
    for (const pk of parsed.packets) {
      if (pk.type === 'sr') {
        const s = this.byssrc.get(pk.ssrc);
        // RTCP comes from another port of the sender's host (RFC 3550 11); another host is not the sender.
        if (s && s.remote.address === r.address) s.engine.send({ k: 'rtp-sr', id: s.id, sr: pk, atMs: now });
        continue;
      }
      for (const ssrc of byeSsrcs(pk)) {
        const s = this.byssrc.get(ssrc);
        if (s && s.remote.address === r.address) s.engine.send({ k: 'rtp-bye', id: s.id, atMs: now });
      }
    }
  }

  private newStream(ssrc: number, remote: RemoteInfo, generation: number, payloadType: number, originMs: number): IngressStream {
    const { settings, config } = this.o.streamSettings();
    const engine = this.o.engines.least();
    const s: IngressStream = {
      id: ++this.nextId,
      ssrc,
      generation,
      payloadType,
      remote: { address: remote.address, port: remote.port, family: remote.family },
      seq: new SeqRestartDetector(),
      lastPacketMs: originMs,
      packetsIn: 0,
      engine,
      sourceKey: `${remote.address}:${remote.port}`,
    };
    engine.legs++;
    this.byssrc.set(ssrc, s);
    this.perSource.set(s.sourceKey, (this.perSource.get(s.sourceKey) ?? 0) + 1);
    this.o.log?.(`rtp ${ssrcHex(ssrc)} from ${remote.address}:${remote.port}: new stream${generation ? ` (sequence restart ${generation})` : ''}, payload type ${payloadType}, preset ${config.preset}, buffer ${config.bufferLabel}`);
    engine.send({ k: 'rtp-new', id: s.id, ssrc, generation, payloadType, remote: s.remote, originMs, settings, session: this.o.autoRecord?.(ssrc) ?? null });
    return s;
  }

  /** The stream leaves the table now (a later packet of its SSRC starts a new one); its engine ends it. */
  private end(s: IngressStream, reason: string): void {
    if (!this.forget(s)) return;
    s.engine.send({ k: 'rtp-end', id: s.id, reason });
  }

  private forget(s: IngressStream): boolean {
    if (this.byssrc.get(s.ssrc) !== s) return false;
    this.byssrc.delete(s.ssrc);
    s.engine.legs--;
    const n = (this.perSource.get(s.sourceKey) ?? 1) - 1;
    if (n > 0) this.perSource.set(s.sourceKey, n);
    else this.perSource.delete(s.sourceKey);
    return true;
  }

  /** What an engine says about its streams. */
  fromEngine(engine: EngineHandle, m: FromEngine): void {
    if (m.k === 'rtcp') {
      if (!this.closing) this.rtcp.send(m.bytes, m.port, m.address);
    } else if (m.k === 'audio') this.o.onAudio?.(m.ssrc, m.pcm, m.dueMs);
    else if (m.k === 'ended') {
      // Ended on its own (BYE, final report, drained): it leaves the table; or as asked, and it has.
      const s = this.byssrc.get(m.info.ssrc);
      if (s && s.id === m.id && s.engine === engine) this.forget(s);
      this.closedInfo.push(m.info);
      if (this.closedInfo.length > CLOSED_KEPT) this.closedInfo.shift();
      this.o.log?.(m.line);
    }
  }

  /** An engine died: its streams are gone. */
  engineFailed(engine: EngineHandle): void {
    for (const s of [...this.byssrc.values()]) {
      if (s.engine !== engine) continue;
      this.forget(s);
      this.o.log?.(`rtp ${ssrcHex(s.ssrc)} ended (its leg engine failed)`);
    }
  }

  /** Idle ends and stale candidates; after a stall of this process (a late sweep) nobody is judged idle: their packets may wait unread. */
  private sweep(stalled: boolean): void {
    const now = this.o.clock.now();
    if (!stalled) for (const s of [...this.byssrc.values()]) if (now - s.lastPacketMs > this.o.idleMs) this.end(s, 'idle');
    this.probation.expire(now - 2000);
  }

  /** A running stream by SSRC. */
  stream(ssrc: number): IngressStream | null {
    return this.byssrc.get(ssrc) ?? null;
  }

  /** Record a running stream in `session` (on), or save its recording now (off). */
  async record(ssrc: number, on: boolean, session: string): Promise<RecordResult> {
    const s = this.byssrc.get(ssrc);
    if (!s) return { error: `no running RTP stream ${ssrcHex(ssrc)}`, status: 404 };
    const r = await s.engine.request({ q: 'rtp-record', id: s.id, on, session });
    return 'error' in r && r.status === 404 ? { error: `no running RTP stream ${ssrcHex(ssrc)}`, status: 404 } : r;
  }

  /** New settings for running streams (all, or one SSRC); new streams take streamSettings(). */
  reconfigure(settings: ListenerSettings, ssrc: number | null): number {
    if (ssrc !== null) {
      const s = this.byssrc.get(ssrc);
      if (!s) return 0;
      s.engine.send({ k: 'rtp-settings', id: s.id, settings });
      return 1;
    }
    for (const e of this.o.engines.engines) e.send({ k: 'rtp-settings', id: null, settings });
    return this.byssrc.size;
  }

  /** Running streams (the first `limit`, oldest first), then the most recently ended ones; `total` counts all. */
  async page(limit: number | null = null): Promise<{ streams: RtpStreamInfo[]; total: number }> {
    const answers = await Promise.all(this.o.engines.engines.map((e) => e.request({ q: 'rtp-info', limit }).catch(() => ({ infos: [], total: 0 }))));
    const running = answers.flatMap((a) => a.infos).sort((a, b) => a.id - b.id);
    const all = [...running.map(({ id: _id, ...info }) => info), ...this.closedInfo];
    const total = answers.reduce((n, a) => n + a.total, 0) + this.closedInfo.length;
    return { streams: limit === null ? all : all.slice(0, limit), total };
  }

  /** Running streams, then the most recently ended ones. */
  async streams(): Promise<RtpStreamInfo[]> {
    return (await this.page()).streams;
  }

  /** Stop reading; the engines end the streams (LiveServer.close). */
  close(): Promise<void> {
    this.closing = true;
    this.idleTimer.cancel();
    const done = (sock: Socket) => new Promise<void>((r) => sock.close(() => r()));
    return Promise.all([done(this.rtp), done(this.rtcp), ...(this.fwd ? [done(this.fwd)] : [])]).then(() => undefined);
  }
}
