/**
 * One variant of a scenario in simulated time: sender → channel (A to B) → receiver, driven by
 * the discrete-event VirtualClock. The same Sender, Channel and Receiver classes run live; only
 * the clock and the I/O differ.
 */
import { createChannelPath } from './channel-factory.ts';
import type { ChannelConfig, Phase } from '../channel/config.ts';
import type { ChannelPath, ChannelStats } from '../channel/types.ts';
import { VirtualClock } from '../core/clock.ts';
import type { JitterBufferMaker } from '../jitter-buffer/registry.ts';
import { Receiver, type PlcKind } from '../receiver/receiver.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import type { RecoveryStage, RecoveryStats } from '../recovery/types.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import { MediaSender, type OutgoingPacket, type RtpInit, type SendStage } from '../sender/media-sender.ts';
import type { RtxResponder } from '../sender/rtx-responder.ts';
import { SenderRtcpAgent, type ReceiverReportListener } from '../sender/rtcp-agent.ts';
import { FeedbackPath, type FeedbackStats } from './feedback.ts';
import type { Summary } from '../metrics/percentile.ts';
import type { BrowserLog, BrowserRunInfo } from '../browser/browser-run.ts';
import { ReceiverRtcpAgent } from './receiver-rtcp-agent.ts';
import { applyChannelDecision, markMediaReordering, packetRecord, type PacketRecord } from './records.ts';
import { PlayoutRecord } from './playout-record.ts';
import { NackGenerator } from '../recovery/nack-generator.ts';
import { buildRecoveryStages, buildRtxResponder, buildSendStages, streamIdsFor, type RedundancyConfig, type StreamIds } from './redundancy.ts';
import { CrossTraffic, type CrossTrafficFlow } from '../sender/adaptation/cross-traffic.ts';
import { SimAdaptation, type SimAdaptationInput } from '../sender/adaptation/sim-adaptation.ts';
import type { AdaptationTimelineJson } from '../sender/adaptation/timeline.ts';

export interface VariantRunInput {
  encoded: EncodedStream;
  totalFrames: number;
  seed: number;
  slotMs: number;
  channel: ChannelConfig;
  phases: Phase[];
  rtp: RtpInit;
  sampleRate: number;
  jitterBuffer: JitterBufferMaker;
  plc: PlcKind;
  useInbandFec: boolean;
  clockDriftPpm: number;
  /** RED / parity / RTX+NACK of this variant (sender and receiver agree, as if negotiated in SDP). */
  redundancy?: RedundancyConfig;
  /** SSRCs and initial sequence numbers of the FEC, RTX and receiver streams. */
  streamIds?: StreamIds;
  /** The reverse path B→A (RTCP reports, NACKs); default: the same settings as `channel`. */
  reverseChannel?: ChannelConfig;
  /** Phases for the reverse path (those with direction bToA or both apply); default: `phases`. */
  reversePhases?: Phase[];
  /** RTCP report interval (ms) of both ends; default 1000. */
  rtcpIntervalMs?: number;
  /** Sender adaptation hook: every receiver report block that reaches A, with A's RTT. */
  onReceiverReport?: ReceiverReportListener;
  /** Extra stages (appended after the configured ones). */
  sendStages?: SendStage[];
  recovery?: RecoveryStage[];
  /** Receives each emitted frame of audio after playout starts (e.g. a WAV writer). */
  onAudio?: (pcm: Int16Array) => void;
  /** Give the oracle buffer the realized arrival trace (offline bound). */
  needsTrace?: boolean;
  /** Folder of the scenario, for relative file paths in the channel settings (replay, traces). */
  baseDir?: string;
  /** Sender adaptation (online encoding, feedback loop, bandwidth estimation); null/absent = off. */
  adaptation?: SimAdaptationInput | null;
  /** Competing flows sharing the A→B link (lane 'other'). */
  crossTraffic?: readonly CrossTrafficFlow[];
  /** Every RTP packet as it reaches B (its bytes as delivered, duplicates and corruption included). */
  onDelivery?: (bytes: Uint8Array, arrivalMs: number, rec: PacketRecord) => void;
}

export interface VariantRun {
  packets: PacketRecord[];
  frameOutcome: Uint8Array;
  framePlayoutMs: Float64Array;
  timeline: { tMs: Float64Array; targetDelayMs: Float64Array; levelMs: Float64Array; op: Uint8Array };
  counters: W3cInboundCounters;
  channel: ChannelStats;
  playoutStartMs: number | null;
  endMs: number;
  emittedSamples: number;
  malformedPackets: number;
  recoveredBy: { fec: number; red: number; parity: number; rtx: number };
  /** Frames a mechanism rebuilt after their playout time (the repair came too late). */
  recoveredLate: { red: number; parity: number; rtx: number };
  /** Per mechanism: packets received and frames rebuilt at the receiver (null when off). */
  recovery: { red: RecoveryStats | null; parity: RecoveryStats | null; rtx: RecoveryStats | null };
  /** NACK list at the receiver (null when NACK is off). */
  nack: { packetsSent: number; seqsRequested: number; gaveUpRetries: number; gaveUpDeadline: number } | null;
  /** Retransmissions at the sender: sent, and requests it could not serve. */
  rtxSent: { packets: number; bytes: number; requestsIgnored: number };
  /** RTCP traffic on both paths, and the reverse channel's own statistics. */
  feedback: FeedbackStats;
  reverseChannel: ChannelStats;
  /** Last RTT estimates (ms): at the receiver (RRTR/DLRR) and at the sender (LSR/DLSR). */
  rtt: { receiverMs: number | null; senderMs: number | null; receiverSamples: number };
  framesSuppressedDtx: number;
  /** Silent frames written before the first played frame, so degraded audio lines up with the reference. */
  alignmentPadFrames: number;
  /** Sender adaptation timeline (null when adaptation is off). */
  adaptation: AdaptationTimelineJson | null;
  /**
   * Playout figures a receiver measured itself (a real browser), used instead of those derived
   * from per-frame records, which such a receiver does not give.
   */
  measuredPlayout?: MeasuredPlayout;
  /** How a real-browser receiver ran (lateness, scheduling, capture); absent for our receivers. */
  browser?: BrowserRunInfo;
  /** A real-browser receiver's raw logs: each packet's release against its schedule, and every getStats() sample. */
  browserLog?: BrowserLog;
}

export interface MeasuredPlayout {
  /** Concealed over played samples (W3C concealedSamples / totalSamplesReceived). */
  effectiveLoss: number;
  /** W3C packetsDiscarded (late or early). */
  lateDiscarded: number;
  playoutDelayMs: Summary;
  jitterBufferDelayMs: Summary;
}

const TS_MOD = 0x100000000;
const CLOCK_RATE = 48000; // RFC 7587: the Opus RTP clock

function newRecord(p: OutgoingPacket, sendMs: number): PacketRecord {
  return packetRecord({ kind: p.kind, seq: p.seq, timestamp: p.timestamp, frameIndex: p.frameIndex, sizeBytes: p.bytes.length, redundantBytes: p.redundantBytes ?? 0 }, sendMs);
}

/** The realized media arrival trace (for the oracle), from an identical channel fed media only. */
function realizedTrace(input: VariantRunInput): Array<{ timestamp: number; arrivalMs: number | null }> {
  const ch = createChannelPath(input.channel, input.phases, { seed: input.seed, direction: 'aToB', slotMs: input.slotMs, baseDir: input.baseDir });
  const sender = new MediaSender(input.rtp, input.encoded.frameTs);
  const out: Array<{ timestamp: number; arrivalMs: number | null }> = [];
  for (let i = 0; i < input.totalFrames; i++) {
    const sendMs = (i + 1) * input.encoded.frameMs;
    for (const p of sender.packetsForFrame(i, input.encoded.payloads.at(i))) {
      const d = ch.send({ sendMs, sizeBytes: p.bytes.length, lane: p.lane });
      const first = d.deliveries.length ? Math.min(...d.deliveries.map((x) => x.arrivalMs)) : null;
      out.push({ timestamp: input.rtp.initialTimestamp + i * input.encoded.frameTs, arrivalMs: first });
    }
  }
  return out;
}

const NO_REDUNDANCY: RedundancyConfig = { red: null, parityFec: null, rtx: { payloadType: 97, historyMs: 1000 }, nack: null };
// NTP wallclocks of the two ends (ms since 1900): any offsets work, LSR/DLSR only use differences
// of each end's own clock; different ones show that nothing relies on synchronised clocks.
const NTP_OFFSET_A_MS = 3_900_000_000_000;
const NTP_OFFSET_B_MS = 3_900_000_123_456.789;

export function runVariant(input: VariantRunInput): VariantRun {
  return new VariantSimulation(input).run();
}

/**
 * The two ends of one variant and the paths between them, wired on one VirtualClock. Built in a
 * fixed order (events at the same instant run in the order they were scheduled, so the order of
 * construction is part of the result).
 */
class VariantSimulation {
  private readonly clock = new VirtualClock();
  private readonly frameMs: number;
  private readonly channel: ChannelPath;
  private readonly reverse: ChannelPath;
  private readonly red: RedundancyConfig;
  private readonly ids: StreamIds;
  private readonly adapt: SimAdaptation | null;
  private readonly sender: MediaSender;
  private readonly rtxResponder: RtxResponder | null;
  private readonly senderAgent: SenderRtcpAgent;
  private readonly receiverAgent: ReceiverRtcpAgent;
  private readonly nack: NackGenerator | null;
  private readonly recovery: RecoveryStage[];
  private readonly record: PlayoutRecord;
  private readonly rx: Receiver;
  private readonly feedback: FeedbackPath;
  private readonly packets: PacketRecord[] = [];
  private done = false;
  private endMs = 0;

  constructor(private readonly input: VariantRunInput) {
    this.frameMs = input.encoded.frameMs;
    const pathOpts = { seed: input.seed, slotMs: input.slotMs, baseDir: input.baseDir };
    this.channel = createChannelPath(input.channel, input.phases, { ...pathOpts, direction: 'aToB' });
    this.reverse = createChannelPath(input.reverseChannel ?? input.channel, input.reversePhases ?? input.phases, { ...pathOpts, direction: 'bToA' });
    this.red = input.redundancy ?? NO_REDUNDANCY;
    this.ids = input.streamIds ?? streamIdsFor(input.seed, input.rtp.ssrc);
    this.adapt = this.buildAdaptation();
    const stages = [...buildSendStages(this.red, input.rtp, this.ids), ...(input.sendStages ?? [])];
    this.sender = new MediaSender(input.rtp, input.encoded.frameTs, this.adapt ? this.adapt.wrapStages(stages) : stages);
    this.rtxResponder = buildRtxResponder(this.red, this.sender, this.ids, () => this.senderAgent?.rttMs() ?? null);
    this.senderAgent = this.buildSenderAgent();
    this.record = new PlayoutRecord(input.totalFrames, input.rtp.initialTimestamp, input.encoded.frameTs, input.onAudio, this.adapt);
    this.receiverAgent = new ReceiverRtcpAgent({
      ssrc: this.ids.receiverSsrc,
      mediaSsrc: input.rtp.ssrc,
      ntpOffsetMs: NTP_OFFSET_B_MS,
      reception: () => this.rx?.receptionState() ?? null,
      extraXrBlocks: this.adapt ? (t) => this.adapt!.extraXrBlocks(t) : undefined,
    });
    this.nack = this.buildNack();
    this.recovery = [...buildRecoveryStages(this.red, input.rtp, this.nack), ...(input.recovery ?? [])];
    this.rx = this.buildReceiver();
    this.feedback = new FeedbackPath({
      clock: this.clock,
      seed: input.seed,
      intervalMs: input.rtcpIntervalMs ?? 1000,
      forward: this.channel,
      reverse: this.reverse,
      sender: this.senderAgent,
      receiver: this.receiverAgent,
      sendRtp: (out, sendMs) => this.sendRtp(out, sendMs),
      records: this.packets,
      isDone: () => this.done,
    });
  }

  run(): VariantRun {
    this.feedback.start();
    this.adapt?.start();
    this.scheduleSend(0);
    this.scheduleTick(1, this.rx.tickMs * (1 + this.input.clockDriftPpm * 1e-6));
    this.clock.run();
    return this.collect();
  }

  /** Sender adaptation and the cross traffic it competes with (both optional). */
  private buildAdaptation(): SimAdaptation | null {
    const input = this.input;
    const cross = input.crossTraffic?.length ? new CrossTraffic(input.crossTraffic, input.channel.overheadBytes, this.clock, this.channel, () => this.done) : null;
    if (!input.adaptation) return null;
    return new SimAdaptation({
      ...input.adaptation,
      mediaSsrc: input.rtp.ssrc,
      receiverSsrc: this.ids.receiverSsrc,
      overheadBytes: input.channel.overheadBytes,
      redGenerations: this.red.red?.generations ?? null,
      clock: this.clock,
      reverse: this.reverse,
      forwardConfig: input.channel,
      forwardPhases: input.phases,
      crossTraffic: cross,
      // The receiver's agent exists once the sender side is built; no RTT before.
      receiverRttMs: () => this.receiverAgent?.rttMs() ?? null,
      isDone: () => this.done,
    });
  }

  private buildSenderAgent(): SenderRtcpAgent {
    const input = this.input;
    const agent = new SenderRtcpAgent({
      ssrc: input.rtp.ssrc,
      clockRate: CLOCK_RATE,
      ntpOffsetMs: NTP_OFFSET_A_MS,
      // The media clock: frame i is captured at i F with timestamp offset i F (48 kHz).
      rtpTimestampAt: (t) => (input.rtp.initialTimestamp + Math.floor((t * CLOCK_RATE) / 1000)) % TS_MOD,
      rtx: this.rtxResponder,
    });
    if (input.onReceiverReport) agent.onReceiverReport(input.onReceiverReport);
    if (this.adapt) agent.onReceiverReport(this.adapt.onReceiverReport);
    return agent;
  }

  /** B's NACK list, asking A for retransmissions through the feedback path (null when off). */
  private buildNack(): NackGenerator | null {
    const n = this.red.nack;
    if (n === null || !n.enabled) return null;
    return new NackGenerator({
      maxRetries: n.maxRetries,
      retryIntervalMs: n.retryIntervalMs,
      frameTs: this.input.encoded.frameTs,
      rttMs: () => this.receiverAgent.rttMs(),
      playoutTs: () => this.rx?.nextPlayoutTs ?? null,
      send: (seqs, t) => this.feedback?.sendNack(seqs, t),
    });
  }

  private buildReceiver(): Receiver {
    const input = this.input;
    const rx: Receiver = new Receiver({
      sampleRate: input.sampleRate,
      frameMs: this.frameMs,
      mediaPayloadType: input.rtp.payloadType,
      jitterBuffer: input.jitterBuffer,
      plc: input.plc,
      useInbandFec: input.useInbandFec,
      recovery: this.recovery,
      rttMs: () => this.receiverAgent.rttMs(),
      trace: input.needsTrace ? realizedTrace(input) : null,
      events: this.record.events(() => rx.frameSamples),
    });
    return rx;
  }

  /** Put RTP packets on the media path at `sendMs` and schedule their arrivals at B. */
  private sendRtp(out: OutgoingPacket[], sendMs: number): void {
    for (const p of out) {
      const rec = newRecord(p, sendMs);
      this.packets.push(rec);
      if (p.kind === 'media') {
        this.record.noteMedia(rec);
        this.senderAgent.noteSent(p.bytes.length - 12);
      }
      const d = this.channel.send({ sendMs, sizeBytes: p.bytes.length, lane: p.lane, payload: p.bytes });
      applyChannelDecision(rec, d);
      this.adapt?.onRtpSent(p.bytes, sendMs, d);
      for (const del of d.deliveries) {
        const bytes = del.payload ?? p.bytes;
        this.clock.schedule(del.arrivalMs, (t) => this.deliver(bytes, t, rec));
      }
    }
  }

  private deliver(bytes: Uint8Array, t: number, rec: PacketRecord): void {
    this.input.onDelivery?.(bytes, t, rec);
    this.adapt?.onRtpArrival(bytes, t);
    const before = this.rx.malformedPackets;
    this.rx.onPacket(bytes, t);
    if (this.rx.malformedPackets > before && rec.fate === 'pending') rec.fate = 'malformed';
  }

  /** Frame i is captured during [i F, (i+1) F) and sent when complete (packetization delay F). */
  private scheduleSend(i: number): void {
    if (i >= this.input.totalFrames) return;
    this.clock.schedule((i + 1) * this.frameMs, (t) => {
      this.sendRtp(this.sender.packetsForFrame(i, this.adapt ? this.adapt.payloadFor(i) : this.input.encoded.payloads.at(i), t), t);
      this.scheduleSend(i + 1);
    });
  }

  /**
   * The receiver's audio device clock ticks every frame period (or every output block of a buffer
   * that asks for one: NetEq's 10 ms, then half a block out of phase), drifting by clockDriftPpm.
   */
  private scheduleTick(k: number, period: number): void {
    this.clock.schedule(this.rx.tickPhaseMs + k * period, (t) => {
      this.rx.step(t);
      this.nack?.process(t);
      this.endMs = t;
      // The call ends when playout has moved past its last frame. Counting ticks instead would
      // stop early when the buffer spent ticks on expansion (its last frames never played, and
      // counted as lost) and late when playout began after frame 0.
      const next = this.rx.nextPlayoutTs;
      const hardStopMs = this.input.totalFrames * this.frameMs + 30_000;
      if ((next !== null && this.record.frameOfTs(next) >= this.input.totalFrames) || t > hardStopMs) {
        this.done = true;
        return;
      }
      this.scheduleTick(k + 1, period);
    });
  }

  private collect(): VariantRun {
    const { rx, record, nack, rtxResponder } = this;
    for (const rec of this.packets) if (rec.fate === 'pending') rec.fate = 'unused';
    markMediaReordering(this.packets);
    record.settleUnsentFrames();
    const counters = rx.finalCounters();
    if (nack) counters.nackCount = nack.nackPacketsSent;
    const stat = (kind: RecoveryStage['kind']): RecoveryStats | null => this.recovery.find((r) => r.kind === kind)?.stats() ?? null;
    const run: VariantRun = {
      packets: this.packets,
      frameOutcome: record.frameOutcome,
      framePlayoutMs: record.framePlayoutMs,
      timeline: record.timeline(),
      counters,
      channel: this.channel.stats(),
      playoutStartMs: record.playoutStartMs,
      endMs: this.endMs,
      emittedSamples: record.emittedSamples,
      malformedPackets: rx.malformedPackets,
      recoveredBy: { ...rx.recoveredBy },
      recoveredLate: { ...rx.recoveredLate },
      recovery: { red: stat('red'), parity: stat('parity'), rtx: stat('rtx') },
      nack: nack
        ? { packetsSent: nack.nackPacketsSent, seqsRequested: nack.seqsRequested, gaveUpRetries: nack.gaveUpRetries, gaveUpDeadline: nack.gaveUpDeadline }
        : null,
      rtxSent: { packets: rtxResponder?.packetsSent ?? 0, bytes: rtxResponder?.bytesSent ?? 0, requestsIgnored: rtxResponder?.requestsIgnored ?? 0 },
      feedback: this.feedback.stats(),
      reverseChannel: this.reverse.stats(),
      rtt: { receiverMs: this.receiverAgent.rttMs(), senderMs: this.senderAgent.rttMs(), receiverSamples: this.receiverAgent.rttSamples },
      framesSuppressedDtx: this.sender.framesSuppressed,
      alignmentPadFrames: record.padFrames,
      adaptation: this.adapt?.result() ?? null,
    };
    rx.destroy();
    return run;
  }
}
