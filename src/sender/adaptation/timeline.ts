/**
 * The adaptation timeline of one variant, sampled every `intervalMs`: what the sender estimated,
 * what it sent, what the path could carry and what it did to the packets, and the codec
 * settings in force. Columns (one array per field) keep results.json compact.
 */
import type { BandwidthUsage } from './overuse-detector.ts';

export interface AdaptationSample {
  tMs: number;
  /** Combined estimate, loss-based and delay-based estimates, acknowledged rate (kbit/s, wire). */
  estimateKbps: number;
  lossBasedKbps: number;
  delayBasedKbps: number;
  ackedKbps: number | null;
  /** What the sender put on the wire over the last second (kbit/s, with IP/UDP overhead). */
  sendRateKbps: number;
  /** Bottleneck rate at this time (channel config / phases); null = unlimited. */
  capacityKbps: number | null;
  /** Largest bottleneck queueing delay of the packets sent since the previous sample (ms). */
  queueDelayMs: number;
  /** Share of this sender's packets sent since the previous sample that the network dropped. */
  networkLoss: number;
  /** Last fraction lost a receiver report gave the sender (null before the first). */
  reportedLoss: number | null;
  rttMs: number | null;
  codecBitrateKbps: number;
  fec: boolean;
  expectedLossPct: number;
  red: boolean;
  usage: BandwidthUsage;
  /** Delay-gradient trend m(i) and the over-use threshold (ms, gcc-02 5.3 / 5.4). */
  trendMs: number;
  thresholdMs: number;
  crossTrafficKbps: number;
}

export interface AdaptationTimelineJson {
  intervalMs: number;
  usages: BandwidthUsage[];
  tMs: number[];
  estimateKbps: number[];
  lossBasedKbps: number[];
  delayBasedKbps: number[];
  ackedKbps: (number | null)[];
  sendRateKbps: number[];
  capacityKbps: (number | null)[];
  queueDelayMs: number[];
  networkLoss: number[];
  reportedLoss: (number | null)[];
  rttMs: (number | null)[];
  codecBitrateKbps: number[];
  fec: number[];
  expectedLossPct: number[];
  red: number[];
  usage: number[];
  trendMs: number[];
  thresholdMs: number[];
  crossTrafficKbps: number[];
  summary: AdaptationSummary;
}

export interface AdaptationSummary {
  samples: number;
  meanCodecBitrateKbps: number | null;
  minCodecBitrateKbps: number | null;
  fecOnShare: number;
  redOnShare: number;
  codecChanges: number;
  twccFeedbackReceived: number;
  receiverReportsReceived: number;
  crossTrafficPackets: number;
}

const USAGES: BandwidthUsage[] = ['normal', 'overusing', 'underusing'];
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r3n = (x: number | null): number | null => (x === null ? null : r3(x));

export class AdaptationTimeline {
  readonly samples: AdaptationSample[] = [];

  constructor(readonly intervalMs: number) {}

  add(s: AdaptationSample): void {
    this.samples.push(s);
  }

  toJson(extra: { codecChanges: number; twccFeedbackReceived: number; receiverReportsReceived: number; crossTrafficPackets: number }): AdaptationTimelineJson {
    const s = this.samples;
    const col = <T>(f: (x: AdaptationSample) => T): T[] => s.map(f);
    const rates = s.map((x) => x.codecBitrateKbps);
    return {
      intervalMs: this.intervalMs,
      usages: [...USAGES],
      tMs: col((x) => r3(x.tMs)),
      estimateKbps: col((x) => r3(x.estimateKbps)),
      lossBasedKbps: col((x) => r3(x.lossBasedKbps)),
      delayBasedKbps: col((x) => r3(x.delayBasedKbps)),
      ackedKbps: col((x) => r3n(x.ackedKbps)),
      sendRateKbps: col((x) => r3(x.sendRateKbps)),
      capacityKbps: col((x) => r3n(x.capacityKbps)),
      queueDelayMs: col((x) => r3(x.queueDelayMs)),
      networkLoss: col((x) => r3(x.networkLoss)),
      reportedLoss: col((x) => r3n(x.reportedLoss)),
      rttMs: col((x) => r3n(x.rttMs)),
      codecBitrateKbps: col((x) => r3(x.codecBitrateKbps)),
      fec: col((x) => (x.fec ? 1 : 0)),
      expectedLossPct: col((x) => r3(x.expectedLossPct)),
      red: col((x) => (x.red ? 1 : 0)),
      usage: col((x) => USAGES.indexOf(x.usage)),
      trendMs: col((x) => r3(x.trendMs)),
      thresholdMs: col((x) => r3(x.thresholdMs)),
      crossTrafficKbps: col((x) => r3(x.crossTrafficKbps)),
      summary: {
        samples: s.length,
        meanCodecBitrateKbps: s.length ? r3(rates.reduce((a, b) => a + b, 0) / s.length) : null,
        minCodecBitrateKbps: s.length ? Math.min(...rates) : null,
        fecOnShare: s.length ? r3(s.filter((x) => x.fec).length / s.length) : 0,
        redOnShare: s.length ? r3(s.filter((x) => x.red).length / s.length) : 0,
        ...extra,
      },
    };
  }
}
