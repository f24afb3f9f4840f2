/**
 * Public interface of jitterlab's quality scores:
 * - parametric: ITU-T G.107 E-model (narrowband) and the G.107.1/G.107.2 wideband/fullband scales,
 *   call/window ratings with RFC 3611 MOS-CQ / MOS-LQ conventions, codec Ie/Bpl table;
 * - full-reference: ViSQOL v3 speech-mode port (exponential mapping) and sanity measures.
 */
export { rToMos, mosToR, R_SCALE_MAX, R_SCALE_DIVISOR, MOS_MIN, MOS_MAX, type EmodelBandwidth } from './r-mos.ts';
export {
  emodel,
  effectiveIe,
  withDefaults,
  G107_DEFAULTS,
  type EmodelInputs,
  type EmodelOptions,
  type EmodelResult,
} from './emodel.ts';
export {
  simplifiedEmodel,
  simplifiedDelayImpairment,
  coleRosenbluth,
  type SimplifiedResult,
} from './emodel-simplified.ts';
export { burstRFromLossSequence, fitTwoStateLoss, type LossTransitions } from './burst-ratio.ts';
export { CODEC_IMPAIRMENTS, findCodecImpairment, opusEmodelScale, opusImpairment, type CodecImpairment } from './codec-impairments.ts';
export {
  emodelForCall,
  emodelWindows,
  type CallRatingInput,
  type CallRating,
  type Rfc3611QualityFields,
  type EmodelWindow,
} from './emodel-call.ts';
export {
  visqolSpeech,
  type VisqolOptions,
  type VisqolResult,
  type VisqolPatchSimilarity,
} from './visqol/visqol.ts';
export { similarityToQuality, exponentialFit } from './visqol/similarity-to-quality.ts';
export { resample, type ResampleOptions } from './resample.ts';
export {
  estimateLag,
  alignedOverlap,
  levelOffsetDb,
  logSpectralDistance,
  segmentalSnrDb,
  type LagEstimate,
  type LsdOptions,
} from './sanity.ts';
export {
  scorePair,
  downmix,
  SCORE_SAMPLE_RATE,
  type AudioInput,
  type ScorePairOptions,
  type ScorePairResult,
} from './score-pair.ts';
