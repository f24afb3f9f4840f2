/**
 * One live receive path: RTP bytes from one source, through its own Channel (the simulator's
 * class, fed real send times) and its own Receiver (jitter buffer, Opus decoder, FEC, PLC, W3C
 * counters; the simulator's class), to one frame of audio per playout tick.
 *
 * Time: the channel and the receiver each see milliseconds since they were built (the channel's
 * slot-keyed draws and phase timeline start at 0 like a simulated call). A delivery is scheduled
 * on the timer wheel at its arrival time and handed to the receiver with that time; playout
 * ticks hand over their due time. Times given to the receiver never go backwards.
 *
 * What was never sent is not counted. The leg keeps a ledger of what its source sent
 * (sent-ledger.ts). A slot concealed beyond the newest frame sent waits: a later packet makes it
 * a loss, or (sequence numbers not spent) audio the source skipped; when the stream ends it was
 * the tail after the last frame, and the counters end where playout passed that frame, as an
 * offline call ends (Receiver.countersEndingAt). So the window, the E-model, the Prometheus
 * frame counters and the W3C counters count only frames of audio that was sent.
 *
 * The leg owns everything about one path and talks to the rest only through its methods and
 * the tap: it can move to a worker thread with its channel and receiver (issue 17).
 */
import { Channel } from '../channel/channel.ts';
import type { ChannelStats, Lane } from '../channel/types.ts';
import type { Clock } from '../core/clock.ts';
import { Receiver, type FrameOutcome } from '../receiver/receiver.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import { tsDiff } from '../rtp/wrap.ts';
import type { LegConfig } from './leg-config.ts';
import { LegWindow, type LegSnapshot } from './leg-window.ts';
import type { LiveMetrics, PathKind } from './live-metrics.ts';
import { LossTally } from './loss-tally.ts';
import { SentLedger } from './sent-ledger.ts';

export interface LegOptions {
  /** Payload type of the media (the receiver counts anything else as malformed). */
  payloadType: number;
  kind: PathKind;
  metrics: LiveMetrics;
  /** Clock time the path starts at (default: now); the channel's timeline counts from it. */
  originMs?: number;
  /** A delivered packet (after impairment), before the receiver: RTP forwarding. */
  onDelivered?(bytes: Uint8Array, atMs: number): void;
  /** Rewrites delivered bytes for the receiver (marker clean-up for third-party senders). */
  forReceiver?(bytes: Uint8Array): Uint8Array;
  /** Every packet the receiver gets, with its extended sequence state left to the caller (RTCP). */
  onReceived?(bytes: Uint8Array, atMs: number): void;
}

/** What a recording listens to (recorded-leg.ts). */
export interface LegTap {
  /** A media packet entered the channel (extended sequence number); whether the channel delivers it. */
  sent(extSeq: number, delivered: boolean): void;
  /** A delivery reached the receiver; whether it counted as a received packet (RFC 3550). */
  arrived(extSeq: number, counted: boolean): void;
  /** A played frame of audio the source sent, in playout order. */
  frame(concealed: boolean): void;
}

/** The leg's metric series, keyed once (the hot path increments plain numbers). */
function seriesOf(m: LiveMetrics, kind: PathKind) {
  const l = { kind };
  return {
    sent: m.packetsSent.handle(l),
    delivered: m.packetsDelivered.handle(l),
    lost: m.packetsLost.handle(l),
    queueDrops: m.queueDrops.handle(l),
    late: m.packetsLate.handle(l),
    played: m.framesPlayed.handle(l),
    concealed: m.concealedFrames.handle(l),
    concealmentEvents: m.concealmentEvents.handle(l),
    fec: m.fecFrames.handle(l),
  };
}

/** a + b for every numeric field (counters of successive channels or receivers of one leg). */
export function addCounts<T extends object>(a: T, b: T): T {
  const out = { ...a } as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    const x = out[k];
    if (typeof x === 'number' && typeof v === 'number') out[k] = x + v;
  }
  return out as T;
}

export interface DelaySums {
  delaySum: number;
  delayN: number;
  targetSum: number;
  targetN: number;
}

const RTP_CLOCK = 48000;
/** Slots waiting for the source beyond this (a minute of audio) are its tail: not sent. */
const MAX_PENDING = 3000;

export class LiveLeg {
  private channel: Channel;
  private receiver: Receiver;
  private chOrigin: number;
  private rxOrigin: number;
  private lastRxT = 0;
  private closed = false;
  private lastConcealmentEvents = 0;
  private readonly ledger: SentLedger;
  /** Concealed slots beyond the newest frame sent: [timestamp, clock time] pairs, oldest first. */
  private pendingTs: number[] = [];
  private pendingT: number[] = [];
  private pendingHead = 0;
  readonly window = new LegWindow();
  /** Frames of sent audio played (concealed or not), over the leg's life: the whole-stream E-model. */
  readonly loss = new LossTally();
  /** Concealed slots for audio the source never sent (skipped ranges, the tail at the end). */
  unsentFrames = 0;
  /** Sum and count of one-way network delays of delivered packets, and of the buffer target per played tick. */
  private delaySum = 0;
  private delayN = 0;
  private targetSum = 0;
  private targetN = 0;
  tap: LegTap | null = null;
  /** Ticks whose decode failed. */
  decodeErrors = 0;
  /** Deliveries scheduled on the clock and not yet handed to the receiver. */
  inFlight = 0;
  /** Counters of receivers and channels already replaced (settings changes), summed. */
  private retiredCounters: W3cInboundCounters | null = null;
  private retiredChannel: ChannelStats | null = null;
  private retiredFecUsed = 0;
  private readonly m: ReturnType<typeof seriesOf>;

  constructor(
    private readonly clock: Clock,
    private cfg: LegConfig,
    private readonly opts: LegOptions,
  ) {
    this.m = seriesOf(opts.metrics, opts.kind);
    const now = opts.originMs ?? clock.now();
    this.chOrigin = now;
    this.rxOrigin = now;
    this.ledger = new SentLedger((RTP_CLOCK * cfg.codec.frameMs) / 1000);
    this.channel = this.makeChannel();
    this.receiver = this.makeReceiver();
  }

  get config(): LegConfig {
    return this.cfg;
  }

  /** Clock time the current channel's timeline started (its phases count from it). */
  get channelOriginMs(): number {
    return this.chOrigin;
  }

  private makeChannel(): Channel {
    return new Channel(this.cfg.channel, this.cfg.phases, { seed: this.cfg.seed, direction: 'aToB', slotMs: this.cfg.slotMs });
  }

  private makeReceiver(): Receiver {
    const m = this.m;
    return new Receiver({
      sampleRate: this.cfg.codec.sampleRate,
      frameMs: this.cfg.codec.frameMs,
      mediaPayloadType: this.opts.payloadType,
      jitterBuffer: this.cfg.jitterBuffer,
      plc: this.cfg.plc,
      useInbandFec: this.cfg.fec,
      events: {
        onPacketDropped: (_seq, reason, t) => {
          if (reason === 'late' || reason === 'discarded') {
            m.late.value++;
            this.window.lateDiscard(t + this.rxOrigin);
          }
        },
        onFrame: (ts, outcome, _origin, t) => this.onFrame(ts, outcome, t + this.rxOrigin),
        onTick: (t, pcm, state) => {
          if (!pcm) return;
          this.window.tick(t + this.rxOrigin, state.targetDelayMs, state.levelMs);
          this.targetSum += state.targetDelayMs;
          this.targetN++;
        },
      },
    });
  }

  /** A packet from the source at clock time `nowMs`: through the channel, delivered later. */
  onRtp(bytes: Uint8Array, nowMs: number, lane: Lane = 'media'): void {
    if (this.closed) return;
    const m = this.m;
    const sendMs = Math.max(0, nowMs - this.chOrigin);
    const d = this.channel.send({ sendMs, sizeBytes: bytes.length, lane, payload: bytes });
    m.sent.value++;
    if (!d.delivered) {
      if (d.cause === 'queue') m.queueDrops.value++;
      else m.lost.value++;
    }
    let first: number | null = null;
    for (const x of d.deliveries) if (first === null || x.arrivalMs < first) first = x.arrivalMs;
    this.window.packet(nowMs, first === null ? null : first - sendMs);
    if (first !== null) {
      this.delaySum += first - sendMs;
      this.delayN++;
    }
    if (lane === 'media' && bytes.length >= 12) {
      const ext = this.ledger.sent((bytes[2] << 8) | bytes[3], ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0);
      this.tap?.sent(ext, d.deliveries.length > 0);
      this.settlePending();
    }
    const origin = this.chOrigin;
    for (const del of d.deliveries) {
      const payload = del.payload ?? bytes;
      this.inFlight++;
      this.clock.schedule(origin + del.arrivalMs, (at) => this.deliver(payload, at, lane));
    }
  }

  private deliver(bytes: Uint8Array, atMs: number, lane: Lane): void {
    if (this.closed) return;
    this.inFlight--;
    this.m.delivered.value++;
    this.opts.onDelivered?.(bytes, atMs);
    const rx = this.opts.forReceiver ? this.opts.forReceiver(bytes) : bytes;
    this.opts.onReceived?.(rx, atMs);
    const before = this.receiver.counters.packetsReceived;
    this.receiver.onPacket(rx, this.rxTime(atMs));
    if (this.tap && lane === 'media' && rx.length >= 12) this.tap.arrived(this.ledger.extSeqOf((rx[2] << 8) | rx[3]), this.receiver.counters.packetsReceived > before);
  }

  private rxTime(clockMs: number): number {
    const t = Math.max(this.lastRxT, clockMs - this.rxOrigin);
    this.lastRxT = t;
    return t;
  }

  /** A slot the receiver played: decoded and concealed frames of sent audio count, the rest waits or is left out. */
  private onFrame(extTs: number, outcome: FrameOutcome, t: number): void {
    if (outcome === 'dtx') return;
    if (outcome !== 'concealed') {
      this.settlePending();
      this.played(t, false, outcome === 'fec');
      return;
    }
    if (this.pendingHead === this.pendingTs.length && this.ledger.classify(extTs >>> 0) !== 'beyond') {
      this.settle(extTs >>> 0, t);
      return;
    }
    this.pendingTs.push(extTs >>> 0);
    this.pendingT.push(t);
    if (this.pendingTs.length - this.pendingHead > MAX_PENDING) {
      this.pendingHead++;
      this.unsentFrames++;
    }
  }

  private settle(ts: number, t: number): void {
    if (this.ledger.classify(ts) === 'sent') this.played(t, true, false);
    else this.unsentFrames++;
  }

  /** Pending slots the ledger can now judge (a later packet was sent), in playout order. */
  private settlePending(): void {
    while (this.pendingHead < this.pendingTs.length && this.ledger.classify(this.pendingTs[this.pendingHead]) !== 'beyond') {
      this.settle(this.pendingTs[this.pendingHead], this.pendingT[this.pendingHead]);
      this.pendingHead++;
    }
    if (this.pendingHead === this.pendingTs.length) {
      this.pendingTs = [];
      this.pendingT = [];
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024) {
      this.pendingTs = this.pendingTs.slice(this.pendingHead);
      this.pendingT = this.pendingT.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Pending slots that will never be sent (the stream ended, or its receiver was replaced). */
  private dropPending(): void {
    this.unsentFrames += this.pendingTs.length - this.pendingHead;
    this.pendingTs = [];
    this.pendingT = [];
    this.pendingHead = 0;
  }

  private played(t: number, concealed: boolean, fec: boolean): void {
    this.window.frame(t, concealed);
    this.loss.push(concealed);
    this.tap?.frame(concealed);
    this.m.played.value++;
    if (concealed) this.m.concealed.value++;
    if (fec) this.m.fec.value++;
  }

  /** One playout tick due at clock time `dueMs`: one frame, or null before playout starts. */
  tick(dueMs: number): Int16Array | null {
    if (this.closed) return null;
    let pcm: Int16Array | null;
    try {
      pcm = this.receiver.tick(this.rxTime(dueMs));
    } catch {
      // A payload libopus refuses (framing is checked at ingress; this is the last guard): the
      // frame is lost for this tick, the stream goes on.
      this.decodeErrors++;
      return null;
    }
    const ev = this.receiver.counters.concealmentEvents;
    if (ev > this.lastConcealmentEvents) this.m.concealmentEvents.value += ev - this.lastConcealmentEvents;
    this.lastConcealmentEvents = ev;
    return pcm;
  }

  get playoutStarted(): boolean {
    return this.receiver.playoutStarted;
  }

  /** 32-bit RTP timestamp of the newest frame the source sent, or null. */
  get lastSentTs(): number | null {
    return this.ledger.lastTs;
  }

  get packetsSent(): number {
    return this.ledger.packets;
  }

  /** Extended sequence numbers the source's packets span (RFC 3550 "expected"), 0 before the first. */
  get sequenceSpan(): number {
    return this.ledger.span;
  }

  /** Playout has moved past the newest frame sent: a stream that stopped sending can end here. */
  get playedPastLastFrame(): boolean {
    const next = this.receiver.nextPlayoutTs;
    const last = this.ledger.lastTs;
    return next !== null && last !== null && tsDiff(next, last) > 0;
  }

  /** The frame just played was for a slot after the newest frame sent (the tail, if the stream has stopped). */
  get playingBeyondLastFrame(): boolean {
    const next = this.receiver.nextPlayoutTs;
    const last = this.ledger.lastTs;
    return next !== null && last !== null && tsDiff(next, last) > this.ledger.frameTs;
  }

  /**
   * New settings: a new channel when the network changed, a new receiver when the receive side
   * changed (the buffer restarts its pre-roll). Packets in flight reach the new receiver. The
   * counters of what is replaced are kept, so the leg's totals run on across the change.
   */
  reconfigure(cfg: LegConfig): void {
    const prev = this.cfg;
    this.cfg = cfg;
    const now = this.clock.now();
    const channelChanged = JSON.stringify([prev.channel, prev.phases, prev.seed, prev.slotMs]) !== JSON.stringify([cfg.channel, cfg.phases, cfg.seed, cfg.slotMs]);
    if (channelChanged) {
      this.retiredChannel = this.retiredChannel ? addCounts(this.retiredChannel, this.channel.stats()) : this.channel.stats();
      this.chOrigin = now;
      this.channel = this.makeChannel();
    }
    const rxChanged =
      prev.jitterBuffer !== cfg.jitterBuffer ||
      JSON.stringify([prev.jitterBufferConfig, prev.plc, prev.fec, prev.codec]) !== JSON.stringify([cfg.jitterBufferConfig, cfg.plc, cfg.fec, cfg.codec]);
    if (rxChanged) {
      const old = this.settledCounters();
      this.retiredCounters = this.retiredCounters ? addCounts(this.retiredCounters, old) : old;
      this.retiredFecUsed += this.receiver.fecFramesUsed;
      this.dropPending();
      this.receiver.destroy();
      this.rxOrigin = now;
      this.lastRxT = 0;
      this.lastConcealmentEvents = 0;
      this.receiver = this.makeReceiver();
    }
  }

  /** The current receiver's counters, ending at the newest frame sent (see the file comment). */
  private settledCounters(): W3cInboundCounters {
    const last = this.ledger.lastTs;
    return last === null ? this.receiver.finalCounters() : this.receiver.countersEndingAt(last);
  }

  /** W3C counters of the current receiver (RFC 3550 loss and jitter included), of sent audio. */
  counters(): W3cInboundCounters {
    return this.settledCounters();
  }

  /** Counters summed over every receiver this leg has had (jitter: the current receiver's). */
  totalCounters(): W3cInboundCounters {
    const cur = this.settledCounters();
    if (!this.retiredCounters) return cur;
    return { ...addCounts(this.retiredCounters, cur), jitter: cur.jitter };
  }

  /** Frames played from Opus in-band FEC over every receiver of the leg. */
  get fecFramesUsed(): number {
    return this.retiredFecUsed + this.receiver.fecFramesUsed;
  }

  get jitterMs(): number {
    return this.receiver.jitterMs;
  }

  /** The current channel's statistics. */
  channelStats(): ChannelStats {
    return this.channel.stats();
  }

  /** Channel statistics summed over every channel this leg has had. */
  channelTotals(): ChannelStats {
    const cur = this.channel.stats();
    return this.retiredChannel ? addCounts(this.retiredChannel, cur) : cur;
  }

  /** Sums over the leg's life: one-way network delay of delivered packets, jitter-buffer target per played tick. */
  delaySums(): DelaySums {
    return { delaySum: this.delaySum, delayN: this.delayN, targetSum: this.targetSum, targetN: this.targetN };
  }

  snapshot(nowMs: number): LegSnapshot {
    return this.window.snapshot(nowMs, this.cfg.codec, this.cfg.deviceBufferMs);
  }

  /** The stream is over: what still waits beyond the newest frame was never sent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropPending();
    this.receiver.destroy();
  }
}
