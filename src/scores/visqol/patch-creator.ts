/**
 * Reference patch selection of ViSQOL speech mode (google/visqol `vad_patch_creator.cc`).
 *
 * Patches are 20 frames (0.4 s at a 20 ms hop) starting at frame 9 (= 20/2 - 1), every 20 frames;
 * count = floor((frames - 9) / 20). A patch is kept when at least one of its 20 VAD chunks is
 * active. The VAD runs on the reference divided by its maximum VALUE (not max |x|), scaled by
 * 32768, clamped to int16 and truncated toward zero, in hop-sized chunks starting at SAMPLE 9
 * (ViSQOL passes the first patch's frame index as a sample index; we keep that quirk).
 */
import { rmsVad } from './rms-vad.ts';
import type { Spectrogram } from './spectrogram.ts';

export const PATCH_SIZE_SPEECH = 20;
export const FIRST_PATCH_FRAME = PATCH_SIZE_SPEECH / 2 - 1;

/** A bands x frames patch, band-major (value of band b, frame f at data[b * cols + f]). */
export interface Patch {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Frame indices of the reference patches to compare. */
export function createRefPatchIndices(spectrogramFrames: number, ref: Float64Array, hop: number): number[] {
  if (spectrogramFrames < FIRST_PATCH_FRAME) return [];
  const patchCount = Math.floor((spectrogramFrames - FIRST_PATCH_FRAME) / PATCH_SIZE_SPEECH);
  if (patchCount === 0) return [];
  let max = -Infinity;
  for (let i = 0; i < ref.length; i++) if (ref[i] > max) max = ref[i];
  const total = patchCount * PATCH_SIZE_SPEECH * hop;
  const start = FIRST_PATCH_FRAME;
  const end = Math.min(ref.length, start + total);
  const scaled = new Float64Array(Math.max(0, end - start));
  for (let i = start; i < end; i++) {
    const v = (ref[i] / max) * 32768;
    // std::min(32767, v) then std::max(-32768, .): written as comparisons so that NaN (an
    // all-zero reference, 0/0) becomes 32767 exactly as in ViSQOL.
    const hi = v < 32767 ? v : 32767;
    scaled[i - start] = Math.trunc(-32768 < hi ? hi : -32768);
  }
  const vad = rmsVad(scaled, hop);
  const indices: number[] = [];
  for (let p = 0; p < patchCount; p++) {
    let active = 0;
    for (let j = p * PATCH_SIZE_SPEECH; j < (p + 1) * PATCH_SIZE_SPEECH && j < vad.length; j++) active += vad[j];
    if (active >= 1) indices.push(FIRST_PATCH_FRAME + p * PATCH_SIZE_SPEECH);
  }
  return indices;
}

/**
 * Columns startCol .. startCol + width - 1 of a spectrogram; columns outside the spectrogram
 * are 0 (ViSQOL `BuildDegradedPatch`: silence at the floor).
 */
export function extractPatch(spec: Spectrogram, startCol: number, width: number): Patch {
  const data = new Float64Array(spec.bands * width);
  const from = Math.max(0, startCol);
  const to = Math.min(spec.frames, startCol + width);
  for (let b = 0; b < spec.bands; b++) {
    for (let f = from; f < to; f++) data[b * width + (f - startCol)] = spec.data[b * spec.frames + f];
  }
  return { rows: spec.bands, cols: width, data };
}
