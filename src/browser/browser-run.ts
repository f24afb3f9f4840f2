/**
 * A browser call's outcome in the shape of our own variant runs (sim/run-variant.ts VariantRun):
 * the network side is the plan's (every packet's send and arrival), the receive side is the
 * browser's own counters (W3C, at the sample where its playout passed the last packet), its
 * timeline per stats interval, and its output cut into frame slots (stats-timeline.ts).
 */
import { JitterlabError } from '../core/errors.ts';
import { summarize, type Summary } from '../metrics/percentile.ts';
import { emptyCounters, type W3cInboundCounters } from '../receiver/w3c-counters.ts';
import { FRAME_OUTCOMES } from '../sim/records.ts';
import type { MeasuredPlayout, VariantRun } from '../sim/run-variant.ts';
import type { BrowserCallResult, TimedStatSample } from './browser-call.ts';
import { INBOUND_COUNTERS } from './page-api.ts';
import type { BrowserReceiverConfig } from './config.ts';
import type { ReleaseLateness } from './release-lateness.ts';
import type { ReleaseLog } from './realtime-release.ts';
import { BROWSER_OUTPUT_RATE, browserTimeline, distinctSamples, endOfCallIndex, outputSlots, playoutClock, type BrowserTimeline, type PlayoutClock } from './stats-timeline.ts';

/** What results.json says about how a browser variant ran (`browser` of that variant). */
export interface BrowserRunInfo {
  browserVersion: string;
  realtime: { applied: boolean; detail: string };
  /** Release lateness of the packets against their simulated arrival instants. */
  release: ReleaseLateness;
  /** The browser's own output held up (its audio thread stalled): jumps of its output's lag behind wall time. */
  playoutStalls: PlayoutClock;
  /**
   * False when packets left late (p99 above the limit) or the browser's output stalled: the
   * figures then describe the host's load as much as the browser.
   */
  trusted: boolean;
  /** Why not trusted (empty when trusted). */
  untrustedBecause: string[];
  connectMs: number;
  selectedCandidatePair: { local: string; remote: string } | null;
  statsIntervalMs: number;
  statsSamples: number;
  /** Sample rate of the browser's counters (its output rate). */
  outputRate: number;
  unsendablePackets: number;
  pageErrors: string[];
  capture: { samples48k: number; offsetMs: number; correlation: number } | null;
}

export interface BrowserLog {
  /** RTP sequence number of each released packet, in release order. */
  seq: Uint16Array;
  release: ReleaseLog;
  /** Every distinct getStats() sample, with its call time. */
  stats: TimedStatSample[];
}

export /** getStats() samples with playout below which a call says nothing. */
const MIN_SAMPLES = 3;

/** The counters of a browser sample that fill our W3C counters (the same names). */
export const W3C_KEYS: ReadonlyArray<keyof W3cInboundCounters> = INBOUND_COUNTERS;

export function countersOf(sample: TimedStatSample | undefined, plan: VariantRun): W3cInboundCounters {
  const c = emptyCounters();
  if (sample) for (const k of W3C_KEYS) c[k] = typeof sample[k] === 'number' ? sample[k] : 0;
  // Not W3C: duplicates are the network's doing, the same for every variant.
  c.packetsDuplicated = plan.counters.packetsDuplicated;
  return c;
}

/**
 * Delay distributions over the call, one value per frame emitted: each stats interval's mean
 * buffer wait (its levelMs), plus, for the playout delay, the mean network delay of the packets
 * that arrived when the interval's samples were inserted (interval time minus their wait).
 */
function measuredDelays(tl: BrowserTimeline, plan: VariantRun, frameSamples: number): { playout: Summary; buffer: Summary } {
  const arrivals = plan.packets.filter((p) => p.kind === 'media' && p.arrivalMs !== null).sort((a, b) => a.arrivalMs! - b.arrivalMs!);
  const jb: number[] = [];
  const po: number[] = [];
  let j = 0;
  let net = arrivals.length ? arrivals[0].arrivalMs! - arrivals[0].sendMs : 0;
  for (let i = 0; i < tl.tMs.length; i++) {
    const w = Math.round(tl.emitted[i] / frameSamples);
    if (w <= 0) continue;
    const insertedBy = tl.tMs[i] - tl.levelMs[i];
    let sum = 0;
    let n = 0;
    const from = (i > 0 ? tl.tMs[i - 1] : tl.tMs[i] - 20) - tl.levelMs[i];
    while (j < arrivals.length && arrivals[j].arrivalMs! <= insertedBy) {
      if (arrivals[j].arrivalMs! > from) {
        sum += arrivals[j].arrivalMs! - arrivals[j].sendMs;
        n++;
      }
      j++;
    }
    if (n) net = sum / n;
    for (let k = 0; k < w; k++) {
      jb.push(tl.levelMs[i]);
      po.push(tl.levelMs[i] + net);
    }
  }
  return { playout: summarize(po), buffer: summarize(jb) };
}

export function browserVariantRun(
  plan: VariantRun,
  call: BrowserCallResult,
  opts: { totalFrames: number; frameMs: number; lateness: ReleaseLateness; config: BrowserReceiverConfig; seqs: Uint16Array },
): VariantRun & { browser: BrowserRunInfo; measuredPlayout: MeasuredPlayout } {
  const stats = distinctSamples(call.stats);
  const end = endOfCallIndex(stats);
  if (end < MIN_SAMPLES) {
    throw new JitterlabError('io', `browser receiver: the call was too short to measure (the browser played ${end < 0 ? 'nothing' : `during ${end + 1} getStats() sample(s)`}; at least ${MIN_SAMPLES + 1} are needed)`);
  }
  const last = end >= 0 ? stats[end] : undefined;
  const rate = BROWSER_OUTPUT_RATE;
  const frameSamples = (rate * opts.frameMs) / 1000;
  const tl = browserTimeline(stats, end);
  const slots = outputSlots(stats, frameSamples, opts.totalFrames, end);
  const frameOutcome = new Uint8Array(opts.totalFrames);
  const framePlayoutMs = new Float64Array(opts.totalFrames).fill(Number.NaN);
  const NORMAL = FRAME_OUTCOMES.indexOf('normal');
  const CONCEALED = FRAME_OUTCOMES.indexOf('concealed');
  for (let k = 0; k < slots.concealed.length; k++) {
    frameOutcome[k] = slots.concealed[k] ? CONCEALED : NORMAL;
    framePlayoutMs[k] = slots.playoutMs[k];
  }
  const counters = countersOf(last, plan);
  const stalls = playoutClock(stats, opts.config.trustLimitStallMs, end);
  const untrusted: string[] = [];
  if (!opts.lateness.trusted) untrusted.push(`release lateness p99 ${opts.lateness.p99Ms} ms > ${opts.lateness.trustLimitP99Ms} ms`);
  if (stalls.stalls > 0) untrusted.push(`the browser's output stalled ${stalls.stalls} time(s), up to ${stalls.maxStallMs} ms`);
  const delays = measuredDelays(tl, plan, frameSamples);
  const firstPlay = stats.find((s) => (s.totalSamplesReceived ?? 0) > 0);
  // The browser, not our receiver, decided each delivered packet's fate.
  const packets = plan.packets.map((p) => (p.arrivalMs !== null ? { ...p, fate: 'delivered' as const, playoutMs: null } : p));
  return {
    ...plan,
    packets,
    frameOutcome,
    framePlayoutMs,
    timeline: { tMs: tl.tMs, targetDelayMs: tl.targetDelayMs, levelMs: tl.levelMs, op: tl.op },
    counters,
    playoutStartMs: firstPlay ? firstPlay.tMs : null,
    endMs: last ? last.tMs : 0,
    emittedSamples: counters.totalSamplesReceived,
    malformedPackets: 0,
    recoveredBy: { fec: 0, red: 0, parity: 0, rtx: 0 },
    recoveredLate: { red: 0, parity: 0, rtx: 0 },
    recovery: { red: null, parity: null, rtx: null },
    nack: null,
    rtt: { receiverMs: null, senderMs: null, receiverSamples: 0 },
    alignmentPadFrames: 0,
    adaptation: null,
    measuredPlayout: {
      effectiveLoss: counters.totalSamplesReceived ? counters.concealedSamples / counters.totalSamplesReceived : 0,
      lateDiscarded: counters.packetsDiscarded,
      playoutDelayMs: delays.playout,
      jitterBufferDelayMs: delays.buffer,
    },
    browserLog: { seq: opts.seqs, release: call.release, stats },
    browser: {
      browserVersion: call.browserVersion,
      realtime: call.realtime,
      release: opts.lateness,
      playoutStalls: stalls,
      trusted: untrusted.length === 0,
      untrustedBecause: untrusted,
      connectMs: Math.round(call.connectMs),
      selectedCandidatePair: call.selectedPair,
      statsIntervalMs: opts.config.statsIntervalMs,
      statsSamples: stats.length,
      outputRate: rate,
      unsendablePackets: call.unsendable,
      pageErrors: call.pageErrors,
      capture: null,
    },
  };
}
