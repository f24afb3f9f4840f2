/**
 * E-model ratings of a call from network measurements (design of speech-quality.md section 7A):
 * Ta = mouth-to-ear delay, Ppl = (lost + late-discarded) / expected x 100, BurstR from the
 * post-jitter-buffer loss sequence, Ie/Bpl from the codec table.
 *
 * MOS-CQ and MOS-LQ follow the RFC 3611 section 4.7.5 conventions: MOS-CQ is conversational
 * quality (includes delay and echo, i.e. the full R), MOS-LQ listening quality (Id = 0).
 */
import { JitterlabError } from '../core/errors.ts';
import { burstRFromLossSequence } from './burst-ratio.ts';
import type { CodecImpairment } from './codec-impairments.ts';
import { emodel, type EmodelInputs, type EmodelResult } from './emodel.ts';
import { R_SCALE_DIVISOR, rToMos, type EmodelBandwidth } from './r-mos.ts';

export interface CallRatingInput {
  /** Rating scale; defaults to the codec entry's bandwidth and must match it when given. */
  bandwidth?: EmodelBandwidth;
  codecEntry: CodecImpairment;
  /** Mouth-to-ear delay Ta, ms (network + playout + packetization + codec lookahead). */
  mouthToEarMs: number;
  /** Packet-loss percentage 0..100, late discards included. */
  pplPercent: number;
  /** Burst ratio (1 = random). Default 1. */
  burstR?: number;
  /** Advantage factor A. Default 0. */
  advantage?: number;
  /**
   * When true (default) the echo path follows the delay, as for a VoIP call with a remote echo
   * source: T = Ta and Tr = 2 Ta; talker/listener echo are then controlled by TELR/WEPL (defaults
   * 65/110 dB, i.e. well-cancelled echo). When false, T = Tr = 0 (no echo path).
   */
  echoPathFollowsDelay?: boolean;
  /** Any other G.107 parameter (SLR, TELR, sT, mT, ...). Ie/Bpl/Ppl/BurstR/Ta come from above. */
  overrides?: Partial<EmodelInputs>;
}

/** RFC 3611 section 4.7.5 field values (integers, 127 = unavailable). */
export interface Rfc3611QualityFields {
  /** R on the 0..100 scale: wideband/fullband R is divided by 1.29/1.48 first (never mix scales). */
  rFactor: number;
  /** MOS-LQ x 10, 10..50. */
  mosLq: number;
  /** MOS-CQ x 10, 10..50. */
  mosCq: number;
}

export interface CallRating {
  bandwidth: EmodelBandwidth;
  /** Conversational R (full G.107 R on the bandwidth's scale). */
  R: number;
  mosCQ: number;
  /** Listening-quality R: Ro - Is - Ie,eff + A (Id = 0). */
  rLQ: number;
  mosLQ: number;
  IeEff: number;
  Id: number;
  /** Every intermediate of the conversational computation. */
  detail: EmodelResult;
  rfc3611: Rfc3611QualityFields;
  codec: { codec: string; condition: string; provisional: boolean; source: string };
}

function rfcMos(mos: number): number {
  if (!Number.isFinite(mos)) return 127;
  return Math.min(50, Math.max(10, Math.round(mos * 10)));
}

function rfcR(r: number, bandwidth: EmodelBandwidth): number {
  if (!Number.isFinite(r)) return 127;
  return Math.min(100, Math.max(0, Math.round(r / R_SCALE_DIVISOR[bandwidth])));
}

export function emodelForCall(input: CallRatingInput): CallRating {
  const entry = input.codecEntry;
  const bandwidth = input.bandwidth ?? entry.bandwidth;
  if (bandwidth !== entry.bandwidth) {
    throw new JitterlabError(
      'usage',
      `E-model: codec entry '${entry.codec}' is rated on the ${entry.bandwidth} scale but the ${bandwidth} scale was requested`,
    );
  }
  if (!(input.pplPercent >= 0 && input.pplPercent <= 100)) {
    throw new JitterlabError('usage', `E-model: pplPercent must be within 0..100, got ${input.pplPercent}`);
  }
  if (!(input.mouthToEarMs >= 0)) {
    throw new JitterlabError('usage', `E-model: mouthToEarMs must be >= 0, got ${input.mouthToEarMs}`);
  }
  const Ta = input.mouthToEarMs;
  const followEcho = input.echoPathFollowsDelay ?? true;
  const params: Partial<EmodelInputs> = {
    ...(input.overrides ?? {}),
    Ie: entry.Ie,
    Bpl: entry.Bpl,
    Ppl: input.pplPercent,
    BurstR: input.burstR ?? 1,
    Ta,
    T: followEcho ? Ta : 0,
    Tr: followEcho ? 2 * Ta : 0,
    A: input.advantage ?? input.overrides?.A ?? 0,
  };
  const detail = emodel(params, { bandwidth });
  const rLQ = detail.Ro - detail.Is - detail.IeEff + (params.A ?? 0);
  const mosCQ = detail.mos;
  const mosLQ = rToMos(rLQ, bandwidth);
  return {
    bandwidth,
    R: detail.R,
    mosCQ,
    rLQ,
    mosLQ,
    IeEff: detail.IeEff,
    Id: detail.Id,
    detail,
    rfc3611: { rFactor: rfcR(detail.R, bandwidth), mosLq: rfcMos(mosLQ), mosCq: rfcMos(mosCQ) },
    codec: { codec: entry.codec, condition: entry.condition, provisional: entry.provisional, source: entry.source },
  };
}

export interface EmodelWindow {
  startMs: number;
  endMs: number;
  frames: number;
  lost: number;
  pplPercent: number;
  burstR: number;
  R: number;
  mosCQ: number;
  rLQ: number;
  mosLQ: number;
}

/**
 * E-model ratings per window of a per-frame loss sequence (true = lost or discarded after the
 * jitter buffer). Windows hold round(windowMs / frameMs) frames; a shorter last window is kept.
 */
export function emodelWindows(
  lossSeq: readonly boolean[],
  frameMs: number,
  windowMs: number | undefined = 5000,
  delayMs: number,
  codec: CodecImpairment,
  /** Frames that count (false for sender DTX silence, which is not a packet); default all. */
  counted?: readonly boolean[],
): EmodelWindow[] {
  if (!(frameMs > 0) || !(windowMs > 0)) {
    throw new JitterlabError('usage', `E-model windows: frameMs and windowMs must be > 0 (got ${frameMs}, ${windowMs})`);
  }
  const perWindow = Math.max(1, Math.round(windowMs / frameMs));
  const out: EmodelWindow[] = [];
  for (let start = 0; start < lossSeq.length; start += perWindow) {
    const end = Math.min(lossSeq.length, start + perWindow);
    const slice = counted ? lossSeq.slice(start, end).filter((_, k) => counted[start + k]) : lossSeq.slice(start, end);
    const lost = slice.reduce((n, l) => n + (l ? 1 : 0), 0);
    const pplPercent = slice.length ? (100 * lost) / slice.length : 0;
    const burstR = slice.length > 1 ? burstRFromLossSequence(slice) : 1;
    const r = emodelForCall({ codecEntry: codec, mouthToEarMs: delayMs, pplPercent, burstR });
    out.push({
      startMs: start * frameMs,
      endMs: end * frameMs,
      frames: slice.length,
      lost,
      pplPercent,
      burstR,
      R: r.R,
      mosCQ: r.mosCQ,
      rLQ: r.rLQ,
      mosLQ: r.mosLQ,
    });
  }
  return out;
}
