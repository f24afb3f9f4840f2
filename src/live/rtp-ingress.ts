/**
 * UDP RTP/Opus ingress (an RTP-aware impairment proxy): datagrams on --rtp-port go, per SSRC,
 * through the live channel and receiver (the simulator's classes, via LiveLeg), are decoded and
 * measured on real timers, optionally forwarded as RTP after impairment, and answered with RTCP
 * receiver reports (RFC 3550 6.4.2) sent to the sender's RTP port + 1 (RFC 3550 section 11).
 *
 * What real senders do, handled here: any dynamic payload type (the first stream's is taken for
 * the port; ffmpeg uses 97), a marker bit on every packet (MarkerSanitizer), bursty pacing (the
 * channel and jitter buffer take real arrival times), SSRC changes (a new stream state per SSRC;
 * idle ones are closed), and sequence jumps (RFC 3550 A.1 restart: a new stream state).
 * Malformed datagrams are counted by reason and dropped.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ChannelStats } from '../channel/types.ts';
import type { TimerHandle } from '../core/clock.ts';
import { IoError } from '../core/errors.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import { parseOpusPacket } from '../rtp/opus-toc.ts';
import { tryParseRtp } from '../rtp/packet.ts';
import { serializeRtcp, tryParseRtcp } from '../rtp/rtcp.ts';
import { msToNtpShort, ntpMiddle32FromParts } from '../rtp/rtt.ts';
import type { LegConfig } from './leg-config.ts';
import { LiveLeg } from './leg.ts';
import type { LegSnapshot } from './leg-window.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { MarkerSanitizer } from './marker-sanitizer.ts';
import { ReceptionStats } from './reception-stats.ts';
import { SeqRestartDetector } from '../rtp/seq-restart.ts';
import type { TimerWheel } from './timer-wheel.ts';

export interface RtpIngressOptions {
  host: string;
  /** 0 = any free port (RTCP then also takes any free port). */
  port: number;
  clock: TimerWheel;
  metrics: LiveMetrics;
  /** The channel and receiver every new stream gets. */
  legConfig(): LegConfig;
  forward: { host: string; port: number } | null;
  /** A stream without packets for this long is closed. */
  idleMs: number;
  maxStreams: number;
  /** Our SSRC in RTCP receiver reports. */
  rtcpSsrc: number;
  /** Decoded playout of every stream (tests, monitoring). */
  onAudio?(ssrc: number, pcm: Int16Array, dueMs: number): void;
}

export interface RtpStreamInfo {
  ssrc: number;
  /** 0 for the first state of an SSRC, +1 at each sequence restart. */
  generation: number;
  payloadType: number;
  source: string;
  packetsIn: number;
  framesPlayed: number;
  markersCleared: number;
  rtcpReportsSent: number;
  counters: W3cInboundCounters;
  channel: ChannelStats;
  window: LegSnapshot;
  closed: boolean;
}

interface Stream {
  ssrc: number;
  generation: number;
  leg: LiveLeg;
  tick: TimerHandle;
  rtcpTimer: TimerHandle;
  reception: ReceptionStats;
  markers: MarkerSanitizer;
  seq: SeqRestartDetector;
  remote: RemoteInfo;
  lastPacketMs: number;
  packetsIn: number;
  framesPlayed: number;
  rtcpSent: number;
  lsr: number;
  lsrAtMs: number;
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

export class RtpIngress {
  private readonly byssrc = new Map<number, Stream>();
  private readonly closedInfo: RtpStreamInfo[] = [];
  private payloadType: number | null = null;
  private readonly idleTimer: TimerHandle;
  private closing = false;

  private constructor(
    private readonly o: RtpIngressOptions,
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    private readonly fwd: Socket | null,
  ) {
    rtp.on('message', (msg, r) => this.guard(() => this.onRtp(msg, r)));
    rtcp.on('message', (msg, r) => this.guard(() => this.onRtcp(msg)));
    rtp.on('error', () => undefined);
    rtcp.on('error', () => undefined);
    fwd?.on('error', () => undefined);
    this.idleTimer = o.clock.every(1000, o.clock.now() + 1000, () => this.closeIdle(), { catchUp: false });
  }

  static async start(o: RtpIngressOptions): Promise<RtpIngress> {
    const type = isIPv6(o.host) ? 'udp6' : 'udp4';
    // A deep receive queue (capped by net.core.rmem_max) rides out event-loop stalls at high packet rates.
    const rtp = createSocket({ type, recvBufferSize: 4 << 20 });
    const rtcp = createSocket(type);
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

  /** The payload type the port locked on (first valid stream), or null. */
  get lockedPayloadType(): number | null {
    return this.payloadType;
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
    if (msg.length >= 2 && msg[1] >= 192 && msg[1] <= 223) return this.onRtcp(msg);
    const bytes = Uint8Array.from(msg);
    const parsed = tryParseRtp(bytes);
    if (!parsed.ok) return m.malformedRtp.inc({ reason: parsed.error.reason });
    const p = parsed.packet;
    if (this.payloadType === null) {
      if (p.payloadType < 96 || p.payloadType > 127) return m.malformedRtp.inc({ reason: 'payload-type' });
      this.payloadType = p.payloadType;
    } else if (p.payloadType !== this.payloadType) {
      return m.malformedRtp.inc({ reason: 'payload-type' });
    }
    if (p.payload.length === 0) return m.malformedRtp.inc({ reason: 'empty' });
    // RFC 6716 section 3 framing, checked before the decoder ever sees the payload.
    try {
      parseOpusPacket(p.payload);
    } catch {
      return m.malformedRtp.inc({ reason: 'opus' });
    }
    let s = this.byssrc.get(p.ssrc);
    if (!s) {
      if (this.byssrc.size >= this.o.maxStreams) return m.malformedRtp.inc({ reason: 'too-many-streams' });
      s = this.newStream(p.ssrc, r, 0);
    }
    const verdict = s.seq.check(p.sequenceNumber);
    if (verdict === 'drop') return m.malformedRtp.inc({ reason: 'seq-jump' });
    if (verdict === 'restart') {
      const gen = s.generation + 1;
      this.closeStream(s);
      s = this.newStream(p.ssrc, r, gen);
      s.seq.check(p.sequenceNumber);
    }
    s.remote = r;
    s.lastPacketMs = this.o.clock.now();
    s.packetsIn++;
    s.leg.onRtp(bytes, s.lastPacketMs);
  }

  private onRtcp(msg: Buffer): void {
    const bytes = Uint8Array.from(msg);
    if (this.fwd && this.o.forward) this.fwd.send(bytes, this.o.forward.port + 1, this.o.forward.host);
    const parsed = tryParseRtcp(bytes);
    if (!parsed.ok) return this.o.metrics.malformedRtp.inc({ reason: 'rtcp' });
    const now = this.o.clock.now();
    for (const pk of parsed.packets) {
      if (pk.type !== 'sr') continue;
      const s = this.byssrc.get(pk.ssrc);
      if (!s) continue;
      // LSR/DLSR (RFC 3550 6.4.1) let the sender compute the round trip from our reports.
      s.lsr = ntpMiddle32FromParts(pk.ntpSeconds, pk.ntpFraction);
      s.lsrAtMs = now;
    }
  }

  private newStream(ssrc: number, remote: RemoteInfo, generation: number): Stream {
    const cfg = this.o.legConfig();
    const now = this.o.clock.now();
    const reception = new ReceptionStats();
    const markers = new MarkerSanitizer((48000 * cfg.codec.frameMs) / 1000);
    const fwd = this.fwd;
    const target = this.o.forward;
    const metrics = this.o.metrics;
    const leg = new LiveLeg(this.o.clock, cfg, {
      payloadType: this.payloadType ?? 111,
      kind: 'rtp',
      metrics,
      onDelivered: fwd && target ? (b) => {
        fwd.send(b, target.port, target.host);
        metrics.forwarded.inc();
      } : undefined,
      forReceiver: (b) => markers.apply(b),
      onReceived: (b) => {
        if (b.length >= 4) reception.onPacket((b[2] << 8) | b[3]);
      },
    });
    const s: Stream = {
      ssrc,
      generation,
      leg,
      reception,
      markers,
      seq: new SeqRestartDetector(),
      remote,
      lastPacketMs: now,
      packetsIn: 0,
      framesPlayed: 0,
      rtcpSent: 0,
      lsr: 0,
      lsrAtMs: 0,
      tick: { cancel: () => undefined },
      rtcpTimer: { cancel: () => undefined },
    };
    const frameMs = cfg.codec.frameMs;
    s.tick = this.o.clock.every(frameMs, now + frameMs, (due) => {
      const pcm = leg.tick(due);
      if (!pcm) return;
      s.framesPlayed++;
      this.o.onAudio?.(ssrc, pcm, due);
    });
    s.rtcpTimer = this.o.clock.every(cfg.rtcpIntervalMs, now + cfg.rtcpIntervalMs, () => this.sendReport(s), { catchUp: false });
    this.byssrc.set(ssrc, s);
    metrics.rtpStreamsStarted.inc();
    return s;
  }

  private sendReport(s: Stream): void {
    if (s.reception.packetsReceived === 0) return;
    const now = this.o.clock.now();
    const dlsr = s.lsr === 0 ? 0 : msToNtpShort(now - s.lsrAtMs);
    const block = s.reception.reportBlock(s.ssrc, s.leg.jitterMs * 48, s.lsr, dlsr);
    const bytes = serializeRtcp([{ type: 'rr', ssrc: this.o.rtcpSsrc, reports: [block], profileExtension: new Uint8Array(0) }]);
    this.rtcp.send(bytes, s.remote.port + 1, s.remote.address);
    s.rtcpSent++;
    this.o.metrics.rtcpSent.inc();
  }

  private info(s: Stream, closed: boolean): RtpStreamInfo {
    return {
      ssrc: s.ssrc,
      generation: s.generation,
      payloadType: this.payloadType ?? -1,
      source: `${s.remote.address}:${s.remote.port}`,
      packetsIn: s.packetsIn,
      framesPlayed: s.framesPlayed,
      markersCleared: s.markers.cleared,
      rtcpReportsSent: s.rtcpSent,
      counters: s.leg.counters(),
      channel: s.leg.channelStats(),
      window: s.leg.snapshot(this.o.clock.now()),
      closed,
    };
  }

  private closeStream(s: Stream): void {
    s.tick.cancel();
    s.rtcpTimer.cancel();
    this.closedInfo.push(this.info(s, true));
    if (this.closedInfo.length > 64) this.closedInfo.shift();
    s.leg.close();
    if (this.byssrc.get(s.ssrc) === s) this.byssrc.delete(s.ssrc);
  }

  private closeIdle(): void {
    const now = this.o.clock.now();
    for (const s of [...this.byssrc.values()]) if (now - s.lastPacketMs > this.o.idleMs) this.closeStream(s);
  }

  /** Running streams, then the most recently closed ones. */
  streams(): RtpStreamInfo[] {
    return [...[...this.byssrc.values()].map((s) => this.info(s, false)), ...this.closedInfo];
  }

  close(): Promise<void> {
    this.closing = true;
    this.idleTimer.cancel();
    for (const s of [...this.byssrc.values()]) this.closeStream(s);
    const done = (sock: Socket) => new Promise<void>((r) => sock.close(() => r()));
    return Promise.all([done(this.rtp), done(this.rtcp), ...(this.fwd ? [done(this.fwd)] : [])]).then(() => undefined);
  }
}
