/**
 * One live receive path: RTP bytes from one source, through its own Channel (the simulator's
 * class, fed real send times) and its own Receiver (jitter buffer, Opus decoder, FEC, PLC, W3C
 * counters; the simulator's class), to one frame of audio per playout tick.
 *
 * Time: the channel and the receiver each see milliseconds since they were built (the channel's
 * slot-keyed draws and phase timeline start at 0 like a simulated call). A delivery is scheduled
 * on the timer wheel at its arrival time and handed to the receiver with that time; playout
 * ticks hand over their due time. Times given to the receiver never go backwards.
 */
import { Channel } from '../channel/channel.ts';
import type { Lane } from '../channel/types.ts';
import type { Clock } from '../core/clock.ts';
import { Receiver } from '../receiver/receiver.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import type { LegConfig } from './leg-config.ts';
import { LegWindow, type LegSnapshot } from './leg-window.ts';
import type { LiveMetrics, PathKind } from './live-metrics.ts';

export interface LegOptions {
  /** Payload type of the media (the receiver counts anything else as malformed). */
  payloadType: number;
  kind: PathKind;
  metrics: LiveMetrics;
  /** A delivered packet (after impairment), before the receiver: RTP forwarding. */
  onDelivered?(bytes: Uint8Array, atMs: number): void;
  /** Rewrites delivered bytes for the receiver (marker clean-up for third-party senders). */
  forReceiver?(bytes: Uint8Array): Uint8Array;
  /** Every packet the receiver gets, with its extended sequence state left to the caller (RTCP). */
  onReceived?(bytes: Uint8Array, atMs: number): void;
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

export class LiveLeg {
  private channel: Channel;
  private receiver: Receiver;
  private chOrigin: number;
  private rxOrigin: number;
  private lastRxT = 0;
  private closed = false;
  private lastConcealmentEvents = 0;
  readonly window = new LegWindow();
  /** Called for every played (non-DTX) frame: concealed or not (recordings keep the sequence). */
  frameListener: ((concealed: boolean) => void) | null = null;
  /** Ticks whose decode failed. */
  decodeErrors = 0;
  /** Channel and receiver statistics of receivers already replaced (settings changes). */
  private readonly retired: W3cInboundCounters[] = [];
  private readonly m: ReturnType<typeof seriesOf>;

  constructor(
    private readonly clock: Clock,
    private cfg: LegConfig,
    private readonly opts: LegOptions,
  ) {
    this.m = seriesOf(opts.metrics, opts.kind);
    const now = clock.now();
    this.chOrigin = now;
    this.rxOrigin = now;
    this.channel = this.makeChannel();
    this.receiver = this.makeReceiver();
  }

  get config(): LegConfig {
    return this.cfg;
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
        onFrame: (_ts, outcome, _origin, t) => {
          if (outcome === 'dtx') return;
          this.window.frame(t + this.rxOrigin, outcome === 'concealed');
          this.frameListener?.(outcome === 'concealed');
          if (outcome === 'concealed') m.concealed.value++;
          if (outcome === 'fec') m.fec.value++;
        },
        onTick: (t, pcm, state) => {
          if (pcm) this.window.tick(t + this.rxOrigin, state.targetDelayMs, state.levelMs);
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
    const origin = this.chOrigin;
    for (const del of d.deliveries) {
      const payload = del.payload ?? bytes;
      this.clock.schedule(origin + del.arrivalMs, (at) => this.deliver(payload, at));
    }
  }

  private deliver(bytes: Uint8Array, atMs: number): void {
    if (this.closed) return;
    this.m.delivered.value++;
    this.opts.onDelivered?.(bytes, atMs);
    const rx = this.opts.forReceiver ? this.opts.forReceiver(bytes) : bytes;
    this.opts.onReceived?.(rx, atMs);
    this.receiver.onPacket(rx, this.rxTime(atMs));
  }

  private rxTime(clockMs: number): number {
    const t = Math.max(this.lastRxT, clockMs - this.rxOrigin);
    this.lastRxT = t;
    return t;
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
    if (pcm) this.m.played.value++;
    const ev = this.receiver.counters.concealmentEvents;
    if (ev > this.lastConcealmentEvents) this.m.concealmentEvents.value += ev - this.lastConcealmentEvents;
    this.lastConcealmentEvents = ev;
    return pcm;
  }

  get playoutStarted(): boolean {
    return this.receiver.playoutStarted;
  }

  /**
   * New settings: a new channel when the network changed, a new receiver when the receive side
   * changed (the buffer restarts its pre-roll). Packets in flight reach the new receiver.
   */
  reconfigure(cfg: LegConfig): void {
    const prev = this.cfg;
    this.cfg = cfg;
    const now = this.clock.now();
    const channelChanged = JSON.stringify([prev.channel, prev.phases, prev.seed, prev.slotMs]) !== JSON.stringify([cfg.channel, cfg.phases, cfg.seed, cfg.slotMs]);
    if (channelChanged) {
      this.chOrigin = now;
      this.channel = this.makeChannel();
    }
    const rxChanged =
      prev.jitterBuffer !== cfg.jitterBuffer ||
      JSON.stringify([prev.jitterBufferConfig, prev.plc, prev.fec, prev.codec]) !== JSON.stringify([cfg.jitterBufferConfig, cfg.plc, cfg.fec, cfg.codec]);
    if (rxChanged) {
      this.retired.push(this.receiver.finalCounters());
      this.receiver.destroy();
      this.rxOrigin = now;
      this.lastRxT = 0;
      this.lastConcealmentEvents = 0;
      this.receiver = this.makeReceiver();
    }
  }

  /** W3C counters of the current receiver (RFC 3550 loss and jitter included). */
  counters(): W3cInboundCounters {
    return this.receiver.finalCounters();
  }

  /** Counters summed over every receiver this leg has had. */
  totalCounters(): W3cInboundCounters {
    const cur = this.counters();
    const out = { ...cur };
    for (const r of this.retired) for (const k of Object.keys(out) as Array<keyof W3cInboundCounters>) if (k !== 'jitter') out[k] += r[k];
    return out;
  }

  get jitterMs(): number {
    return this.receiver.jitterMs;
  }

  channelStats(): ReturnType<Channel['stats']> {
    return this.channel.stats();
  }

  snapshot(nowMs: number): LegSnapshot {
    return this.window.snapshot(nowMs, this.cfg.codec, this.cfg.deviceBufferMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.receiver.destroy();
  }
}
