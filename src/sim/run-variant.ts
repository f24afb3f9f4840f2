/**
 * One variant of a scenario in simulated time: sender → channel (A to B) → receiver, driven by
 * the discrete-event VirtualClock. The same Sender, Channel and Receiver classes run live; only
 * the clock and the I/O differ.
 */
import { Channel } from '../channel/channel.ts';
import type { ChannelConfig, Phase } from '../channel/config.ts';
import type { ChannelStats } from '../channel/types.ts';
import { VirtualClock } from '../core/clock.ts';
import type { JitterBufferMaker } from '../jitter-buffer/registry.ts';
import type { JitterBufferState } from '../jitter-buffer/types.ts';
import { Receiver, type PlcKind } from '../receiver/receiver.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import type { RecoveryStage } from '../recovery/types.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import { MediaSender, type RtpInit, type SendStage } from '../sender/media-sender.ts';
import { Series } from './growable.ts';
import { FRAME_OUTCOMES, type FrameOutcomeName, type PacketRecord } from './records.ts';

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
  sendStages?: SendStage[];
  recovery?: RecoveryStage[];
  /** Receives each emitted frame of audio after playout starts (e.g. a WAV writer). */
  onAudio?: (pcm: Int16Array) => void;
  /** Give the oracle buffer the realized arrival trace (offline bound). */
  needsTrace?: boolean;
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
  framesSuppressedDtx: number;
  /** Silent frames written before the first played frame, so degraded audio lines up with the reference. */
  alignmentPadFrames: number;
}

export const TICK_OPS = ['idle', 'normal', 'fec', 'expand', 'accelerate', 'preemptiveExpand', 'comfortNoise'] as const;

const TS_MOD = 0x100000000;

function newRecord(p: { kind: PacketRecord['kind']; seq: number; timestamp: number; frameIndex: number; bytes: Uint8Array }, sendMs: number): PacketRecord {
  return {
    kind: p.kind,
    seq: p.seq,
    timestamp: p.timestamp,
    frameIndex: p.frameIndex,
    sizeBytes: p.bytes.length,
    sendMs,
    arrivalMs: null,
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
  const ch = new Channel(input.channel, input.phases, { seed: input.seed, direction: 'aToB', slotMs: input.slotMs });
  const sender = new MediaSender(input.rtp, input.encoded.frameTs);
  const out: Array<{ timestamp: number; arrivalMs: number | null }> = [];
  for (let i = 0; i < input.totalFrames; i++) {
    const sendMs = (i + 1) * input.encoded.frameMs;
    for (const p of sender.packetsForFrame(i, input.encoded.payloads[i])) {
      const d = ch.send({ sendMs, sizeBytes: p.bytes.length, lane: p.lane });
      const first = d.deliveries.length ? Math.min(...d.deliveries.map((x) => x.arrivalMs)) : null;
      out.push({ timestamp: input.rtp.initialTimestamp + i * input.encoded.frameTs, arrivalMs: first });
    }
  }
  return out;
}

export function runVariant(input: VariantRunInput): VariantRun {
  const { encoded, totalFrames } = input;
  const frameMs = encoded.frameMs;
  const clock = new VirtualClock();
  const channel = new Channel(input.channel, input.phases, { seed: input.seed, direction: 'aToB', slotMs: input.slotMs });
  const sender = new MediaSender(input.rtp, encoded.frameTs, input.sendStages ?? []);
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

  const receiver = new Receiver({
    sampleRate: input.sampleRate,
    frameMs,
    mediaPayloadType: input.rtp.payloadType,
    jitterBuffer: input.jitterBuffer,
    plc: input.plc,
    useInbandFec: input.useInbandFec,
    recovery: input.recovery,
    trace: input.needsTrace ? realizedTrace(input) : null,
    events: {
      onFrame(extTs, outcome, origin, nowMs) {
        const idx = frameOfTs(extTs);
        if (idx < 0 || idx >= totalFrames) return;
        let name: FrameOutcomeName;
        if (outcome === 'normal') name = origin === 'primary' || origin === null ? 'normal' : origin;
        else name = outcome;
        if (firstFrame < 0) firstFrame = idx;
        frameOutcome[idx] = FRAME_OUTCOMES.indexOf(name);
        framePlayoutMs[idx] = nowMs;
        const rec = mediaByFrame[idx];
        if (rec && outcome === 'normal' && origin === 'primary') {
          rec.fate = 'played';
          rec.playoutMs = nowMs;
        }
      },
      onPacketDropped(extSeq, reason) {
        if (extSeq === null) return;
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
        if (pcm) {
          if (playoutStartMs === null) {
            playoutStartMs = nowMs;
            // Degraded audio starts at the first frame played; pad so that frame k sits at k frames.
            pad = Math.max(0, firstFrame);
            const silence = new Int16Array(pcm.length);
            for (let i = 0; i < pad; i++) input.onAudio?.(silence);
          }
          emitted += pcm.length;
          input.onAudio?.(pcm);
        }
      },
    },
  });

  const send = (i: number, sendMs: number): void => {
    for (const p of sender.packetsForFrame(i, encoded.payloads[i])) {
      const rec = newRecord(p, sendMs);
      packets.push(rec);
      if (p.kind === 'media') {
        mediaBySeq.set(p.seq, rec);
        mediaByFrame[i] = rec;
      }
      const d = channel.send({ sendMs, sizeBytes: p.bytes.length, lane: p.lane, payload: p.bytes });
      rec.queueDelayMs = d.queueDelayMs;
      if (!d.delivered) {
        rec.networkCause = d.cause;
        rec.fate = 'lost';
      }
      for (const del of d.deliveries) {
        if (del.duplicate) rec.duplicated = true;
        if (del.reordered) rec.reordered = true;
        if (del.corrupted) rec.corrupted = true;
        if (rec.arrivalMs === null || del.arrivalMs < rec.arrivalMs) rec.arrivalMs = del.arrivalMs;
        const bytes = del.payload ?? p.bytes;
        clock.schedule(del.arrivalMs, (t) => {
          const before = receiver.malformedPackets;
          receiver.onPacket(bytes, t);
          if (receiver.malformedPackets > before && rec.fate === 'pending') rec.fate = 'malformed';
        });
      }
    }
  };

  // Frame i is captured during [i F, (i+1) F) and sent when complete (packetization delay F).
  const scheduleSend = (i: number): void => {
    if (i >= totalFrames) return;
    clock.schedule((i + 1) * frameMs, (t) => {
      send(i, t);
      scheduleSend(i + 1);
    });
  };
  scheduleSend(0);

  // The receiver's audio device clock ticks every frame period, drifting by clockDriftPpm.
  const tickPeriod = frameMs * (1 + input.clockDriftPpm * 1e-6);
  const hardStopMs = totalFrames * frameMs + 30_000;
  let endMs = 0;
  const scheduleTick = (k: number): void => {
    clock.schedule(k * tickPeriod, (t) => {
      receiver.tick(t);
      endMs = t;
      if (receiver.slotsPlayed >= totalFrames || t > hardStopMs) return;
      scheduleTick(k + 1);
    });
  };
  scheduleTick(1);
  clock.run();

  for (const rec of packets) if (rec.fate === 'pending') rec.fate = 'unused';
  const counters = receiver.finalCounters();
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
    malformedPackets: receiver.malformedPackets,
    recoveredBy: { ...receiver.recoveredBy },
    framesSuppressedDtx: sender.framesSuppressed,
    alignmentPadFrames: pad,
  };
  receiver.destroy();
  return run;
}
