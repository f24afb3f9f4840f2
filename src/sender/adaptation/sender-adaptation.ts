/**
 * The sender's (A's) adaptation loop: it numbers outgoing packets (transport-wide sequence),
 * remembers when they left, and turns the feedback that comes back into codec settings.
 *
 * - transport-wide feedback (RTCP RTPFB FMT 15) → sent-packet matching → delay-based estimate;
 * - receiver reports (via SenderRtcpAgent's listener: fraction lost, RTT) → loss-based
 *   estimate, the RTT the rate control uses, and the FEC / expected-loss / RED decisions;
 * - estimate = min(loss-based, delay-based) → codec bitrate (CodecController).
 *
 * No clock is read: every call passes the time in.
 */
import type { CodecConfig } from '../../codec/config.ts';
import { readTransportSeq } from '../../rtp/header-extension.ts';
import { tryParseRtp } from '../../rtp/packet.ts';
import { tryParseRtcp } from '../../rtp/rtcp.ts';
import { BandwidthEstimator } from './bandwidth-estimator.ts';
import { CodecController, type CodecSettings } from './codec-controller.ts';
import type { AdaptationConfig } from './config.ts';
import { RateMeter } from './rate-meter.ts';
import { SentPacketHistory } from './sent-packet-history.ts';
import { TransportSequencer } from './transport-sequencer.ts';

/** RTP fixed header + the one-byte extension block holding the 2-byte transport seq (4 + 3 → 8). */
export const RTP_HEADER_WITH_TWCC_BYTES = 12 + 8;

export interface SenderAdaptationOptions {
  config: AdaptationConfig;
  codec: CodecConfig;
  /** Per-packet bytes the link adds (IP + UDP: channel.overheadBytes). */
  overheadBytes: number;
  /** sender.red generations, or null without RED. */
  redGenerations: number | null;
}

export interface ReportInput {
  /** Fraction lost since the previous report, 0..1. */
  fractionLost: number;
  rttMs: number | null;
}

export class SenderAdaptation {
  readonly sequencer: TransportSequencer;
  readonly estimator: BandwidthEstimator;
  readonly codec: CodecController;
  private readonly history = new SentPacketHistory();
  private readonly meter = new RateMeter(1000);
  twccPacketsReceived = 0;
  reportsReceived = 0;
  malformedFeedback = 0;

  constructor(private readonly o: SenderAdaptationOptions) {
    const cfg = o.config;
    this.sequencer = new TransportSequencer(cfg.transportCcId);
    this.codec = new CodecController(cfg, o.codec, RTP_HEADER_WITH_TWCC_BYTES + o.overheadBytes, o.redGenerations);
    const g = o.redGenerations ?? 0;
    const minBps = this.codec.wireKbpsFor(cfg.minKbps) * 1000;
    const maxBps = this.codec.wireKbpsFor(cfg.maxKbps) * 1000 * (1 + g);
    const startKbps = cfg.startKbps ?? this.codec.wireKbpsFor(Math.min(cfg.maxKbps, Math.max(cfg.minKbps, o.codec.bitrateKbps)));
    this.estimator = new BandwidthEstimator(cfg, startKbps * 1000, minBps, maxBps);
  }

  /** A packet (RTP or RTCP bytes) of this sender goes on the wire at `sendMs`. */
  onPacketSent(bytes: Uint8Array, sendMs: number): void {
    const wire = bytes.length + this.o.overheadBytes;
    this.meter.add(sendMs, wire);
    const p = tryParseRtp(bytes);
    if (!p.ok) return;
    const seq = readTransportSeq(p.packet, this.o.config.transportCcId);
    if (seq !== null) this.history.onSend(seq, sendMs, wire);
  }

  /** RTCP from the receiver carrying transport-wide feedback arrives at `nowMs`. */
  onFeedback(bytes: Uint8Array, nowMs: number): void {
    const parsed = tryParseRtcp(bytes);
    if (!parsed.ok) {
      this.malformedFeedback++;
      return;
    }
    for (const p of parsed.packets) {
      if (p.type !== 'twcc') continue;
      this.twccPacketsReceived++;
      const results = this.history.onFeedback(p);
      if (results.length === 0) continue;
      this.estimator.onTransportFeedback(results, nowMs);
      this.codec.onEstimate(this.estimator.estimateBps);
    }
  }

  /** A receiver report block about our stream (SenderRtcpAgent's listener). */
  onReceiverReport(r: ReportInput): void {
    this.reportsReceived++;
    this.estimator.onReceiverReport(r.fractionLost, r.rttMs);
    this.codec.onLoss(r.fractionLost);
    this.codec.onEstimate(this.estimator.estimateBps);
  }

  /** Codec settings to encode the next frame with. */
  get settings(): CodecSettings {
    return this.codec.settings;
  }

  /** What this sender put on the wire over the last second (kbit/s, with IP/UDP overhead). */
  sendRateKbps(nowMs: number): number {
    return this.meter.kbps(nowMs);
  }
}
