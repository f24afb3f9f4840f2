/**
 * Aggregates of one variant run, derived from its per-packet and per-frame records by the small
 * functions of src/metrics (each tested on its own).
 */
import { lossRates, type FrameLossInput, type LossRates } from '../metrics/loss-rates.ts';
import { latencyBudget, type LatencyBudget } from '../metrics/latency-budget.ts';
import { summarize, type Summary } from '../metrics/percentile.ts';
import { lossRunLengths, rfc3611BurstGap, type BurstGapMetrics } from '../metrics/rfc3611-burst-gap.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import type { RecoveryStats } from '../recovery/types.ts';
import { FRAME_OUTCOMES } from './records.ts';
import type { VariantRun } from './run-variant.ts';

export interface NetworkAggregates {
  /** RTP packets A sent on the media path (media, FEC, RTX; RTCP is in byKind.rtcp). */
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
  /** Media packets that are RFC 4737 Type-P-Reordered within the media stream (the late ones). */
  reordered: number;
  corrupted: number;
  lossRate: number;
  /** One-way delay of delivered media packets (ms). */
  delayMs: Summary;
  /**
   * RFC 3550 section 6.4.1 / A.8 interarrival jitter (ms) as the receiver measures it, the same
   * figure as W3C `jitter`: every packet of the media stream that arrives and parses, duplicates
   * included, in arrival order (retransmissions, on their own SSRC, are not part of it), as
   * Wireshark's RTP stream analysis computes it.
   */
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

type Rec = VariantRun['packets'][number];
type AggregateParams = { frameMs: number; lookaheadMs: number; deviceBufferMs: number; overheadBytes: number; reverseOverheadBytes?: number };

// aggregateVariant runs once per run (per sweep point), so it is split into small single-pass
// functions: each compiles quickly and a first-seen branch deoptimizes only a small piece
// (in a sweep, every worker thread compiles all of this again).

/** One pass over every packet A sent: counts and bytes by kind, RED bytes, and the media packets. */
function packetTallies(packets: readonly Rec[], overheadBytes: number): { byKind: Record<Rec['kind'], KindCount>; redBytesSent: number; rtpPackets: number; rtpBytes: number; media: Rec[] } {
  const byKind: Record<Rec['kind'], KindCount> = {
    media: { packets: 0, bytes: 0, wireBytes: 0, lost: 0 },
    fec: { packets: 0, bytes: 0, wireBytes: 0, lost: 0 },
    rtx: { packets: 0, bytes: 0, wireBytes: 0, lost: 0 },
    rtcp: { packets: 0, bytes: 0, wireBytes: 0, lost: 0 },
  };
  const media: Rec[] = [];
  let redBytesSent = 0;
  for (let i = 0; i < packets.length; i++) {
    const r = packets[i];
    const k = byKind[r.kind];
    k.packets++;
    k.bytes += r.sizeBytes;
    if (r.arrivalMs === null) k.lost++;
    redBytesSent += r.redundantBytes;
    if (r.kind === 'media') media.push(r);
  }
  for (const k of Object.values(byKind)) k.wireBytes = k.bytes + k.packets * overheadBytes;
  const rtpPackets = byKind.media.packets + byKind.fec.packets + byKind.rtx.packets;
  const rtpBytes = byKind.media.bytes + byKind.fec.bytes + byKind.rtx.bytes;
  return { byKind, redBytesSent, rtpPackets, rtpBytes, media };
}

/** One pass over the media packets: what the network did to them, and their fate at B. */
function mediaTallies(media: readonly Rec[]) {
  const delivered: Rec[] = [];
  const delays: number[] = [];
  let queueDrops = 0;
  let outageDrops = 0;
  let duplicated = 0;
  let reordered = 0;
  let corrupted = 0;
  let late = 0;
  let discarded = 0;
  const lost: boolean[] = new Array(media.length);
  for (let i = 0; i < media.length; i++) {
    const r = media[i];
    lost[i] = r.arrivalMs === null;
    if (r.arrivalMs !== null) {
      delivered.push(r);
      delays.push(r.arrivalMs - r.sendMs);
    }
    if (r.networkCause === 'queue') queueDrops++;
    else if (r.networkCause === 'outage') outageDrops++;
    if (r.duplicated) duplicated++;
    if (r.reordered) reordered++;
    if (r.corrupted) corrupted++;
    if (r.fate === 'late') late++;
    else if (r.fate === 'discarded') discarded++;
  }
  return { delivered, delays, lost, queueDrops, outageDrops, duplicated, reordered, corrupted, late, discarded };
}

/** One pass over the frames of the call: how each was played, and the delays of those played from their own packet. */
function frameTallies(frameOutcome: Uint8Array, media: readonly Rec[]) {
  const nFrames = frameOutcome.length;
  const frames: FrameLossInput[] = new Array(nFrames);
  const mediaByFrame = new Map<number, Rec>();
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
    const o = frameOutcome[i];
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
  return { nFrames, frames, playoutDelays, jbDelays, playedNetDelays, postLoss, dtx, normal, concealed };
}

export function aggregateVariant(run: VariantRun, p: AggregateParams): VariantAggregates {
  const fb = run.feedback;
  const t = packetTallies(run.packets, p.overheadBytes);
  const byKind = t.byKind;
  const redBytesSent = t.redBytesSent;
  const mediaOwnWire = byKind.media.wireBytes - redBytesSent;
  const revOverhead = p.reverseOverheadBytes ?? p.overheadBytes;
  const media = t.media;
  const m = mediaTallies(media);
  const bytesSent = t.rtpBytes;
  const nPackets = t.rtpPackets;
  const network: NetworkAggregates = {
    packetsSent: nPackets,
    mediaPacketsSent: media.length,
    redundancyPacketsSent: nPackets - media.length,
    bytesSent,
    wireBytesSent: bytesSent + nPackets * p.overheadBytes,
    packetsReceived: m.delivered.length,
    lostInNetwork: media.length - m.delivered.length,
    queueDrops: m.queueDrops,
    outageDrops: m.outageDrops,
    duplicated: m.duplicated,
    reordered: m.reordered,
    corrupted: m.corrupted,
    lossRate: media.length ? (media.length - m.delivered.length) / media.length : 0,
    delayMs: summarize(m.delays),
    rfc3550JitterMs: run.counters.jitter * 1000,
    burstGap: rfc3611BurstGap(m.lost, p.frameMs),
    byKind,
    redBytesSent,
    redundancyOverhead: mediaOwnWire > 0 ? (redBytesSent + byKind.fec.wireBytes + byKind.rtx.wireBytes) / mediaOwnWire : 0,
    totalWireBytesSent: bytesSent + nPackets * p.overheadBytes + byKind.rtcp.wireBytes,
    reverse: {
      packetsSent: fb.reverse.packets,
      bytesSent: fb.reverse.bytes,
      wireBytesSent: fb.reverse.bytes + fb.reverse.packets * revOverhead,
      lost: fb.reverse.lost,
      nackPackets: fb.reverse.nackPackets,
      nackBytes: fb.reverse.nackBytes,
    },
  };

  const f = frameTallies(run.frameOutcome, media);
  const loss = lossRates(f.frames);
  const measured = run.measuredPlayout;
  if (measured) {
    // A receiver that measured its own playout (a real browser): its loss after the buffer is
    // its concealment; what FEC rebuilt is unknown to us, so loss after FEC is not given.
    loss.afterJitterBuffer = measured.effectiveLoss;
    loss.afterFec = Number.NaN;
  }
  const playout: PlayoutAggregates = {
    frames: f.nFrames,
    dtxFrames: f.dtx,
    framesNormal: f.normal,
    framesConcealed: f.concealed,
    lateDiscarded: measured ? measured.lateDiscarded : m.late,
    bufferDiscarded: m.discarded,
    recovered: { ...run.recoveredBy },
    recoveredLate: { ...run.recoveredLate },
    recovery: { ...run.recovery, nack: run.nack, rtxSent: run.rtxSent },
    rttMs: { receiver: run.rtt.receiverMs, sender: run.rtt.senderMs },
    loss,
    effectiveLoss: loss.afterJitterBuffer,
    concealmentRatio: run.counters.totalSamplesReceived ? run.counters.concealedSamples / run.counters.totalSamplesReceived : 0,
    burstGap: rfc3611BurstGap(f.postLoss, p.frameMs),
    lossBurstLengths: lossRunLengths(f.postLoss),
    playoutDelayMs: measured ? measured.playoutDelayMs : summarize(f.playoutDelays),
    jitterBufferDelayMs: measured ? measured.jitterBufferDelayMs : summarize(f.jbDelays),
    playoutStartMs: run.playoutStartMs,
  };
  const latency = latencyBudget({
    frameMs: p.frameMs,
    lookaheadMs: p.lookaheadMs,
    meanNetworkMs: !measured && f.playedNetDelays.length ? summarize(f.playedNetDelays).mean : network.delayMs.mean,
    meanJitterBufferMs: playout.jitterBufferDelayMs.mean,
    deviceBufferMs: p.deviceBufferMs,
  });
  return { network, playout, latency, w3c: run.counters };
}
