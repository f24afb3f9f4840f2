/**
 * Sender adaptation inside one simulated variant: the glue between the pure parts of this folder
 * and the simulator's clock and channels.
 *
 * - A encodes ONLINE, frame by frame, with the codec settings in force at the frame's send time
 *   (OpusFrameEncoder.setBitrateKbps / setFec); the shared EncodedStream cache cannot serve a
 *   sender whose bitrate depends on the network.
 * - Every RTP packet carries a transport-wide sequence number; B answers every `twccIntervalMs`
 *   with transport-wide feedback over the reverse channel (real RTCP bytes, lost and delayed
 *   like any packet), and adds an RFC 3611 VoIP Metrics block to its receiver reports.
 * - Receiver reports reach A through SenderRtcpAgent's listener (src/sim/feedback.ts loop).
 * - Cross traffic (cross-traffic.ts, started by the simulator for every variant) is only read here.
 * - A timeline of estimate, send rate, capacity, queue delay, loss and codec settings.
 */
import type { ChannelConfig, Phase } from '../../channel/config.ts';
import { effectiveChannelConfig, phasesForDirection } from '../../channel/phases.ts';
import type { ChannelDecision, ChannelPath } from '../../channel/types.ts';
import type { CodecConfig } from '../../codec/config.ts';
import { OpusFrameEncoder } from '../../codec/opus-encoder.ts';
import type { VirtualClock } from '../../core/clock.ts';
import type { XrBlock } from '../../rtp/rtcp-xr.ts';
import type { AudioSource } from '../../source/audio-source.ts';
import type { SendStage } from '../media-sender.ts';
import { RedSendStage } from '../red-stage.ts';
import type { AdaptationConfig } from './config.ts';
import type { CrossTraffic } from './cross-traffic.ts';
import { ReceiverFeedback } from './receiver-feedback.ts';
import { SenderAdaptation } from './sender-adaptation.ts';
import { SwitchableStage } from './switchable-stage.ts';
import { AdaptationTimeline, type AdaptationTimelineJson } from './timeline.ts';

export interface SimAdaptationOptions {
  config: AdaptationConfig;
  codec: CodecConfig;
  /** The call's audio, for online encoding. */
  source: AudioSource;
  mediaSsrc: number;
  receiverSsrc: number;
  /** IP/UDP bytes per packet (channel.overheadBytes). */
  overheadBytes: number;
  redGenerations: number | null;
  clock: VirtualClock;
  /** The reverse path B→A, for transport-wide feedback. */
  reverse: ChannelPath;
  /** The A→B settings and phases, for the bottleneck capacity over time. */
  forwardConfig: ChannelConfig;
  forwardPhases: readonly Phase[];
  crossTraffic: CrossTraffic | null;
  deviceBufferMs: number;
  /** RFC 3611 4.7.6 PLC code of the receiver. */
  plcCode: number;
  adaptiveJitterBuffer: boolean;
  /** RTT known at B (RRTR/DLRR), for its VoIP Metrics block. */
  receiverRttMs: () => number | null;
  /** The call is over: stop the loops. */
  isDone: () => boolean;
}

/** What the scenario gives a variant's adaptation; the simulator adds the rest. */
export type SimAdaptationInput = Pick<SimAdaptationOptions, 'config' | 'codec' | 'source' | 'deviceBufferMs' | 'plcCode' | 'adaptiveJitterBuffer'>;

/**
 * RFC 3611 4.7.6 PLC code of a receiver's concealment, with the code values of src/rtp/rtcp-xr.ts
 * (3 standard, 2 enhanced, 1 disabled): libopus's model-based PLC is "enhanced", waveform
 * repetition "standard", silence "disabled".
 */
export function xrPlcCode(plc: 'opus' | 'silence' | 'repeat' | 'pitch'): number {
  return plc === 'opus' ? 2 : plc === 'silence' ? 1 : 3;
}

/** The adaptation input of a resolved variant, or null when its sender.adaptation is off. */
export function simAdaptationInput(
  v: { sender: { adaptation: AdaptationConfig | null; codec: CodecConfig }; receiver: { deviceBufferMs: number; plc: 'opus' | 'silence' | 'repeat' | 'pitch'; jitterBuffer: object } },
  source: AudioSource,
): SimAdaptationInput | null {
  if (v.sender.adaptation === null) return null;
  const jb = v.receiver.jitterBuffer as { type?: string };
  return {
    config: v.sender.adaptation,
    codec: v.sender.codec,
    source,
    deviceBufferMs: v.receiver.deviceBufferMs,
    plcCode: xrPlcCode(v.receiver.plc),
    adaptiveJitterBuffer: jb.type !== undefined && jb.type !== 'fixed',
  };
}

export class SimAdaptation {
  readonly sender: SenderAdaptation;
  readonly receiverSide: ReceiverFeedback;
  private readonly encoder: OpusFrameEncoder;
  private readonly pcm: Int16Array;
  private applied: { bitrateKbps: number; fec: boolean; expectedLoss: number };
  private readonly timeline: AdaptationTimeline;
  private readonly forwardPhases: Phase[];
  private interval = { sent: 0, dropped: 0, maxQueueMs: 0 };
  private jb = { targetMs: 0, maxMs: 0 };

  constructor(private readonly o: SimAdaptationOptions) {
    this.sender = new SenderAdaptation({ config: o.config, codec: o.codec, overheadBytes: o.overheadBytes, redGenerations: o.redGenerations });
    this.receiverSide = new ReceiverFeedback({
      ssrc: o.receiverSsrc,
      mediaSsrc: o.mediaSsrc,
      codec: o.codec,
      transportCcId: o.config.transportCcId,
      deviceBufferMs: o.deviceBufferMs,
      plcCode: o.plcCode,
      adaptiveJitterBuffer: o.adaptiveJitterBuffer,
    });
    this.encoder = new OpusFrameEncoder(o.codec);
    this.pcm = new Int16Array(this.encoder.frameSamples);
    const s = this.sender.settings;
    this.applied = { bitrateKbps: o.codec.bitrateKbps, fec: o.codec.fec, expectedLoss: o.codec.expectedLoss };
    this.apply(s);
    this.timeline = new AdaptationTimeline(o.config.timelineIntervalMs);
    this.forwardPhases = phasesForDirection(o.forwardPhases, 'aToB');
  }

  private apply(s: { bitrateKbps: number; fec: boolean; expectedLoss: number }): void {
    if (s.bitrateKbps !== this.applied.bitrateKbps) this.encoder.setBitrateKbps(s.bitrateKbps);
    if (s.fec !== this.applied.fec || s.expectedLoss !== this.applied.expectedLoss) this.encoder.setFec(s.fec, s.expectedLoss);
    this.applied = { bitrateKbps: s.bitrateKbps, fec: s.fec, expectedLoss: s.expectedLoss };
  }

  /** Frame i encoded now with the settings in force. */
  payloadFor(i: number): Uint8Array {
    this.apply(this.sender.settings);
    this.o.source.frame(i, this.pcm);
    return this.encoder.encode(this.pcm);
  }

  /** The send stages: transport-wide numbering around the configured ones, RED switchable by loss. */
  wrapStages(stages: readonly SendStage[]): SendStage[] {
    const redByLoss = this.o.config.red !== null;
    const inner = stages.map((s) => (redByLoss && s instanceof RedSendStage ? new SwitchableStage(s, () => this.sender.settings.red) : s));
    return [this.sender.sequencer.mediaStage, ...inner, this.sender.sequencer.extrasStage];
  }

  /** An RTP packet of A went into the A→B channel with this decision. */
  onRtpSent(bytes: Uint8Array, sendMs: number, d: ChannelDecision): void {
    this.sender.onPacketSent(bytes, sendMs);
    this.interval.sent++;
    if (!d.delivered) this.interval.dropped++;
    if (d.queueDelayMs > this.interval.maxQueueMs) this.interval.maxQueueMs = d.queueDelayMs;
  }

  /** An RTP packet reaches B (bytes as received). */
  onRtpArrival(bytes: Uint8Array, t: number): void {
    this.receiverSide.onRtp(bytes, t);
  }

  /** B's jitter buffer dropped a received media packet. */
  onDiscarded(seq: number): void {
    this.receiverSide.onDiscarded(seq);
  }

  /** B's playout tick: the jitter buffer's target delay (for XR end-system delay). */
  onJitterBufferState(targetDelayMs: number): void {
    this.jb.targetMs = targetDelayMs;
    if (targetDelayMs > this.jb.maxMs) this.jb.maxMs = targetDelayMs;
  }

  /** Blocks B adds to the XR packet of its receiver reports. */
  extraXrBlocks(nowMs: number): XrBlock[] {
    const b = this.receiverSide.voipMetrics(nowMs, { jitterBufferMs: this.jb.targetMs, jitterBufferMaxMs: this.jb.maxMs, rttMs: this.o.receiverRttMs() });
    return b === null ? [] : [b];
  }

  /** Receiver report listener for SenderRtcpAgent. */
  readonly onReceiverReport = (r: { fractionLost: number; rttMs: number | null }): void => {
    this.sender.onReceiverReport({ fractionLost: r.fractionLost, rttMs: r.rttMs });
  };

  /** Starts the feedback loop and the timeline sampling on the clock. */
  start(): void {
    const { clock, config } = this.o;
    const twcc = (at: number): void => {
      clock.schedule(at, (t) => {
        if (this.o.isDone()) return;
        const bytes = this.receiverSide.twccFeedback();
        if (bytes !== null) this.sendReverse(bytes, t);
        twcc(t + config.twccIntervalMs);
      });
    };
    twcc(config.twccIntervalMs);
    const sample = (at: number): void => {
      clock.schedule(at, (t) => {
        if (this.o.isDone()) return;
        this.sample(t);
        sample(t + config.timelineIntervalMs);
      });
    };
    sample(config.timelineIntervalMs);
  }

  private sendReverse(bytes: Uint8Array, t: number): void {
    const d = this.o.reverse.send({ sendMs: t, sizeBytes: bytes.length, lane: 'rtcp', payload: bytes });
    for (const del of d.deliveries) {
      const b = del.payload ?? bytes;
      this.o.clock.schedule(del.arrivalMs, (ta) => this.sender.onFeedback(b, ta));
    }
  }

  private sample(t: number): void {
    const est = this.sender.estimator;
    const s = this.sender.settings;
    const link = effectiveChannelConfig(this.o.forwardConfig, this.forwardPhases, 'aToB', t).link;
    const iv = this.interval;
    this.timeline.add({
      tMs: t,
      estimateKbps: est.estimateBps / 1000,
      lossBasedKbps: est.lossBasedBps / 1000,
      delayBasedKbps: est.delayBasedBps / 1000,
      ackedKbps: est.delayState.ackedBps === null ? null : est.delayState.ackedBps / 1000,
      sendRateKbps: this.sender.sendRateKbps(t),
      capacityKbps: link.trace !== null ? null : link.rateKbps,
      queueDelayMs: iv.maxQueueMs,
      networkLoss: iv.sent === 0 ? 0 : iv.dropped / iv.sent,
      reportedLoss: est.reportedLoss,
      rttMs: est.measuredRttMs,
      codecBitrateKbps: s.bitrateKbps,
      fec: s.fec,
      expectedLossPct: s.expectedLoss * 100,
      red: s.red && this.o.redGenerations !== null,
      usage: est.delayState.usage,
      trendMs: est.delayState.trendMs,
      thresholdMs: est.delayState.thresholdMs,
      crossTrafficKbps: this.o.crossTraffic?.kbps(t) ?? 0,
    });
    this.interval = { sent: 0, dropped: 0, maxQueueMs: 0 };
  }

  result(): AdaptationTimelineJson {
    return this.timeline.toJson({
      codecChanges: this.sender.codec.changes,
      twccFeedbackReceived: this.sender.twccPacketsReceived,
      receiverReportsReceived: this.sender.reportsReceived,
      crossTrafficPackets: this.o.crossTraffic?.packets ?? 0,
    });
  }
}
