/**
 * One RTP stream of the ingress (one SSRC, one sequence-number run), on a leg engine: its live
 * leg (channel, jitter buffer, decoder), its playout tick, RTCP receiver reports back to the
 * sender (RFC 3550 6.4.2, to the sender's RTP port + 1), optional forwarding after impairment,
 * and an optional recording. The ingress on the main thread validates its packets and tells it
 * about the sender's RTCP (engine.ts).
 *
 * The stream ends like an offline call, when playout has passed its last frame. Live, the last
 * frame is known only afterwards, from one of three signs: an RTCP BYE (RFC 3550 6.6); a sender
 * report whose packet count the stream's sequence numbers already cover while its RTP timestamp
 * has moved on by two frames or more (the sender's clock runs, its packets stopped); or no
 * packet for the idle time. After BYE or such a report the stream plays out what is in flight
 * and ends when playout passes the last frame. Whatever ends it, nothing played after the last
 * frame is counted (leg.ts), so a clean stream stays clean after it ends.
 */
import type { CodecConfig } from '../codec/config.ts';
import type { TimerHandle } from '../core/clock.ts';
import type { RtcpSenderReport } from '../rtp/rtcp-report.ts';
import { serializeRtcp } from '../rtp/rtcp.ts';
import { msToNtpShort, ntpMiddle32FromParts } from '../rtp/rtt.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { tsDiff } from '../rtp/wrap.ts';
import type { ChannelStats } from '../channel/types.ts';
import type { Remote } from './engine-protocol.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import { mosFromLoss, type LiveMos } from './emodel-live.ts';
import { effectiveSettings, type LegConfig } from './leg-config.ts';
import { LiveLeg } from './leg.ts';
import type { LegSnapshot } from './leg-window.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { MarkerSanitizer } from './marker-sanitizer.ts';
import type { EffectiveSettings, MemberInfo } from './protocol.ts';
import { ReceptionStats } from './reception-stats.ts';
import type { LiveRecorder } from './recorder.ts';
import { SourceDecoder } from './source-decoder.ts';
import type { TimerWheel } from './timer-wheel.ts';

/** After BYE or a final sender report, playout may take this long to pass the last frame. */
const DRAIN_MAX_MS = 3000;
const SAMPLE_MS = 500;
/** Frames of playout held back from heard.wav at most (10 s). */
const MAX_HELD_FRAMES = 500;

export interface RtpStreamOptions {
  ssrc: number;
  generation: number;
  payloadType: number;
  remote: Remote;
  clock: TimerWheel;
  metrics: LiveMetrics;
  config: LegConfig;
  /** Clock time of the stream's first packet. */
  originMs: number;
  /** Our SSRC in receiver reports, and how to send RTCP. */
  rtcpSsrc: number;
  sendRtcp(bytes: Uint8Array, port: number, address: string): void;
  /** Forward delivered (impaired) packets; null = no forwarding. */
  forward: ((bytes: Uint8Array) => void) | null;
  onAudio?(ssrc: number, pcm: Int16Array, dueMs: number): void;
  /** The stream ended (it has closed its leg and timers). */
  onEnded(s: RtpStream): void;
}

export interface RtpStreamSummary {
  /** Seconds of audio the sender sent (frames played or concealed). */
  audioS: number;
  /** Sequence numbers never seen at the ingress (lost before it; RFC 3550 expected - received). */
  networkLost: number;
  /** Packets the simulated channel dropped (loss, outage, queue). */
  channelLost: number;
  /** Packets the jitter buffer discarded (late or overflow). */
  late: number;
  /** Percent of played samples concealed (W3C concealedSamples / totalSamplesReceived). */
  concealedPct: number;
  /** Mean payload bitrate the sender used (kbit/s). */
  bitrateKbps: number | null;
  /** E-model over the whole stream. */
  mos: LiveMos | null;
}

export interface RtpStreamInfo {
  ssrc: number;
  ssrcHex: string;
  generation: number;
  payloadType: number;
  source: string;
  state: 'playing' | 'ending' | 'ended';
  /** What ended it (or is ending it): "bye", "sender report", "idle", "sequence restart", "server stopped". */
  endedBy: string | null;
  settings: EffectiveSettings;
  packetsIn: number;
  framesPlayed: number;
  markersCleared: number;
  rtcpReportsSent: number;
  counters: W3cInboundCounters;
  channel: ChannelStats;
  window: LegSnapshot;
  summary: RtpStreamSummary;
  recording: string | null;
}

export const ssrcHex = (ssrc: number) => `0x${ssrc.toString(16).padStart(8, '0')}`;

export class RtpStream {
  readonly leg: LiveLeg;
  private readonly reception = new ReceptionStats();
  private readonly markers: MarkerSanitizer;
  private readonly tick: TimerHandle;
  private readonly rtcpTimer: TimerHandle;
  private sampler: TimerHandle | null = null;
  private readonly frameTs: number;
  remote: Remote;
  packetsIn = 0;
  private payloadBytes = 0;
  private rtcpSent = 0;
  private lsr = 0;
  private lsrAtMs = 0;
  private ending: { reason: string; sinceMs: number } | null = null;
  private ended: string | null = null;
  private recorder: LiveRecorder | null = null;
  private source: SourceDecoder | null = null;
  /** Playout past the newest frame sent, held back from heard.wav until a later frame is sent (else it is the tail). */
  private heldHeard: Int16Array[] = [];

  constructor(private readonly o: RtpStreamOptions) {
    this.remote = o.remote;
    const cfg = o.config;
    this.frameTs = (48000 * cfg.codec.frameMs) / 1000;
    this.markers = new MarkerSanitizer(this.frameTs);
    const reception = this.reception;
    const metrics = o.metrics;
    const fwd = o.forward;
    this.leg = new LiveLeg(o.clock, cfg, {
      payloadType: o.payloadType,
      kind: 'rtp',
      metrics,
      originMs: o.originMs,
      onDelivered: fwd
        ? (b) => {
            fwd(b);
            metrics.forwarded.inc();
          }
        : undefined,
      forReceiver: (b) => this.markers.apply(b),
      onReceived: (b) => {
        if (b.length >= 4) reception.onPacket((b[2] << 8) | b[3]);
      },
    });
    const now = o.clock.now();
    const frameMs = cfg.codec.frameMs;
    this.tick = o.clock.every(frameMs, now + frameMs, (due) => this.onTick(due));
    this.rtcpTimer = o.clock.every(cfg.rtcpIntervalMs, now + cfg.rtcpIntervalMs, () => this.sendReport(), { catchUp: false });
    metrics.rtpStreamsStarted.inc();
  }

  get ssrc(): number {
    return this.o.ssrc;
  }

  get generation(): number {
    return this.o.generation;
  }

  get payloadType(): number {
    return this.o.payloadType;
  }

  get isEnded(): boolean {
    return this.ended !== null;
  }

  get recordingDir(): string | null {
    return this.recorder?.dir ?? null;
  }

  /** A valid packet of this stream at clock time `nowMs` (already through RFC 3550 A.1). */
  packet(bytes: Uint8Array, p: RtpPacket, nowMs: number): void {
    if (this.ended) return;
    this.packetsIn++;
    this.payloadBytes += p.payload.length;
    // Media after BYE or a final report: the sender goes on after all.
    this.ending = null;
    this.source?.push(p.sequenceNumber, p.timestamp, p.payload);
    this.leg.onRtp(bytes, nowMs);
  }

  /** An RTCP sender report for this stream (from its sender's address). */
  senderReport(sr: RtcpSenderReport, nowMs: number): void {
    if (this.ended) return;
    // LSR/DLSR (RFC 3550 6.4.1) let the sender compute the round trip from our reports.
    this.lsr = ntpMiddle32FromParts(sr.ntpSeconds, sr.ntpFraction);
    this.lsrAtMs = nowMs;
    const last = this.leg.lastSentTs;
    if (sr.packetCount > 0 && last !== null && sr.packetCount <= this.leg.sequenceSpan && tsDiff(sr.rtpTimestamp, last) >= 2 * this.frameTs) {
      this.beginEnding('sender report', nowMs);
    }
  }

  bye(nowMs: number): void {
    if (!this.ended) this.beginEnding('bye', nowMs);
  }

  private beginEnding(reason: string, nowMs: number): void {
    if (!this.ending) this.ending = { reason, sinceMs: nowMs };
  }

  private onTick(due: number): void {
    const pcm = this.leg.tick(due);
    if (pcm) {
      this.o.onAudio?.(this.o.ssrc, pcm, due);
      if (this.recorder) this.recordHeard(this.recorder, pcm);
    }
    const e = this.ending;
    if (e && (this.leg.playedPastLastFrame || (this.leg.inFlight === 0 && !this.leg.playoutStarted) || due - e.sinceMs > DRAIN_MAX_MS)) this.end(e.reason);
  }

  /** heard.wav ends where the stream's audio ends: what plays after the last frame sent waits. */
  private recordHeard(rec: LiveRecorder, pcm: Int16Array): void {
    if (this.leg.playingBeyondLastFrame && this.heldHeard.length < MAX_HELD_FRAMES) {
      this.heldHeard.push(pcm.slice());
      return;
    }
    this.flushHeard(rec);
    rec.heard(pcm);
  }

  private flushHeard(rec: LiveRecorder): void {
    for (const h of this.heldHeard) rec.heard(h);
    this.heldHeard = [];
  }

  private sendReport(): void {
    if (this.reception.packetsReceived === 0) return;
    const now = this.o.clock.now();
    const dlsr = this.lsr === 0 ? 0 : msToNtpShort(now - this.lsrAtMs);
    const block = this.reception.reportBlock(this.o.ssrc, this.leg.jitterMs * 48, this.lsr, dlsr);
    const bytes = serializeRtcp([{ type: 'rr', ssrc: this.o.rtcpSsrc, reports: [block], profileExtension: new Uint8Array(0) }]);
    this.o.sendRtcp(bytes, this.remote.port + 1, this.remote.address);
    this.rtcpSent++;
    this.o.metrics.rtcpSent.inc();
  }

  /** New settings for the stream's path; a recording starts a new period. */
  reconfigure(cfg: LegConfig): void {
    if (this.ended) return;
    this.leg.reconfigure(cfg);
    this.recorder?.newPeriod(this.o.clock.now());
  }

  /** The sender's codec as measured: the preset's settings at the stream's mean payload bitrate. */
  codec(): CodecConfig {
    const c = this.leg.config.codec;
    const kbps = this.bitrateKbps();
    return kbps === null ? c : { ...c, bitrateKbps: Math.min(510, Math.max(6, Math.round(kbps))) };
  }

  private bitrateKbps(): number | null {
    const audioMs = this.packetsIn * this.leg.config.codec.frameMs;
    return audioMs > 0 ? (this.payloadBytes * 8) / audioMs : null;
  }

  get speaker(): MemberInfo {
    return { id: this.o.ssrc, name: ssrcHex(this.o.ssrc) };
  }

  /** Record from now on (the recorder is made by the ingress, under the recording limits). */
  record(rec: LiveRecorder): void {
    if (this.ended || this.recorder) return;
    this.recorder = rec;
    const speaker = this.speaker;
    this.source = new SourceDecoder((pcm) => rec.spoken(speaker, pcm), this.frameTs);
    rec.addLeg(speaker, this.leg, this.o.clock.now(), () => this.codec());
    this.sampler = this.o.clock.every(SAMPLE_MS, this.o.clock.now() + SAMPLE_MS, () => rec.sample(speaker.id, this.leg.snapshot(this.o.clock.now())), { catchUp: false });
  }

  /** Save the recording, if any: the file names, or null when there was none. */
  stopRecording(reason?: string): { dir: string; files: string[]; reason: string | null } | null {
    const rec = this.recorder;
    if (!rec) return null;
    this.recorder = null;
    this.sampler?.cancel();
    this.sampler = null;
    this.source?.close();
    this.source = null;
    // Stopped while the stream runs: what was held was heard; at its end, it was the tail.
    if (this.ended) this.heldHeard = [];
    else this.flushHeard(rec);
    const why = rec.stopReason ?? reason ?? null;
    const files = rec.finish({ endMs: this.o.clock.now(), room: 'rtp', listener: { id: 0, name: 'rtp-ingress' }, effective: effectiveSettings(this.leg.config), reason: why ?? undefined });
    return { dir: rec.dir, files, reason: why };
  }

  /** End the stream: its leg closes, counters stay at the last frame. Idempotent. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = reason;
    this.ending = null;
    this.tick.cancel();
    this.rtcpTimer.cancel();
    this.leg.close();
    this.o.onEnded(this);
  }

  summary(): RtpStreamSummary {
    const c = this.leg.counters();
    const ch = this.leg.channelTotals();
    const means = this.leg.delaySums();
    const cfg = this.leg.config;
    return {
      audioS: (this.leg.loss.frames * cfg.codec.frameMs) / 1000,
      networkLost: Math.max(0, this.leg.sequenceSpan - this.packetsIn),
      channelLost: ch.lost + ch.queueDrops + ch.outageDrops,
      late: c.packetsDiscarded,
      concealedPct: c.totalSamplesReceived > 0 ? (100 * c.concealedSamples) / c.totalSamplesReceived : 0,
      bitrateKbps: this.bitrateKbps(),
      mos: mosFromLoss(this.leg.loss, {
        codec: this.codec(),
        networkDelayMs: means.delayN ? means.delaySum / means.delayN : 0,
        jitterBufferMs: means.targetN ? means.targetSum / means.targetN : 0,
        deviceBufferMs: cfg.deviceBufferMs,
      }),
    };
  }

  /** One line for the terminal when the stream ends. */
  summaryLine(s: RtpStreamSummary = this.summary()): string {
    const mos = s.mos ? `MOS-CQ ${s.mos.mosCQ.toFixed(2)}` : 'no MOS';
    return (
      `rtp ${ssrcHex(this.o.ssrc)} ended (${this.ended ?? 'running'}): ${s.audioS.toFixed(2)} s of audio, ${this.packetsIn} packets in; ` +
      `lost ${s.networkLost} before the ingress, ${s.channelLost} in the channel; ${s.late} late; concealed ${s.concealedPct.toFixed(1)} %; ${mos}`
    );
  }

  info(nowMs: number): RtpStreamInfo {
    return {
      ssrc: this.o.ssrc,
      ssrcHex: ssrcHex(this.o.ssrc),
      generation: this.o.generation,
      payloadType: this.o.payloadType,
      source: `${this.remote.address}:${this.remote.port}`,
      state: this.ended ? 'ended' : this.ending ? 'ending' : 'playing',
      endedBy: this.ended ?? this.ending?.reason ?? null,
      settings: effectiveSettings(this.leg.config),
      packetsIn: this.packetsIn,
      framesPlayed: this.leg.loss.frames,
      markersCleared: this.markers.cleared,
      rtcpReportsSent: this.rtcpSent,
      counters: this.leg.counters(),
      channel: this.leg.channelTotals(),
      window: this.leg.snapshot(nowMs),
      summary: this.summary(),
      recording: this.recorder?.dir ?? null,
    };
  }
}
