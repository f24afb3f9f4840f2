/**
 * ViSQOL v3 speech mode (exponential mapping, lattice model off): a port of the pipeline of
 * google/visqol `visqol_manager.cc` + `visqol.cc`, written from its behaviour:
 *
 * 1. global alignment of the degraded signal on Hilbert-style envelopes (`envelope-alignment.ts`);
 * 2. degraded level scaled to the reference's RMS (via ViSQOL's SPL in dB re 20 uPa);
 * 3. 21-band gammatone spectrograms (`spectrogram.ts`), dB floors;
 * 4. reference patches from an RMS VAD (`patch-creator.ts`);
 * 5. DP patch matching + per-patch time-domain re-alignment (`patch-selector.ts`);
 * 6. NSIM per patch and band (`nsim.ts`); fvnsim = per-band mean over patches, vnsim = mean;
 * 7. MOS from vnsim (`similarity-to-quality.ts`).
 *
 * `visqolSpeech` works at the sample rate it is given (ViSQOL itself never resamples; its README
 * recommends 16 kHz for speech). Use `scorePair` for the resampled, production path.
 */
import { JitterlabError } from '../../core/errors.ts';
import { globallyAlign } from './envelope-alignment.ts';
import { GammatoneFilterbank } from './gammatone.ts';
import { createRefPatchIndices, extractPatch, PATCH_SIZE_SPEECH } from './patch-creator.ts';
import {
  DEFAULT_SEARCH_WINDOW_RADIUS,
  findMostOptimalDegPatches,
  finelyAlignAndRecreatePatches,
  type PatchMatch,
} from './patch-selector.ts';
import { analysisWindow, buildSpectrogram, prepareSpectrogramsForComparison } from './spectrogram.ts';
import { similarityToQuality } from './similarity-to-quality.ts';

export const SPEECH_NUM_BANDS = 21;
export const SPEECH_MIN_FREQ_HZ = 50;
export const SPEECH_MAX_FREQ_HZ = 8000;
const SPL_REFERENCE = 0.00002;

export interface VisqolOptions {
  /** Scale the MOS so that NSIM 1 maps to 5 (ViSQOL's default). Default true. */
  scaled?: boolean;
  /** DP search radius in patches (ViSQOL's --search_window_radius). Default 60. */
  searchWindowRadius?: number;
}

export interface VisqolPatchSimilarity {
  refStartS: number;
  refEndS: number;
  degStartS: number;
  degEndS: number;
  similarity: number;
  /** False when the DP chose "no match" (the patch is missing from the degraded signal). */
  matched: boolean;
  /** Per-band mean NSIM of this patch, lowest band first. */
  bandMeans: number[];
}

export interface VisqolResult {
  /** MOS-LQO with the requested scaling (scaled by default). */
  mos: number;
  /** Unscaled MOS-LQO (clamped to [1, 5]). */
  unscaledMos: number;
  vnsim: number;
  /** Per-band mean NSIM over patches, lowest band first. */
  fvnsim: number[];
  centerFreqsHz: number[];
  patchSims: VisqolPatchSimilarity[];
  /**
   * Global alignment applied to the degraded signal, seconds, in ViSQOL's sign: positive = the
   * degraded signal was early (zeros prepended), negative = it was late (leading samples dropped).
   */
  alignmentLagS: number;
  sampleRate: number;
}

/** ViSQOL's SPL: 20 log10(rms / 20 uPa). */
function soundPressureLevel(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return 20 * Math.log10(Math.sqrt(sum / x.length) / SPL_REFERENCE);
}

/** Degraded scaled to the reference level (`MiscAudio::ScaleToMatchSoundPressureLevel`). */
function scaleToMatchLevel(ref: Float64Array, deg: Float64Array): Float64Array {
  const refSpl = soundPressureLevel(ref);
  const degSpl = soundPressureLevel(deg);
  // A silent degraded signal would give inf * 0 = NaN in ViSQOL; leave it silent instead.
  if (!Number.isFinite(degSpl) || !Number.isFinite(refSpl)) return deg;
  const scale = 10 ** ((refSpl - degSpl) / 20);
  const out = new Float64Array(deg.length);
  for (let i = 0; i < deg.length; i++) out[i] = deg[i] * scale;
  return out;
}

function toFloat64(x: Float64Array | Float32Array): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/**
 * ViSQOL v3 speech-mode score of `deg` against `ref`, both mono at `sampleRate`.
 * Throws JitterlabError('usage') when a signal is too short or the reference has no speech.
 */
export function visqolSpeech(
  refIn: Float64Array | Float32Array,
  degIn: Float64Array | Float32Array,
  sampleRate: number,
  opts: VisqolOptions = {},
): VisqolResult {
  if (!(sampleRate > 0) || !Number.isInteger(sampleRate)) {
    throw new JitterlabError('usage', `ViSQOL: sample rate must be a positive integer, got ${sampleRate}`);
  }
  const ref = toFloat64(refIn);
  const win = analysisWindow(sampleRate);
  if (ref.length <= win.size || degIn.length <= win.size) {
    throw new JitterlabError('usage', `ViSQOL: signals must be longer than ${win.size} samples (80 ms)`);
  }
  const bank = new GammatoneFilterbank(sampleRate, SPEECH_NUM_BANDS, SPEECH_MIN_FREQ_HZ, SPEECH_MAX_FREQ_HZ);

  const alignment = globallyAlign(ref, toFloat64(degIn), sampleRate);
  const deg = scaleToMatchLevel(ref, alignment.deg);

  const refSpec = buildSpectrogram(ref, bank);
  const degSpec = buildSpectrogram(deg, bank);
  // The frames before dB conversion, for the patches' re-alignment (step 5) to reuse.
  const refRaw = { ...refSpec, data: refSpec.data.slice() };
  const degRaw = { ...degSpec, data: degSpec.data.slice() };
  prepareSpectrogramsForComparison(refSpec, degSpec);

  const refFrames = createRefPatchIndices(refSpec.frames, ref, win.hop);
  const refPatches = refFrames.map((f) => extractPatch(refSpec, f, PATCH_SIZE_SPEECH));
  const coarse = findMostOptimalDegPatches(
    refPatches,
    refFrames,
    degSpec,
    win.frameDurationS,
    opts.searchWindowRadius ?? DEFAULT_SEARCH_WINDOW_RADIUS,
  );
  const matches: PatchMatch[] = finelyAlignAndRecreatePatches(coarse, ref, deg, bank, refRaw, degRaw);

  const bands = bank.numBands;
  const fvnsim = new Array<number>(bands).fill(0);
  for (const m of matches) for (let b = 0; b < bands; b++) fvnsim[b] += m.bandMeans[b];
  for (let b = 0; b < bands; b++) fvnsim[b] /= matches.length;
  const vnsim = fvnsim.reduce((a, b) => a + b, 0) / bands;

  const scaled = opts.scaled ?? true;
  return {
    mos: similarityToQuality(vnsim, scaled),
    unscaledMos: similarityToQuality(vnsim, false),
    vnsim,
    fvnsim,
    centerFreqsHz: Array.from(bank.centerHz),
    patchSims: matches.map((m) => ({
      refStartS: m.refStartS,
      refEndS: m.refEndS,
      degStartS: m.degStartS,
      degEndS: m.degEndS,
      similarity: m.similarity,
      matched: m.matched,
      bandMeans: Array.from(m.bandMeans),
    })),
    alignmentLagS: alignment.lagS,
    sampleRate,
  };
}
