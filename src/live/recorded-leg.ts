/**
 * One leg (one speaker heard by one listener, or one RTP stream) in a recording, split into
 * periods at every settings change. A period holds the settings in force and what happened
 * under them: the channel's statistics and the W3C counters accumulated during it (differences
 * of the leg's running totals, which run on across a replaced channel or receiver), packet loss
 * by sequence number (period-loss.ts), the frames of sent audio played and concealed, and the
 * E-model over them. The leg's totals are the sums of its periods.
 */
import type { ChannelStats } from '../channel/types.ts';
import type { CodecConfig } from '../codec/config.ts';
import { summarize, type Summary } from '../metrics/percentile.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import { mosFromLoss, type LiveMos } from './emodel-live.ts';
import { effectiveSettings, type LegConfig } from './leg-config.ts';
import type { DelaySums, LiveLeg } from './leg.ts';
import type { LegSnapshot } from './leg-window.ts';
import { LossTally } from './loss-tally.ts';
import { PeriodLoss, type PeriodSequence } from './period-loss.ts';
import type { EffectiveSettings, MemberInfo } from './protocol.ts';

/** The W3C counters a recording adds up: all but jitter (a level, not a count), packetsLost (by period, below) and fecPacketsDiscarded (received - used: it falls when a held FEC packet is used). */
export type RecordedW3c = Omit<W3cInboundCounters, 'jitter' | 'fecPacketsDiscarded'>;

interface Totals {
  w3c: W3cInboundCounters;
  channel: ChannelStats;
  fecFramesUsed: number;
  unsentFrames: number;
  delay: DelaySums;
}

/** Where a period starts: clock time, position in the speaker's source audio, the channel's own origin. */
export interface PeriodStart {
  atMs: number;
  sourceMs: number;
}

export interface Period {
  startMs: number;
  sourceStartMs: number;
  endMs: number | null;
  sourceEndMs: number | null;
  config: LegConfig;
  channelOriginMs: number;
  start: Totals;
  end: Totals | null;
  tally: LossTally;
}

export interface PeriodResult {
  index: number;
  startS: number;
  endS: number;
  /** Where the period starts in the speaker's recorded source audio (the offline re-run's timeline). */
  sourceStartS: number;
  settings: EffectiveSettings;
  channel: ChannelStats;
  w3c: RecordedW3c & { packetsLost: number };
  sequence: PeriodSequence;
  fecFramesUsed: number;
  frames: { played: number; concealed: number; unsent: number };
  effectiveLossPct: number | null;
  networkDelayMs: number | null;
  jitterBufferTargetMs: number | null;
  emodel: LiveMos | null;
}

function totalsOf(leg: LiveLeg): Totals {
  return { w3c: leg.totalCounters(), channel: leg.channelTotals(), fecFramesUsed: leg.fecFramesUsed, unsentFrames: leg.unsentFrames, delay: leg.delaySums() };
}

function diff<T extends object>(a: T, b: T): T {
  const out = { ...b } as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    const x = (a as Record<string, unknown>)[k];
    if (typeof x === 'number' && typeof v === 'number') out[k] = v - x;
  }
  return out as T;
}

function recordedW3c(c: W3cInboundCounters): RecordedW3c {
  const { jitter: _j, fecPacketsDiscarded: _f, ...rest } = c;
  void _j;
  void _f;
  return rest;
}

function sum<T extends object>(rows: T[]): T {
  const out = { ...rows[0] } as Record<string, unknown>;
  for (const r of rows.slice(1)) for (const [k, v] of Object.entries(r)) if (typeof v === 'number') out[k] = (out[k] as number) + v;
  return out as T;
}

function nullable(s: Summary): Record<string, number | null> {
  const o: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(s) as Array<[string, number | null]>) o[k] = v !== null && Number.isFinite(v) ? v : null;
  return o;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export class RecordedLeg {
  readonly periods: Period[] = [];
  private readonly loss = new PeriodLoss();
  private readonly whole = new LossTally();
  private readonly windows = { net: [] as number[], target: [] as number[], level: [] as number[], mos: [] as number[] };
  private closed = false;

  constructor(
    readonly speaker: MemberInfo,
    private readonly leg: LiveLeg,
    at: PeriodStart,
    /** The speaker's encoder settings (the E-model's codec, the offline re-run's sender), read when the results are made. */
    private readonly codecOf: () => CodecConfig,
  ) {
    this.open(at);
    leg.tap = {
      sent: (ext, delivered) => this.loss.sent(ext, delivered),
      arrived: (ext, counted) => this.loss.arrived(ext, counted),
      frame: (concealed) => {
        this.whole.push(concealed);
        this.periods[this.periods.length - 1].tally.push(concealed);
      },
    };
  }

  private open(at: PeriodStart): void {
    this.periods.push({
      startMs: at.atMs,
      sourceStartMs: at.sourceMs,
      endMs: null,
      sourceEndMs: null,
      config: this.leg.config,
      channelOriginMs: this.leg.channelOriginMs,
      start: totalsOf(this.leg),
      end: null,
      tally: new LossTally(),
    });
  }

  private closeCurrent(at: PeriodStart): void {
    const p = this.periods[this.periods.length - 1];
    p.endMs = at.atMs;
    p.sourceEndMs = at.sourceMs;
    p.end = totalsOf(this.leg);
  }

  /** The leg's settings changed (call after the leg was reconfigured). */
  newPeriod(at: PeriodStart): void {
    if (this.closed) return;
    this.closeCurrent(at);
    this.loss.newPeriod();
    this.open(at);
  }

  /** The 500 ms statistics of the live charts, for the recording's distributions. */
  sample(s: LegSnapshot): void {
    if (this.closed) return;
    if (s.netDelayMs !== null) this.windows.net.push(s.netDelayMs);
    if (s.jbTargetMs !== null) this.windows.target.push(s.jbTargetMs);
    if (s.jbLevelMs !== null) this.windows.level.push(s.jbLevelMs);
    if (s.mos) this.windows.mos.push(s.mos.mosCQ);
  }

  /** The recording ends for this leg (it stopped, or the leg went away). */
  close(at: PeriodStart): void {
    if (this.closed) return;
    this.closeCurrent(at);
    this.closed = true;
    if (this.leg.tap) this.leg.tap = null;
  }

  get codec(): CodecConfig {
    return this.codecOf();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private periodResult(p: Period, i: number, t0: number): PeriodResult {
    const end = p.end!;
    const w3c = diff(p.start.w3c, end.w3c);
    const seq = this.loss.period(i);
    const d = diff(p.start.delay, end.delay);
    const net = d.delayN > 0 ? d.delaySum / d.delayN : null;
    const target = d.targetN > 0 ? d.targetSum / d.targetN : null;
    const cfg = p.config;
    return {
      index: i,
      startS: round((p.startMs - t0) / 1000),
      endS: round((p.endMs! - t0) / 1000),
      sourceStartS: round(p.sourceStartMs / 1000),
      settings: effectiveSettings(cfg),
      channel: diff(p.start.channel, end.channel),
      w3c: { ...recordedW3c(w3c), packetsLost: seq.lost },
      sequence: seq,
      fecFramesUsed: end.fecFramesUsed - p.start.fecFramesUsed,
      frames: { played: p.tally.frames, concealed: p.tally.lost, unsent: end.unsentFrames - p.start.unsentFrames },
      effectiveLossPct: p.tally.frames > 0 ? p.tally.pplPercent : null,
      networkDelayMs: net,
      jitterBufferTargetMs: target,
      emodel: mosFromLoss(p.tally, { codec: this.codecOf(), networkDelayMs: net ?? 0, jitterBufferMs: target ?? 0, deviceBufferMs: cfg.deviceBufferMs }),
    };
  }

  /** The leg's part of results.json; `t0` is the recording's start. */
  result(t0: number) {
    const periods = this.periods.filter((p) => p.end !== null).map((p, i) => this.periodResult(p, i, t0));
    const first = this.periods[0].start;
    const last = this.periods[this.periods.length - 1].end ?? first;
    const d = diff(first.delay, last.delay);
    const cfg = this.periods[this.periods.length - 1].config;
    const net = d.delayN > 0 ? d.delaySum / d.delayN : null;
    const target = d.targetN > 0 ? d.targetSum / d.targetN : null;
    return {
      speaker: this.speaker,
      preset: cfg.preset,
      buffer: cfg.bufferLabel,
      // The totals are the sums of the periods (counts only; see RecordedW3c).
      channel: sum(periods.map((p) => p.channel)),
      w3c: sum(periods.map((p) => p.w3c)),
      sequence: sum(periods.map((p) => p.sequence)),
      fecFramesUsed: periods.reduce((s, p) => s + p.fecFramesUsed, 0),
      jitterMsAtEnd: last.w3c.jitter * 1000,
      frames: sum(periods.map((p) => p.frames)),
      effectiveLossPct: this.whole.frames > 0 ? this.whole.pplPercent : null,
      networkDelayMs: net,
      jitterBufferTargetMs: target,
      emodel: mosFromLoss(this.whole, { codec: this.codecOf(), networkDelayMs: net ?? 0, jitterBufferMs: target ?? 0, deviceBufferMs: cfg.deviceBufferMs }),
      windows: {
        networkDelayMs: nullable(summarize(this.windows.net)),
        jitterBufferTargetMs: nullable(summarize(this.windows.target)),
        jitterBufferLevelMs: nullable(summarize(this.windows.level)),
        mosCq: nullable(summarize(this.windows.mos)),
      },
      periods,
    };
  }
}
