/**
 * ViSQOL v3 speech-mode exponential mapping (google/visqol
 * `speech_similarity_to_quality_mapper.cc`, fit over the TCD-VoIP dataset):
 *   MOS = -262.847869 + exp(0.0154302525 (vnsim + 361.063949)),
 * multiplied by 1.245063 when scaled (ViSQOL's default, so that NSIM 1 maps to 5), clamped to
 * [1, 5]; vnsim < 0.15 forces MOS 1 (`visqol.cc` AlterForSimilarityExtremes).
 * ViSQOL holds the scale in a C++ float; we round it the same way (Math.fround).
 */

export const FIT_A = -262.847869;
export const FIT_B = 0.0154302525;
export const FIT_X0 = -361.063949;
export const FIT_SCALE = Math.fround(1.245063);
export const MIN_SIMILARITY = 0.15;

/** The raw exponential fit, no scaling or clamping. */
export function exponentialFit(vnsim: number): number {
  return FIT_A + Math.exp(FIT_B * (vnsim - FIT_X0));
}

/** MOS-LQO from vnsim (ViSQOL speech mode, lattice model off). */
export function similarityToQuality(vnsim: number, scaled = true): number {
  if (vnsim < MIN_SIMILARITY) return 1;
  const mos = exponentialFit(vnsim) * (scaled ? FIT_SCALE : 1);
  return Math.min(Math.max(mos, 1), 5);
}
