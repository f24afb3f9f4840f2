/**
 * A variant's redundancy and recovery, built from its scenario settings on both ends (what SDP
 * would negotiate: RED and FEC payload types, RTX with its `apt`): the send stages (RED, XOR
 * parity), the RTX responder, and the receive-side recovery stages.
 */
import { JitterlabError } from '../core/errors.ts';
import { RngStream } from '../core/rng.ts';
import type { NackGenerator } from '../recovery/nack-generator.ts';
import { ParityRecoveryStage } from '../recovery/parity-stage.ts';
import { RedRecoveryStage } from '../recovery/red-stage.ts';
import { RtxRecoveryStage } from '../recovery/rtx-stage.ts';
import type { RecoveryStage } from '../recovery/types.ts';
import type { MediaSender, RtpInit, SendStage } from '../sender/media-sender.ts';
import { ParitySendStage } from '../sender/parity-stage.ts';
import { RedSendStage } from '../sender/red-stage.ts';
import { RtxResponder } from '../sender/rtx-responder.ts';

export interface RedundancyConfig {
  red: { generations: number; payloadType: number } | null;
  parityFec: { layout: 'row' | '2d'; L: number; D: number; payloadType: number } | null;
  rtx: { payloadType: number; historyMs: number };
  nack: { enabled: boolean; maxRetries: number; retryIntervalMs: number | null } | null;
}

/** SSRCs and first sequence numbers of the streams besides the media stream. */
export interface StreamIds {
  fecSsrc: number;
  fecInitialSeq: number;
  rtxSsrc: number;
  rtxInitialSeq: number;
  /** B's SSRC, the sender SSRC of its RTCP. */
  receiverSsrc: number;
}

/** Drawn from the seed (RFC 3550 section 8: random SSRCs), the same for every variant. */
export function streamIdsFor(seed: number, mediaSsrc: number): StreamIds {
  const s = new RngStream(seed, 'rtp.streams');
  const ssrc = (k: number): number => {
    // Distinct from the media SSRC and from each other (a collision would be an RFC 3550 8.2 loop).
    let v = Math.floor(s.at(k) * 0x100000000) >>> 0;
    for (let j = 1; v === mediaSsrc; j++) v = Math.floor(s.at(k, j) * 0x100000000) >>> 0;
    return v;
  };
  const fecSsrc = ssrc(0);
  let rtxSsrc = ssrc(1);
  if (rtxSsrc === fecSsrc) rtxSsrc = (rtxSsrc + 1) >>> 0;
  let receiverSsrc = ssrc(2);
  while (receiverSsrc === fecSsrc || receiverSsrc === rtxSsrc || receiverSsrc === mediaSsrc) receiverSsrc = (receiverSsrc + 1) >>> 0;
  return {
    fecSsrc,
    fecInitialSeq: Math.floor(s.at(3) * 65536),
    rtxSsrc,
    rtxInitialSeq: Math.floor(s.at(4) * 65536),
    receiverSsrc,
  };
}

export function nackEnabled(cfg: RedundancyConfig): boolean {
  return cfg.nack !== null && cfg.nack.enabled;
}

function checkPayloadTypes(cfg: RedundancyConfig, mediaPt: number): void {
  const used: Array<[string, number]> = [['sender.rtp.payloadType', mediaPt]];
  if (cfg.red) used.push(['sender.red.payloadType', cfg.red.payloadType]);
  if (cfg.parityFec) used.push(['sender.parityFec.payloadType', cfg.parityFec.payloadType]);
  if (nackEnabled(cfg)) used.push(['sender.rtx.payloadType', cfg.rtx.payloadType]);
  for (let i = 0; i < used.length; i++) {
    for (let j = 0; j < i; j++) {
      if (used[i][1] === used[j][1]) throw new JitterlabError('scenario', `${used[i][0]} ${used[i][1]} is also ${used[j][0]}: payload types must differ`);
    }
  }
}

/** Send stages in wire order: RED first (it re-encapsulates the media packet), then parity over what goes on the wire. */
export function buildSendStages(cfg: RedundancyConfig, rtp: RtpInit, ids: StreamIds): SendStage[] {
  checkPayloadTypes(cfg, rtp.payloadType);
  const stages: SendStage[] = [];
  if (cfg.red) stages.push(new RedSendStage(cfg.red));
  if (cfg.parityFec) stages.push(new ParitySendStage({ ...cfg.parityFec, ssrc: ids.fecSsrc, initialSeq: ids.fecInitialSeq }));
  return stages;
}

/** The RTX responder when the receiver uses NACK (RTX answers NACKs only). */
export function buildRtxResponder(cfg: RedundancyConfig, sender: MediaSender, ids: StreamIds, rttMs: () => number | null): RtxResponder | null {
  if (!nackEnabled(cfg)) return null;
  return new RtxResponder(sender, { payloadType: cfg.rtx.payloadType, ssrc: ids.rtxSsrc, initialSeq: ids.rtxInitialSeq, historyMs: cfg.rtx.historyMs, rttMs });
}

/** Receive-side stages matching the send side; `nack` is the receiver's NACK list (null when off). */
export function buildRecoveryStages(cfg: RedundancyConfig, rtp: RtpInit, nack: NackGenerator | null): RecoveryStage[] {
  const stages: RecoveryStage[] = [];
  if (cfg.red) stages.push(new RedRecoveryStage(cfg.red.payloadType, rtp.payloadType));
  if (cfg.parityFec) stages.push(new ParityRecoveryStage(cfg.parityFec.payloadType, rtp.ssrc));
  if (nack) {
    stages.push(
      new RtxRecoveryStage({
        rtxPayloadType: cfg.rtx.payloadType,
        associatedPayloadType: cfg.red ? cfg.red.payloadType : rtp.payloadType,
        mediaSsrc: rtp.ssrc,
        nack,
      }),
    );
  }
  return stages;
}
