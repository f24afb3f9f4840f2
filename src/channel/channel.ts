/**
 * One direction of the simulated UDP path (channel-models.md section 9): a sans-I/O object
 * that takes packets with their send times and returns their fates.
 *
 * Per packet, in the order of section 9: 1 duplicate, 2 loss if ingress, 3 queue admission,
 * 4 serialise (t1), 5 loss if egress, 6 outage (drop, or hold until the link is back),
 * 7 t2 = t1 + base + flap + jitter (total path delay clamped at >= 0), 8 reorder (t2 = t1),
 * 9 order preserve (t2 = max(t2, previous t2)), 10 slot gating, 11 corrupt.
 *
 * Randomness (design-notes "Randomness"): one named sub-stream per impairment
 * (channel.<direction>.delay / .loss / .duplicate / .corrupt / .reorder / .outage / .slot), every
 * per-packet draw keyed by (slot, lane, ordinal within the slot for the lane, copy), every
 * per-slot process (jitter latent, loss chain) stepped once per slot from keyed draws. So the
 * network each media packet meets does not depend on what else the variant sends; only the
 * bottleneck queue, the FIFO order and slot-gating budgets are endogenous.
 *
 * When parameters are read: the loss section and the jitter correlation at the start of the
 * packet's slot (all packets of a slot share the loss state and the jitter latent); everything
 * else at the packet's send time, except outage and route flap, which are properties of the path
 * when the packet passes it and are read at t1 (= send time without a bottleneck).
 */
import { JitterlabError } from '../core/errors.ts';
import { RngStream } from '../core/rng.ts';
import type { ChannelConfig, Phase } from './config.ts';
import type { ChannelDecision, ChannelPacket, ChannelPath, ChannelStats, Delivery, DropCause } from './types.ts';
import { Ar1Latent, sideLatent } from './ar1-jitter.ts';
import { BottleneckLink, type LinkSettings } from './bottleneck-link.ts';
import { bitIndexOf, flipBit } from './corrupt.ts';
import { latentCorrelation } from './jitter-correlation.ts';
import { loadDistTable, standardJitterFromLatent, type DistTable } from './jitter-distribution.ts';
import { LossProcess, twoStateParams } from './loss-process.ts';
import { loadMahimahiTrace, type MahimahiTrace } from './mahimahi-trace.ts';
import { OutageProcess } from './outage.ts';
import { applyOverride, effectiveChannelConfig, phaseBoundariesMs, phasesForDirection, type Direction } from './phases.ts';
import { ReorderGate } from './reorder-gate.ts';
import { routeFlapOffsetMs } from './route-flap.ts';
import { SlotGate } from './slot-gating.ts';
import { laneCode, slotOf, SlotOrdinals } from './slot-clock.ts';

export interface ChannelOptions {
  /** The scenario seed. */
  seed: number;
  direction: Direction;
  /** Length of the time slot keying the exogenous draws (ms), normally the media packet time. */
  slotMs: number;
}

interface Streams {
  delay: RngStream;
  loss: RngStream;
  duplicate: RngStream;
  corrupt: RngStream;
  reorder: RngStream;
  outage: RngStream;
  slot: RngStream;
}

/** The named random sub-streams of one direction. */
export type ChannelImpairment = keyof Streams;

/** The stream name of one impairment of one direction, e.g. channel.aToB.loss. */
export function channelStreamName(direction: Direction, impairment: ChannelImpairment): string {
  return `channel.${direction}.${impairment}`;
}

export class Channel implements ChannelPath {
  private readonly phases: Phase[];
  private readonly slotMs: number;
  private readonly direction: Direction;
  private readonly s: Streams;
  private readonly ar: Ar1Latent;
  private readonly lossProc = new LossProcess();
  private readonly ordinals = new SlotOrdinals();
  private readonly link = new BottleneckLink();
  private readonly outage: OutageProcess;
  private readonly gate: SlotGate;
  private readonly reorder = new ReorderGate();
  private readonly tables = new Map<string, DistTable>();
  private readonly traces = new Map<string, MahimahiTrace>();
  private slotDone = -1;
  private slotCfg: ChannelConfig;
  private memoT = Number.NaN;
  private memoCfg: ChannelConfig;
  private lastSendMs = Number.NEGATIVE_INFINITY;
  /** Latest arrival among in-order deliveries (order: preserve). */
  private fifoArrival = Number.NEGATIVE_INFINITY;
  /** Latest arrival among all deliveries so far (for the reordered flag). */
  private maxArrival = Number.NEGATIVE_INFINITY;
  /** The last route(): why it dropped the copy, its queueing and path delays (fields, not a result object per packet). */
  private routeCause: DropCause = 'loss';
  private routeQueueDelayMs = 0;
  private routePathDelayMs = 0;
  private readonly st: ChannelStats = {
    sent: 0,
    delivered: 0,
    lost: 0,
    queueDrops: 0,
    outageDrops: 0,
    duplicated: 0,
    corrupted: 0,
    reordered: 0,
    bytesSent: 0,
  };

  constructor(
    private readonly config: ChannelConfig,
    phases: readonly Phase[],
    opts: ChannelOptions,
  ) {
    if (!(Number.isFinite(opts.slotMs) && opts.slotMs > 0)) throw new JitterlabError('internal', `channel: slotMs must be positive (got ${opts.slotMs})`);
    if (!Number.isFinite(opts.seed)) throw new JitterlabError('internal', `channel: bad seed ${opts.seed}`);
    if (opts.direction !== 'aToB' && opts.direction !== 'bToA') throw new JitterlabError('internal', `channel: bad direction ${String(opts.direction)}`);
    this.slotMs = opts.slotMs;
    this.direction = opts.direction;
    this.phases = phasesForDirection(phases, opts.direction);
    this.validate(config, 'channel');
    for (const p of this.phases) {
      if (!(Number.isFinite(p.atMs) && Number.isFinite(p.forMs) && p.forMs >= 0)) {
        throw new JitterlabError('scenario', `phase "${p.label}": bad time range (at ${p.atMs} ms, for ${p.forMs} ms)`);
      }
      // The phase's full values, and (for ramps) its switched non-numeric values over the base numbers.
      this.validate(applyOverride(config, p.set, 1), `phase "${p.label}"`);
      if (p.transition === 'linear') this.validate(applyOverride(config, p.set, 0), `phase "${p.label}" (ramp start)`);
    }
    const root = (k: keyof Streams) => new RngStream(opts.seed, channelStreamName(opts.direction, k));
    this.s = {
      delay: root('delay'),
      loss: root('loss'),
      duplicate: root('duplicate'),
      corrupt: root('corrupt'),
      reorder: root('reorder'),
      outage: root('outage'),
      slot: root('slot'),
    };
    this.ar = new Ar1Latent(this.s.delay);
    this.outage = new OutageProcess(this.s.outage, (t) => this.configAt(t), phaseBoundariesMs(this.phases));
    this.gate = new SlotGate(this.s.slot);
    this.slotCfg = config;
    this.memoCfg = config;
  }

  /** Checks a configuration that may come into force; loads its table and trace files. */
  private validate(c: ChannelConfig, where: string): void {
    if (c.replay !== null) throw new JitterlabError('scenario', `${where}: channel.replay is handled by the replay source`);
    try {
      twoStateParams(c.loss);
    } catch (e) {
      if (e instanceof JitterlabError) throw new JitterlabError(e.kind, `${where}: ${e.message}`);
      throw e;
    }
    if (c.delay.distribution === 'empirical') {
      const f = c.delay.tableFile;
      if (f === null) throw new JitterlabError('scenario', `${where}: delay.distribution "empirical" needs delay.tableFile`);
      if (!this.tables.has(f)) this.tables.set(f, loadDistTable(f));
    }
    // Calibrate the jitter's copula now (once per shape and process), not on a packet: live legs
    // send in real time.
    latentCorrelation(c.delay.distribution, c.delay.correlation, c.delay.distribution === 'empirical' ? this.tableOf(c.delay) : null);
    const tr = c.link.trace;
    if (tr !== null && !this.traces.has(tr.file)) this.traces.set(tr.file, loadMahimahiTrace(tr.file));
    const sl = c.link.slot;
    if (sl !== null) {
      const max = sl.maxMs ?? sl.minMs;
      if (max < sl.minMs) throw new JitterlabError('scenario', `${where}: link.slot.maxMs (${max}) is below minMs (${sl.minMs})`);
      if (!(max > 0)) throw new JitterlabError('scenario', `${where}: link.slot needs a positive maxMs or minMs`);
    }
  }

  /** The configuration in force at tMs for this direction. */
  configAt(tMs: number): ChannelConfig {
    if (this.phases.length === 0) return this.config;
    if (tMs !== this.memoT) {
      this.memoT = tMs;
      this.memoCfg = effectiveChannelConfig(this.config, this.phases, this.direction, tMs);
    }
    return this.memoCfg;
  }

  /** Step the per-slot processes (jitter latent, loss chains) up to `slot`. */
  private advanceSlots(slot: number): void {
    while (this.slotDone < slot) {
      const k = this.slotDone + 1;
      const c = this.configAt(k * this.slotMs);
      this.ar.step(k, this.latentRho(c.delay));
      this.lossProc.step(c.loss, this.s.loss.at1(k));
      this.slotDone = k;
      this.slotCfg = c;
    }
  }

  private rhoKey: { c: number; dist: string; table: DistTable | null } | null = null;
  private rho = 0;

  private tableOf(d: ChannelConfig['delay']): DistTable | null {
    return d.tableFile === null ? null : (this.tables.get(d.tableFile) ?? null);
  }

  /**
   * The latent AR(1) correlation behind the jitter: calibrated to the shape so that
   * `delay.correlation` is the jitter's own lag-1 correlation (jitter-correlation.ts).
   */
  private latentRho(d: ChannelConfig['delay']): number {
    const table = d.distribution === 'empirical' ? this.tableOf(d) : null;
    const k = this.rhoKey;
    if (k === null || k.c !== d.correlation || k.dist !== d.distribution || k.table !== table) {
      this.rho = latentCorrelation(d.distribution, d.correlation, table);
      this.rhoKey = { c: d.correlation, dist: d.distribution, table };
    }
    return this.rho;
  }

  private linkSettingsOf: ChannelConfig | null = null;
  private cachedLinkSettings: LinkSettings | null = null;

  /** The bottleneck's settings in `c` (kept for the last configuration: they are read per packet). */
  private linkSettings(c: ChannelConfig): LinkSettings {
    if (c === this.linkSettingsOf && this.cachedLinkSettings) return this.cachedLinkSettings;
    const tr = c.link.trace;
    this.linkSettingsOf = c;
    this.cachedLinkSettings = {
      rateKbps: c.link.rateKbps,
      cellBytes: c.link.cellBytes,
      cellOverheadBytes: c.link.cellOverheadBytes,
      overheadBytes: c.overheadBytes,
      limitPackets: c.link.queue.limitPackets,
      limitBytes: c.link.queue.limitBytes,
      trace: tr === null ? null : (this.traces.get(tr.file) ?? null),
      traceLoop: tr === null ? true : tr.loop,
    };
    return this.cachedLinkSettings;
  }

  send(packet: ChannelPacket): ChannelDecision {
    const t = packet.sendMs;
    if (!Number.isFinite(t) || t < 0) throw new JitterlabError('internal', `channel: sendMs must be a finite time >= 0 (got ${t})`);
    if (t < this.lastSendMs) throw new JitterlabError('internal', `channel: send times must not decrease (${t} after ${this.lastSendMs})`);
    if (!(Number.isFinite(packet.sizeBytes) && packet.sizeBytes >= 0)) throw new JitterlabError('internal', `channel: bad sizeBytes ${packet.sizeBytes}`);
    this.lastSendMs = t;
    const slot = slotOf(t, this.slotMs);
    this.advanceSlots(slot);
    const lane = laneCode(packet.lane);
    const ord = this.ordinals.next(slot, lane);
    const cfg = this.configAt(t);
    this.outage.prune(t);
    this.gate.prune(t);

    const prevMax = this.maxArrival;
    // 1. duplicate: decided first; the copy then takes every later step on its own draws.
    const dup = cfg.duplicate.prob > 0 && this.s.duplicate.at(slot, lane, ord) < cfg.duplicate.prob;
    const orig = this.route(packet, cfg, slot, lane, ord, 0, prevMax);
    const cause = orig === null ? this.routeCause : null;
    const queueDelayMs = this.routeQueueDelayMs;
    const pathDelayMs = this.routePathDelayMs;
    const deliveries: Delivery[] = [];
    if (orig !== null) deliveries.push(orig);
    if (dup) {
      const copy = this.route(packet, cfg, slot, lane, ord, 1, prevMax);
      if (copy !== null) deliveries.push(copy);
    }
    for (const d of deliveries) {
      if (d.arrivalMs > this.maxArrival) this.maxArrival = d.arrivalMs;
      if (d.corrupted) this.st.corrupted++;
      if (d.reordered) this.st.reordered++;
    }
    this.st.sent++;
    this.st.bytesSent += packet.sizeBytes;
    if (dup) this.st.duplicated++;
    if (cause === null) this.st.delivered++;
    else if (cause === 'loss') this.st.lost++;
    else if (cause === 'queue') this.st.queueDrops++;
    else if (cause === 'outage') this.st.outageDrops++;
    return { delivered: cause === null, cause, deliveries, slot, queueDelayMs, pathDelayMs };
  }

  /** A dropped copy: its cause and delays go to the route fields. */
  private dropped(cause: DropCause, queueDelayMs: number): null {
    this.routeCause = cause;
    this.routeQueueDelayMs = queueDelayMs;
    this.routePathDelayMs = 0;
    return null;
  }

  /**
   * Steps 2-11 for one copy (0 = original, 1 = duplicate): its delivery, or null when it is
   * dropped (routeCause says why). routeQueueDelayMs and routePathDelayMs hold its delays.
   */
  private route(pkt: ChannelPacket, cfg: ChannelConfig, slot: number, lane: number, ord: number, copy: number, prevMax: number): Delivery | null {
    const send = pkt.sendMs;
    const loss = this.slotCfg.loss;
    const lost = loss.model !== 'none' && this.lossProc.lost(loss, this.s.loss.at4(slot, lane, ord, copy));
    // 2. loss before the bottleneck (netem).
    if (lost && loss.position === 'ingress') return this.dropped('loss', 0);
    // 3-4. queue admission and serialisation.
    const adm = this.link.admit(send, pkt.sizeBytes, this.linkSettings(cfg));
    if (!adm.admitted) return this.dropped('queue', 0);
    let t1 = adm.exitMs;
    const queueDelayMs = t1 - send;
    // 5. loss after the bottleneck (WebRTC): the packet used capacity.
    if (lost) return this.dropped('loss', queueDelayMs);
    // 6. outage at the time the packet reaches the path.
    if (this.outage.isDown(t1)) {
      const o = this.configAt(t1).outage;
      if (o === null || o.action === 'drop') return this.dropped('outage', queueDelayMs);
      const up = this.outage.upAt(t1);
      if (up === Infinity) return this.dropped('outage', queueDelayMs);
      t1 = up;
    }
    // 7. propagation + route flap + jitter.
    const d = cfg.delay;
    let jitter = 0;
    if (d.jitterMs > 0) {
      let z = this.ar.value;
      if (copy !== 0) z = sideLatent(z, this.latentRho(this.slotCfg.delay), this.s.delay.normalAt(slot, lane, ord, copy));
      const table = this.tableOf(d);
      jitter = d.jitterMs * standardJitterFromLatent(d.distribution, z, table);
    }
    const flap = routeFlapOffsetMs(this.configAt(t1).routeFlap, t1);
    const pathDelayMs = Math.max(0, d.baseMs + flap + jitter);
    let t2 = t1 + pathDelayMs;
    // 8. explicit reorder: skips the delay and jumps the FIFO (netem puts it at the head).
    const jumped = this.reorder.decide(lane, cfg.reorder.prob, cfg.reorder.gap, this.s.reorder.at4(slot, lane, ord, copy));
    if (jumped) t2 = t1;
    // 9. FIFO order for the packets that did not jump.
    else if (d.order === 'preserve') t2 = Math.max(t2, this.fifoArrival);
    // 10. netem slot gating.
    if (cfg.link.slot !== null) t2 = this.gate.release(t2, adm.wireBytes, cfg.link.slot);
    if (!jumped && t2 > this.fifoArrival) this.fifoArrival = t2;
    // 11. corrupt one bit of a copy of the payload.
    let corrupted = false;
    let payload = pkt.payload;
    if (cfg.corrupt.prob > 0 && this.s.corrupt.at4(slot, lane, ord, copy) < cfg.corrupt.prob) {
      const len = pkt.payload ? pkt.payload.length : pkt.sizeBytes;
      if (len > 0) {
        corrupted = true;
        if (pkt.payload) payload = flipBit(pkt.payload, bitIndexOf(this.s.corrupt.at(slot, lane, ord, copy, 1), len));
      }
    }
    this.routeQueueDelayMs = queueDelayMs;
    this.routePathDelayMs = pathDelayMs;
    const delivery: Delivery = { arrivalMs: t2, duplicate: copy !== 0, corrupted, reordered: t2 < prevMax };
    if (payload !== undefined) delivery.payload = payload;
    return delivery;
  }

  stats(): ChannelStats {
    return { ...this.st };
  }
}
