/**
 * One variant of a scenario in simulated time: sender → channel (A to B) → receiver, driven by
 * the discrete-event VirtualClock. The same Sender, Channel and Receiver classes run live; only
 * the clock and the I/O differ.
 */
import { createChannelPath } from './channel-factory.ts';
import type { ChannelConfig, Phase } from '../channel/config.ts';
import type { ChannelStats } from '../channel/types.ts';
import { VirtualClock } from '../core/clock.ts';
import type { JitterBufferMaker } from '../jitter-buffer/registry.ts';
import type { JitterBufferState } from '../jitter-buffer/types.ts';
import { Receiver, type PlcKind } from '../receiver/receiver.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import type { RecoveryStage, RecoveryStats } from '../recovery/types.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import { MediaSender, type OutgoingPacket, type RtpInit, type SendStage } from '../sender/media-sender.ts';
import { SenderRtcpAgent, type ReceiverReportListener } from '../sender/rtcp-agent.ts';
import { FeedbackPath, type FeedbackStats } from './feedback.ts';
import { Series } from '../core/series.ts';
import type { Summary } from '../metrics/percentile.ts';
import type { BrowserLog, BrowserRunInfo } from '../browser/browser-run.ts';
import { ReceiverRtcpAgent } from './receiver-rtcp-agent.ts';
import { applyChannelDecision, FRAME_OUTCOMES, markMediaReordering, type FrameOutcomeName, type PacketRecord } from './records.ts';
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

export const TICK_OPS = ['idle', 'normal', 'fec', 'expand', 'accelerate', 'preemptiveExpand', 'comfortNoise'] as const;

const TS_MOD = 0x100000000;
const CLOCK_RATE = 48000; // RFC 7587: the Opus RTP clock

function newRecord(p: OutgoingPacket, sendMs: number): PacketRecord {
  return {
    kind: p.kind,
    seq: p.seq,
    timestamp: p.timestamp,
    frameIndex: p.frameIndex,
    sizeBytes: p.bytes.length,
    redundantBytes: p.redundantBytes ?? 0,
    sendMs,
    arrivalMs: null,
    secondArrivalMs: null,
    queueDelayMs: 0,
    networkCause: null,
    duplicated: false,
    reordered: false,
    corrupted: false,
    fate: 'pending',
    playoutMs: null,
  };
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
  const { encoded, totalFrames } = input;
  const frameMs = encoded.frameMs;
  const clock = new VirtualClock();
  const channel = createChannelPath(input.channel, input.phases, { seed: input.seed, direction: 'aToB', slotMs: input.slotMs, baseDir: input.baseDir });
  const reverse = createChannelPath(input.reverseChannel ?? input.channel, input.reversePhases ?? input.phases, {
    seed: input.seed,
    direction: 'bToA',
    slotMs: input.slotMs,
    baseDir: input.baseDir,
  });
  const red = input.redundancy ?? NO_REDUNDANCY;
  const ids = input.streamIds ?? streamIdsFor(input.seed, input.rtp.ssrc);
  let done = false;
  const cross = input.crossTraffic?.length ? new CrossTraffic(input.crossTraffic, input.channel.overheadBytes, clock, channel, () => done) : null;
  let receiverRtt: () => number | null = () => null;
  const adapt = input.adaptation
    ? new SimAdaptation({
        ...input.adaptation,
        mediaSsrc: input.rtp.ssrc,
        receiverSsrc: ids.receiverSsrc,
        overheadBytes: input.channel.overheadBytes,
        redGenerations: red.red?.generations ?? null,
        clock,
        reverse,
        forwardConfig: input.channel,
        forwardPhases: input.phases,
        crossTraffic: cross,
        receiverRttMs: () => receiverRtt(),
        isDone: () => done,
      })
    : null;
  const stages = [...buildSendStages(red, input.rtp, ids), ...(input.sendStages ?? [])];
  const sender = new MediaSender(input.rtp, encoded.frameTs, adapt ? adapt.wrapStages(stages) : stages);
  let senderAgent: SenderRtcpAgent | null = null;
  const rtxResponder = buildRtxResponder(red, sender, ids, () => senderAgent?.rttMs() ?? null);
  senderAgent = new SenderRtcpAgent({
    ssrc: input.rtp.ssrc,
    clockRate: CLOCK_RATE,
    ntpOffsetMs: NTP_OFFSET_A_MS,
    // The media clock: frame i is captured at i F with timestamp offset i F (48 kHz).
    rtpTimestampAt: (t) => (input.rtp.initialTimestamp + Math.floor((t * CLOCK_RATE) / 1000)) % TS_MOD,
    rtx: rtxResponder,
  });
  if (input.onReceiverReport) senderAgent.onReceiverReport(input.onReceiverReport);
  if (adapt) senderAgent.onReceiverReport(adapt.onReceiverReport);
  const packets: PacketRecord[] = [];
  const mediaBySeq = new Map<number, PacketRecord>();
  const mediaByFrame: Array<PacketRecord | undefined> = new Array(totalFrames);
  const frameOutcome = new Uint8Array(totalFrames);
  const framePlayoutMs = new Float64Array(totalFrames).fill(Number.NaN);
  const tl = { t: new Series(), target: new Series(), level: new Series(), op: [] as number[] };
  let playoutStartMs: number | null = null;
  let emitted = 0;
  let firstFrame = -1;
  let pad = 0;

  const frameOfTs = (extTs: number): number => {
    const off = (((extTs - input.rtp.initialTimestamp) % TS_MOD) + TS_MOD) % TS_MOD;
    return Math.round(off / encoded.frameTs);
  };

  // B's side: its RTCP agent, and the NACK list that asks A for retransmissions through it.
  let receiver: Receiver | null = null;
  let feedback: FeedbackPath | null = null;
  const receiverAgent = new ReceiverRtcpAgent({
    ssrc: ids.receiverSsrc,
    mediaSsrc: input.rtp.ssrc,
    ntpOffsetMs: NTP_OFFSET_B_MS,
    reception: () => receiver?.receptionState() ?? null,
    extraXrBlocks: adapt ? (t) => adapt.extraXrBlocks(t) : undefined,
  });
  receiverRtt = () => receiverAgent.rttMs();
  const nack =
    red.nack !== null && red.nack.enabled
      ? new NackGenerator({
          maxRetries: red.nack.maxRetries,
          retryIntervalMs: red.nack.retryIntervalMs,
          frameTs: encoded.frameTs,
          rttMs: () => receiverAgent.rttMs(),
          playoutTs: () => receiver?.nextPlayoutTs ?? null,
          send: (seqs, t) => feedback?.sendNack(seqs, t),
        })
      : null;
  const recovery = [...buildRecoveryStages(red, input.rtp, nack), ...(input.recovery ?? [])];

  receiver = new Receiver({
    sampleRate: input.sampleRate,
    frameMs,
    mediaPayloadType: input.rtp.payloadType,
    jitterBuffer: input.jitterBuffer,
    plc: input.plc,
    useInbandFec: input.useInbandFec,
    recovery,
    rttMs: () => receiverAgent.rttMs(),
    trace: input.needsTrace ? realizedTrace(input) : null,
    events: {
      onFrame(extTs, outcome, origin, nowMs) {
        const idx = frameOfTs(extTs);
        if (idx < 0 || idx >= totalFrames) return;
        const rec = mediaByFrame[idx];
        let name: FrameOutcomeName;
        if (outcome === 'normal') name = origin === 'primary' || origin === null ? 'normal' : origin;
        // 'dtx' means exactly "the sender never sent this frame": a sent frame the buffer filled
        // with comfort noise (its packet lost at a talkspurt start) was concealed, with silence;
        // an unsent frame is DTX silence however the buffer filled it.
        else if (rec === undefined) name = 'dtx';
        else name = outcome === 'dtx' ? 'concealed' : outcome;
        if (firstFrame < 0) firstFrame = idx;
        frameOutcome[idx] = FRAME_OUTCOMES.indexOf(name);
        framePlayoutMs[idx] = nowMs;
        if (rec && outcome === 'normal' && origin === 'primary') {
          rec.fate = 'played';
          rec.playoutMs = nowMs;
        }
      },
      onPacketDropped(extSeq, reason) {
        if (extSeq === null) return;
        if (reason === 'late' || reason === 'discarded') adapt?.onDiscarded(extSeq);
        const rec = mediaBySeq.get(extSeq & 0xffff);
        if (!rec) return;
        if (reason === 'late' && rec.fate !== 'played') rec.fate = 'late';
        else if (reason === 'discarded' && rec.fate !== 'played') rec.fate = 'discarded';
      },
      onTick(nowMs, pcm, state: JitterBufferState, op) {
        tl.t.push(nowMs);
        tl.target.push(state.targetDelayMs);
        tl.level.push(state.levelMs);
        tl.op.push(TICK_OPS.indexOf(op));
        adapt?.onJitterBufferState(state.targetDelayMs);
        if (pcm) {
          if (playoutStartMs === null) {
            playoutStartMs = nowMs;
            // Degraded audio starts at the first frame played; pad so that frame k sits at k frames.
            pad = Math.max(0, firstFrame);
            const silence = new Int16Array(rx.frameSamples);
            for (let i = 0; i < pad; i++) input.onAudio?.(silence);
          }
          emitted += pcm.length;
          input.onAudio?.(pcm);
        }
      },
    },
  });
  const rx = receiver;

  /** Put RTP packets on the media path at `sendMs` and schedule their arrivals at B. */
  const sendRtp = (out: OutgoingPacket[], sendMs: number): void => {
    for (const p of out) {
      const rec = newRecord(p, sendMs);
      packets.push(rec);
      if (p.kind === 'media') {
        mediaBySeq.set(p.seq, rec);
        if (p.frameIndex >= 0 && p.frameIndex < totalFrames) mediaByFrame[p.frameIndex] = rec;
        senderAgent.noteSent(p.bytes.length - 12);
      }
      const d = channel.send({ sendMs, sizeBytes: p.bytes.length, lane: p.lane, payload: p.bytes });
      applyChannelDecision(rec, d);
      adapt?.onRtpSent(p.bytes, sendMs, d);
      for (const del of d.deliveries) {
        const bytes = del.payload ?? p.bytes;
        clock.schedule(del.arrivalMs, (t) => {
          input.onDelivery?.(bytes, t, rec);
          adapt?.onRtpArrival(bytes, t);
          const before = rx.malformedPackets;
          rx.onPacket(bytes, t);
          if (rx.malformedPackets > before && rec.fate === 'pending') rec.fate = 'malformed';
        });
      }
    }
  };

  feedback = new FeedbackPath({
    clock,
    seed: input.seed,
    intervalMs: input.rtcpIntervalMs ?? 1000,
    forward: channel,
    reverse,
    sender: senderAgent,
    receiver: receiverAgent,
    sendRtp,
    records: packets,
    isDone: () => done,
  });
  feedback.start();
  adapt?.start();

  // Frame i is captured during [i F, (i+1) F) and sent when complete (packetization delay F).
  const scheduleSend = (i: number): void => {
    if (i >= totalFrames) return;
    clock.schedule((i + 1) * frameMs, (t) => {
      sendRtp(sender.packetsForFrame(i, adapt ? adapt.payloadFor(i) : encoded.payloads.at(i), t), t);
      scheduleSend(i + 1);
    });
  };
  scheduleSend(0);

  // The receiver's audio device clock ticks every frame period (or every output block of a buffer
  // that asks for one: NetEq's 10 ms, then half a block out of phase), drifting by clockDriftPpm.
  const tickPeriod = rx.tickMs * (1 + input.clockDriftPpm * 1e-6);
  const hardStopMs = totalFrames * frameMs + 30_000;
  let endMs = 0;
  const scheduleTick = (k: number): void => {
    clock.schedule(rx.tickPhaseMs + k * tickPeriod, (t) => {
      rx.step(t);
      nack?.process(t);
      endMs = t;
      // The call ends when playout has moved past its last frame. Counting ticks instead would
      // stop early when the buffer spent ticks on expansion (its last frames never played, and
      // counted as lost) and late when playout began after frame 0.
      const next = rx.nextPlayoutTs;
      if ((next !== null && frameOfTs(next) >= totalFrames) || t > hardStopMs) {
        done = true;
        return;
      }
      scheduleTick(k + 1);
    });
  };
  scheduleTick(1);
  clock.run();

  for (const rec of packets) if (rec.fate === 'pending') rec.fate = 'unused';
  markMediaReordering(packets);
  // A frame the sender never sent is DTX silence whether or not a tick played its slot (a buffer
  // may skip slots of silence): 'unplayed' would count it as lost in BurstR and windowed Ppl.
  const UNPLAYED = FRAME_OUTCOMES.indexOf('unplayed');
  const DTX = FRAME_OUTCOMES.indexOf('dtx');
  for (let i = 0; i < totalFrames; i++) if (mediaByFrame[i] === undefined && frameOutcome[i] === UNPLAYED) frameOutcome[i] = DTX;
  const counters = rx.finalCounters();
  if (nack) counters.nackCount = nack.nackPacketsSent;
  const stat = (kind: RecoveryStage['kind']): RecoveryStats | null => recovery.find((r) => r.kind === kind)?.stats() ?? null;
  const run: VariantRun = {
    packets,
    frameOutcome,
    framePlayoutMs,
    timeline: { tMs: tl.t.toArray(), targetDelayMs: tl.target.toArray(), levelMs: tl.level.toArray(), op: Uint8Array.from(tl.op) },
    counters,
    channel: channel.stats(),
    playoutStartMs,
    endMs,
    emittedSamples: emitted,
    malformedPackets: rx.malformedPackets,
    recoveredBy: { ...rx.recoveredBy },
    recoveredLate: { ...rx.recoveredLate },
    recovery: { red: stat('red'), parity: stat('parity'), rtx: stat('rtx') },
    nack: nack
      ? { packetsSent: nack.nackPacketsSent, seqsRequested: nack.seqsRequested, gaveUpRetries: nack.gaveUpRetries, gaveUpDeadline: nack.gaveUpDeadline }
      : null,
    rtxSent: { packets: rtxResponder?.packetsSent ?? 0, bytes: rtxResponder?.bytesSent ?? 0, requestsIgnored: rtxResponder?.requestsIgnored ?? 0 },
    feedback: feedback.stats(),
    reverseChannel: reverse.stats(),
    rtt: { receiverMs: receiverAgent.rttMs(), senderMs: senderAgent.rttMs(), receiverSamples: receiverAgent.rttSamples },
    framesSuppressedDtx: sender.framesSuppressed,
    alignmentPadFrames: pad,
    adaptation: adapt?.result() ?? null,
  };
  rx.destroy();
  return run;
}
