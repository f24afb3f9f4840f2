/**
 * Aggregates of one variant run, derived from its per-packet and per-frame records by the small
 * functions of src/metrics (each tested on its own).
 */
import { lossRates, type FrameLossInput, type LossRates } from '../metrics/loss-rates.ts';
import { latencyBudget, type LatencyBudget } from '../metrics/latency-budget.ts';
import { summarize, type Summary } from '../metrics/percentile.ts';
import { lossRunLengths, rfc3611BurstGap, type BurstGapMetrics } from '../metrics/rfc3611-burst-gap.ts';
import { rfc3550JitterOfTrace } from '../metrics/rfc3550-jitter.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import type { RecoveryStats } from '../recovery/types.ts';
import { FRAME_OUTCOMES } from './records.ts';
import type { VariantRun } from './run-variant.ts';

export interface NetworkAggregates {
  packetsSent: number;
  mediaPacketsSent: number;
  redundancyPacketsSent: number;
  bytesSent: number;
  /** Bytes on the wire including per-packet overhead (IP/UDP). */
  wireBytesSent: number;
  packetsReceived: number;
  lostInNetwork: number;
  queueDrops: number;
  outageDrops: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  lossRate: number;
  /** One-way delay of delivered media packets (ms). */
  delayMs: Summary;
  /** RFC 3550 interarrival jitter of media packets in arrival order (ms). */
  rfc3550JitterMs: number;
  /** RFC 3611 burst/gap metrics of network loss (Gmin 16). */
  burstGap: BurstGapMetrics;
  /** A→B per kind of packet: RTP media (RED-encapsulated when RED is on), parity FEC, RTX, RTCP sender reports. */
  byKind: { media: KindCount; fec: KindCount; rtx: KindCount; rtcp: KindCount };
  /** Bytes of RED redundancy (block headers + redundant blocks) inside the media packets. */
  redBytesSent: number;
  /** Redundancy on the wire (RED bytes, FEC and RTX packets with their per-packet overhead) over the media's own wire bytes. */
  redundancyOverhead: number;
  /** Everything A puts on the wire, RTCP included (bytes + per-packet overhead). */
  totalWireBytesSent: number;
  /** B→A: receiver reports and NACKs on the reverse channel. */
  reverse: { packetsSent: number; bytesSent: number; wireBytesSent: number; lost: number; nackPackets: number; nackBytes: number };
}

export interface KindCount {
  packets: number;
  bytes: number;
  /** bytes + per-packet overhead (IP/UDP). */
  wireBytes: number;
  /** Lost in the network (any cause). */
  lost: number;
}

export interface PlayoutAggregates {
  frames: number;
  dtxFrames: number;
  framesNormal: number;
  framesConcealed: number;
  lateDiscarded: number;
  bufferDiscarded: number;
  /** Frames each mechanism saved (played from it). */
  recovered: { fec: number; red: number; parity: number; rtx: number };
  /** Frames a mechanism rebuilt only after their playout time (too late to help). */
  recoveredLate: { red: number; parity: number; rtx: number };
  /** Per mechanism at the receiver: packets received (RED: redundant blocks), payload bytes, frames rebuilt; NACK list; RTX sent by A. */
  recovery: {
    red: RecoveryStats | null;
    parity: RecoveryStats | null;
    rtx: RecoveryStats | null;
    nack: VariantRun['nack'];
    rtxSent: VariantRun['rtxSent'];
  };
  /** Last RTT estimates (ms): at the receiver (RFC 3611 RRTR/DLRR) and at the sender (RFC 3550 LSR/DLSR). */
  rttMs: { receiver: number | null; sender: number | null };
  loss: LossRates;
  /** Effective loss = loss after the jitter buffer. */
  effectiveLoss: number;
  concealmentRatio: number;
  /** RFC 3611 burst/gap metrics of the post-recovery sequence (lost or discarded), Gmin 16. */
  burstGap: BurstGapMetrics;
  /** Lengths (frames) of every run of consecutive concealed frames. */
  lossBurstLengths: number[];
  /** Send to playout, frames played from their own packet (network + jitter buffer), ms. */
  playoutDelayMs: Summary;
  /** Arrival to playout (ms). */
  jitterBufferDelayMs: Summary;
  playoutStartMs: number | null;
}

export interface VariantAggregates {
  network: NetworkAggregates;
  playout: PlayoutAggregates;
  latency: LatencyBudget;
  w3c: W3cInboundCounters;
}

const IDX = Object.fromEntries(FRAME_OUTCOMES.map((n, i) => [n, i])) as Record<(typeof FRAME_OUTCOMES)[number], number>;

export function aggregateVariant(
  run: VariantRun,
  p: { frameMs: number; lookaheadMs: number; deviceBufferMs: number; overheadBytes: number; reverseOverheadBytes?: number; clockRate: number },
): VariantAggregates {
  const kind = (k: 'media' | 'fec' | 'rtx'): KindCount => {
    const rs = run.packets.filter((r) => r.kind === k);
    const bytes = rs.reduce((sum, r) => sum + r.sizeBytes, 0);
    return { packets: rs.length, bytes, wireBytes: bytes + rs.length * p.overheadBytes, lost: rs.filter((r) => r.arrivalMs === null).length };
  };
  const fb = run.feedback;
  const byKind = {
    media: kind('media'),
    fec: kind('fec'),
    rtx: kind('rtx'),
    rtcp: { packets: fb.forward.packets, bytes: fb.forward.bytes, wireBytes: fb.forward.bytes + fb.forward.packets * p.overheadBytes, lost: fb.forward.lost },
  };
  const redBytesSent = run.packets.reduce((sum, r) => sum + r.redundantBytes, 0);
  const mediaOwnWire = byKind.media.wireBytes - redBytesSent;
  const revOverhead = p.reverseOverheadBytes ?? p.overheadBytes;
  const media = run.packets.filter((r) => r.kind === 'media');
  const delivered = media.filter((r) => r.arrivalMs !== null);
  const net = run.channel;
  const delays = delivered.map((r) => r.arrivalMs! - r.sendMs);
  const byArrival = [...delivered].sort((a, b) => a.arrivalMs! - b.arrivalMs! || a.sendMs - b.sendMs);
  const jitterMs = rfc3550JitterOfTrace(
    byArrival.map((r) => ({ arrivalMs: r.arrivalMs!, timestamp: r.frameIndex * p.clockRate * (p.frameMs / 1000) })),
    p.clockRate,
  );
  const bytesSent = run.packets.reduce((s, r) => s + r.sizeBytes, 0);
  const network: NetworkAggregates = {
    packetsSent: run.packets.length,
    mediaPacketsSent: media.length,
    redundancyPacketsSent: run.packets.length - media.length,
    bytesSent,
    wireBytesSent: bytesSent + run.packets.length * p.overheadBytes,
    packetsReceived: delivered.length,
    lostInNetwork: media.length - delivered.length,
    queueDrops: media.filter((r) => r.networkCause === 'queue').length,
    outageDrops: media.filter((r) => r.networkCause === 'outage').length,
    duplicated: media.filter((r) => r.duplicated).length,
    reordered: media.filter((r) => r.reordered).length,
    corrupted: media.filter((r) => r.corrupted).length,
    lossRate: media.length ? (media.length - delivered.length) / media.length : 0,
    delayMs: summarize(delays),
    rfc3550JitterMs: jitterMs,
    burstGap: rfc3611BurstGap(
      media.map((r) => r.arrivalMs === null),
      p.frameMs,
    ),
    byKind,
    redBytesSent,
    redundancyOverhead: mediaOwnWire > 0 ? (redBytesSent + byKind.fec.wireBytes + byKind.rtx.wireBytes) / mediaOwnWire : 0,
    totalWireBytesSent: bytesSent + run.packets.length * p.overheadBytes + byKind.rtcp.wireBytes,
    reverse: {
      packetsSent: fb.reverse.packets,
      bytesSent: fb.reverse.bytes,
      wireBytesSent: fb.reverse.bytes + fb.reverse.packets * revOverhead,
      lost: fb.reverse.lost,
      nackPackets: fb.reverse.nackPackets,
      nackBytes: fb.reverse.nackBytes,
    },
  };

  const nFrames = run.frameOutcome.length;
  const frames: FrameLossInput[] = new Array(nFrames);
  const mediaByFrame = new Map<number, (typeof media)[number]>();
  for (const r of media) mediaByFrame.set(r.frameIndex, r);
  const playoutDelays: number[] = [];
  const jbDelays: number[] = [];
  // Network delay of the same frames: the budget's parts are means over one population (frames
  // played from their own packet), so network + jitter buffer = mean playout delay. Late packets
  // are never heard and must not add their delay to mouth-to-ear.
  const playedNetDelays: number[] = [];
  const postLoss: boolean[] = [];
  let dtx = 0;
  let normal = 0;
  let concealed = 0;
  for (let i = 0; i < nFrames; i++) {
    const o = run.frameOutcome[i];
    const rec = mediaByFrame.get(i);
    // A frame the sender never sent (DTX silence) is not loss, however the receiver filled it.
    const isDtx = rec === undefined;
    // run-variant records a sent frame played as comfort noise (its packet lost at a talkspurt
    // start) as 'concealed': it was lost to the listener.
    const wasConcealed = o === IDX.concealed || o === IDX.unplayed;
    const recovered = o === IDX.fec || o === IDX.red || o === IDX.parity || o === IDX.rtx;
    // A corrupted packet that failed to parse never reached the decoder: it did not arrive.
    const arrived = rec !== undefined && rec.arrivalMs !== null && rec.fate !== 'malformed';
    frames[i] = { arrived, recovered, concealed: wasConcealed && !isDtx, dtx: isDtx };
    if (isDtx) {
      dtx++;
      continue;
    }
    postLoss.push(wasConcealed);
    if (wasConcealed) concealed++;
    if (o === IDX.normal) {
      normal++;
      if (rec && rec.playoutMs !== null && rec.arrivalMs !== null) {
        playoutDelays.push(rec.playoutMs - rec.sendMs);
        jbDelays.push(rec.playoutMs - rec.arrivalMs);
        playedNetDelays.push(rec.arrivalMs - rec.sendMs);
      }
    }
  }
  const loss = lossRates(frames);
  const playout: PlayoutAggregates = {
    frames: nFrames,
    dtxFrames: dtx,
    framesNormal: normal,
    framesConcealed: concealed,
    lateDiscarded: media.filter((r) => r.fate === 'late').length,
    bufferDiscarded: media.filter((r) => r.fate === 'discarded').length,
    recovered: { ...run.recoveredBy },
    recoveredLate: { ...run.recoveredLate },
    recovery: { ...run.recovery, nack: run.nack, rtxSent: run.rtxSent },
    rttMs: { receiver: run.rtt.receiverMs, sender: run.rtt.senderMs },
    loss,
    effectiveLoss: loss.afterJitterBuffer,
    concealmentRatio: run.counters.totalSamplesReceived ? run.counters.concealedSamples / run.counters.totalSamplesReceived : 0,
    burstGap: rfc3611BurstGap(postLoss, p.frameMs),
    lossBurstLengths: lossRunLengths(postLoss),
    playoutDelayMs: summarize(playoutDelays),
    jitterBufferDelayMs: summarize(jbDelays),
    playoutStartMs: run.playoutStartMs,
  };
  const latency = latencyBudget({
    frameMs: p.frameMs,
    lookaheadMs: p.lookaheadMs,
    meanNetworkMs: playedNetDelays.length ? summarize(playedNetDelays).mean : network.delayMs.mean,
    meanJitterBufferMs: playout.jitterBufferDelayMs.mean,
    deviceBufferMs: p.deviceBufferMs,
  });
  return { network, playout, latency, w3c: run.counters };
}
