/**
 * Matching of reference patches to degraded patches (google/visqol
 * `comparison_patches_selector.cc`).
 *
 * 1. Dynamic programming over (reference patch, degraded start frame): each reference patch may
 *    start anywhere within +/- radius x 20 frames of its own position (radius 60 by default); the
 *    cumulative score of a placement is its NSIM plus the best cumulative score of the previous
 *    patch at an EARLIER degraded frame, or, when it is larger, the previous patch's cumulative
 *    score at the SAME frame: the "no match" option (the patch was dropped from the degraded
 *    audio), which sets the patch's similarity and band means to 0.
 * 2. Each matched pair is cut out of the time-domain signals, re-aligned with the global alignment
 *    procedure, its spectrograms rebuilt and re-scored; the better of the two scores is kept.
 */
import { JitterlabError } from '../../core/errors.ts';
import { alignAndTruncate } from './envelope-alignment.ts';
import type { GammatoneFilterbank } from './gammatone.ts';
import { nsim, nsimAcrossOffsets, NsimField, NsimOffsetSearch } from './nsim.ts';
import { extractPatch, type Patch } from './patch-creator.ts';
import { buildSpectrogram, prepareSpectrogramsForComparison, type Spectrogram } from './spectrogram.ts';

export const DEFAULT_SEARCH_WINDOW_RADIUS = 60;

export interface PatchMatch {
  /** Reference patch start frame. */
  refFrame: number;
  /** Degraded start frame chosen by the DP (-1 when unmatched). */
  degFrame: number;
  similarity: number;
  /** Per-band mean NSIM of the pair (all 0 when unmatched). */
  bandMeans: Float64Array;
  refStartS: number;
  refEndS: number;
  /** 0 together with degEndS when unmatched (ViSQOL's convention). */
  degStartS: number;
  degEndS: number;
  matched: boolean;
  /** True when the time-domain re-alignment improved (or tied) the score and replaced it. */
  realigned: boolean;
}

/** ViSQOL CalcMaxNumPatches: drop trailing reference patches starting beyond the degraded end. */
function maxNumPatches(refFrames: readonly number[], degFrames: number, framesPerPatch: number): number {
  let n = refFrames.length;
  while (n > 0 && refFrames[n - 1] - Math.floor(framesPerPatch / 2) > degFrames) n--;
  return n;
}

/** DP matching (step 1). */
export function findMostOptimalDegPatches(
  refPatches: readonly Patch[],
  refFrames: readonly number[],
  degSpec: Spectrogram,
  frameDurationS: number,
  searchWindowRadius = DEFAULT_SEARCH_WINDOW_RADIUS,
): PatchMatch[] {
  if (refPatches.length === 0) {
    throw new JitterlabError('usage', 'ViSQOL: the reference has no active patch to compare (silent or too short)');
  }
  const framesPerPatch = refPatches[0].cols;
  const degCols = degSpec.frames;
  const patchDurationS = frameDurationS * framesPerPatch;
  const searchWindow = searchWindowRadius * framesPerPatch;
  const numPatches = maxNumPatches(refFrames, degCols, framesPerPatch);
  if (numPatches === 0) {
    throw new JitterlabError(
      'usage',
      'ViSQOL: degraded file was too short, different, or misaligned to score any of the reference patches',
    );
  }

  // Every degraded patch the search can reach (one per frame) is a view of this field.
  const deg = new NsimField(degSpec.bands, degCols, framesPerPatch, degSpec.data, degCols);
  const search = new NsimOffsetSearch(deg);
  const refFields = refPatches.map((p) => NsimField.ofPatch(p));
  const sims = new Float64Array(Math.min(degCols, 2 * searchWindow + 1));

  // Cumulative similarity and back-pointers, zero-initialised like ViSQOL's vectors.
  const dp = new Float64Array(refFrames.length * degCols);
  const back = new Int32Array(refFrames.length * degCols);
  const LOWEST = -Number.MAX_VALUE;

  for (let p = 0; p < numPatches; p++) {
    const refFrame = refFrames[p];
    const refField = refFields[p];
    const row = p * degCols;
    const prev = (p - 1) * degCols;
    const lower = p > 0 ? Math.max(refFrames[p - 1] - searchWindow, 0) : 0;
    // Running maximum of dp[p-1][lower .. s-1]; ">=" while scanning upwards keeps the highest
    // index among ties, as ViSQOL's downward scan with ">" does.
    let runBest = LOWEST;
    let runIdx = -1;
    let scanned = lower;
    const from = Math.max(0, refFrame - searchWindow);
    const to = Math.min(refFrame + searchWindow, degCols - 1);
    if (to >= from) search.run(refField, from, to - from + 1, sims);
    for (let s = from; s <= to; s++) {
      let sim = sims[s - from];
      let past = -1;
      if (p > 0) {
        while (scanned <= s - 1) {
          const v = dp[prev + scanned];
          if (v > runBest || (v === runBest && runIdx >= 0)) {
            runBest = v;
            runIdx = scanned;
          }
          scanned++;
        }
        let highest = LOWEST;
        if (runIdx >= 0) {
          highest = runBest;
          past = runIdx;
        }
        sim += highest;
        if (dp[prev + s] > sim) {
          sim = dp[prev + s];
          past = s;
        }
      }
      dp[row + s] = sim;
      back[row + s] = past;
    }
  }

  // Best end point for the last patch; the last degraded patch must not run past the end.
  const last = numPatches - 1;
  let best = LOWEST;
  let lastOffset = -1;
  for (let s = Math.max(0, refFrames[last] - searchWindow); s <= refFrames[last] + searchWindow; s++) {
    if (s >= degCols - framesPerPatch) break;
    if (dp[last * degCols + s] > best) {
      best = dp[last * degCols + s];
      lastOffset = s;
    }
  }
  if (lastOffset < 0) {
    throw new JitterlabError('usage', 'ViSQOL: degraded signal too short to place any reference patch');
  }

  const out: PatchMatch[] = new Array(numPatches);
  for (let p = last; p >= 0; p--) {
    const offset = Math.min(Math.max(lastOffset, 0), degCols - 1);
    const bandMeans = new Float64Array(refPatches[p].rows);
    const one = new Float64Array(1);
    nsimAcrossOffsets(refFields[p], deg, offset, 1, one, bandMeans);
    const similarity = one[0];
    const pointer = back[p * degCols + offset];
    const refStartS = refFrames[p] * frameDurationS;
    const matched = !(lastOffset === pointer || lastOffset < 0);
    const degStartS = matched ? lastOffset * frameDurationS : 0;
    out[p] = {
      refFrame: refFrames[p],
      degFrame: matched ? lastOffset : -1,
      similarity: matched ? similarity : 0,
      bandMeans: matched ? bandMeans : new Float64Array(refPatches[p].rows),
      refStartS,
      refEndS: refStartS + patchDurationS,
      degStartS,
      degEndS: matched ? degStartS + patchDurationS : 0,
      matched,
      realigned: false,
    };
    lastOffset = pointer;
  }
  return out;
}

/**
 * ViSQOL `ComparisonPatchesSelector::Slice`: samples int(start*fs) .. min(len-1, int(end*fs)) - 1.
 * When the end lies beyond the signal ViSQOL adds the missing samples as zeros at the FRONT (its
 * "post-silence" is joined before the slice); we keep that behaviour. Without padding the slice is
 * a view of `x` (read only), which lets its spectrogram reuse x's frames.
 */
export function sliceSignal(x: Float64Array, sampleRate: number, startS: number, endS: number): Float64Array {
  const startIndex = Math.max(0, Math.trunc(startS * sampleRate));
  const endIndex = Math.min(x.length - 1, Math.trunc(endS * sampleRate));
  let out = x.subarray(startIndex, Math.max(startIndex, endIndex));
  const endDiff = endS * sampleRate - x.length;
  if (endDiff > 0) {
    const padded = new Float64Array(Math.trunc(endDiff) + out.length);
    padded.set(out, Math.trunc(endDiff));
    out = padded;
  }
  if (startS < 0) {
    const pre = Math.trunc(-startS * sampleRate);
    const padded = new Float64Array(pre + out.length);
    padded.set(out, pre);
    out = padded;
  }
  return out;
}

/**
 * Time-domain re-alignment and re-scoring of each matched pair (step 2). `refFrames` and
 * `degFrames`, the spectrograms of the whole signals before dB conversion, supply the frames the
 * pieces share with them.
 */
export function finelyAlignAndRecreatePatches(
  matches: readonly PatchMatch[],
  ref: Float64Array,
  deg: Float64Array,
  bank: GammatoneFilterbank,
  refFrames?: Spectrogram,
  degFrames?: Spectrogram,
): PatchMatch[] {
  const knownRef = refFrames ? { signal: ref, spectrogram: refFrames } : undefined;
  const knownDeg = degFrames ? { signal: deg, spectrogram: degFrames } : undefined;
  const fs = bank.sampleRate;
  return matches.map((m) => {
    if (m.degStartS === m.degEndS && m.degStartS === 0) return m;
    const refAudio = sliceSignal(ref, fs, m.refStartS, m.refEndS);
    const degAudio = sliceSignal(deg, fs, m.degStartS, m.degEndS);
    const aligned = alignAndTruncate(refAudio, degAudio, fs);
    const refSpec = buildSpectrogram(aligned.ref, bank, knownRef);
    const degSpec = buildSpectrogram(aligned.deg, bank, knownDeg);
    prepareSpectrogramsForComparison(refSpec, degSpec);
    // Both pieces have the same length after truncation, hence the same frame count; guard anyway.
    const cols = Math.min(refSpec.frames, degSpec.frames);
    const r = nsim(extractPatch(refSpec, 0, cols), extractPatch(degSpec, 0, cols));
    if (r.similarity < m.similarity) return m;
    const lag = aligned.lagS;
    const refStartS = lag > 0 ? m.refStartS + lag : m.refStartS;
    const degStartS = lag > 0 ? m.degStartS : m.degStartS - lag;
    return {
      ...m,
      similarity: r.similarity,
      bandMeans: Float64Array.from(r.bandMeans),
      refStartS,
      refEndS: refStartS + aligned.ref.length / fs,
      degStartS,
      degEndS: degStartS + aligned.deg.length / fs,
      realigned: true,
    };
  });
}

