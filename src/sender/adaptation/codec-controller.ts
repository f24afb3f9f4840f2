/**
 * Codec control from the feedback: the bandwidth estimate (a wire rate) becomes the Opus target
 * bitrate after the per-packet overhead is taken off (and shared with RED's redundant copies when
 * RED is on), bounded to [minKbps, maxKbps] and changed only when the change is at least
 * `minChangeFraction` of the current value (re-tuning libopus for 1% buys nothing and churns its
 * mode decisions). The reported loss, smoothed, drives OPUS_SET_PACKET_LOSS_PERC and the in-band
 * FEC switch with hysteresis (on above `onAboveLoss`, off below `offBelowLoss`), and optionally RED.
 */
import type { CodecConfig } from '../../codec/config.ts';
import type { AdaptationConfig } from './config.ts';

export interface CodecSettings {
  bitrateKbps: number;
  fec: boolean;
  /** 0..1, what OPUS_SET_PACKET_LOSS_PERC gets (×100). */
  expectedLoss: number;
  /** RED on (only meaningful when sender.red is configured). */
  red: boolean;
}

/** RED header bytes per redundant block (RFC 2198 section 3: 4-byte block header). */
const RED_BLOCK_HEADER_BYTES = 4;

export class CodecController {
  private s: CodecSettings;
  private smoothedLoss: number | null = null;
  changes = 0;

  constructor(
    private readonly cfg: AdaptationConfig,
    private readonly codec: CodecConfig,
    /** Bytes per packet besides the Opus payload: RTP header + extension + IP/UDP. */
    private readonly overheadBytesPerPacket: number,
    /** sender.red generations, or null without RED. */
    private readonly redGenerations: number | null,
  ) {
    this.s = {
      bitrateKbps: clamp(codec.bitrateKbps, cfg.minKbps, cfg.maxKbps),
      fec: codec.fec,
      expectedLoss: codec.expectedLoss,
      red: redGenerations !== null,
    };
  }

  get settings(): CodecSettings {
    return { ...this.s };
  }

  get lossEstimate(): number | null {
    return this.smoothedLoss;
  }

  /** Wire rate (kbit/s) that carries `codecKbps` with this controller's packet overhead (no RED). */
  wireKbpsFor(codecKbps: number): number {
    return codecKbps + (this.overheadBytesPerPacket * 8) / this.codec.frameMs;
  }

  /** A new loss report (fraction 0..1): smoothed, then FEC / expected loss / RED with hysteresis. */
  onLoss(fraction: number): void {
    const a = this.cfg.fec.smoothing;
    this.smoothedLoss = this.smoothedLoss === null ? fraction : a * this.smoothedLoss + (1 - a) * fraction;
    const L = this.smoothedLoss;
    const f = this.cfg.fec;
    if (f.enabled) {
      if (!this.s.fec && L > f.onAboveLoss) this.s.fec = true;
      else if (this.s.fec && L < f.offBelowLoss) this.s.fec = false;
      this.s.expectedLoss = this.s.fec ? clamp(L, f.minExpectedLoss, f.maxExpectedLoss) : 0;
    }
    const r = this.cfg.red;
    if (r !== null && this.redGenerations !== null) {
      if (!this.s.red && L > r.onAboveLoss) this.s.red = true;
      else if (this.s.red && L < r.offBelowLoss) this.s.red = false;
    }
  }

  /** A new bandwidth estimate (wire bit/s): returns true when the codec bitrate changed. */
  onEstimate(estimateBps: number): boolean {
    const wireKbps = estimateBps / 1000;
    const headerKbps = (this.overheadBytesPerPacket * 8) / this.codec.frameMs;
    let payloadKbps = wireKbps - headerKbps;
    if (this.s.red && this.redGenerations !== null) {
      // Each packet carries the primary and `g` earlier frames plus their block headers.
      const g = this.redGenerations;
      payloadKbps = (payloadKbps - (g * RED_BLOCK_HEADER_BYTES * 8 + 8) / this.codec.frameMs) / (1 + g);
    }
    const target = clamp(payloadKbps, this.cfg.minKbps, this.cfg.maxKbps);
    const cur = this.s.bitrateKbps;
    const atBound = (target === this.cfg.minKbps || target === this.cfg.maxKbps) && target !== cur;
    if (Math.abs(target - cur) < this.cfg.minChangeFraction * cur && !atBound) return false;
    this.s.bitrateKbps = Math.round(target * 10) / 10;
    this.changes++;
    return true;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
