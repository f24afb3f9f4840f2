/**
 * ViSQOL's RMS voice-activity detector (google/visqol `rms_vad.cc`).
 *
 * Each chunk of int16-scaled samples is active when its RMS is >= 5000 (about -16.3 dB re full
 * scale). The result for chunk i (i >= 2) is "silent" only when chunks i, i-1 and i-2 are all
 * below the threshold; the first two results are always "active" (the detector avoids false
 * negatives at the start).
 */

export const RMS_VAD_THRESHOLD = 5000;
const SILENT_CHUNK_COUNT = 3;

/** RMS of one chunk. */
export function chunkRms(chunk: ArrayLike<number>, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += chunk[i] * chunk[i];
  return Math.sqrt(sum / length);
}

/** Per-chunk activity (1 active / 0 silent) from per-chunk "above threshold" flags. */
export function smoothVad(aboveThreshold: readonly boolean[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < SILENT_CHUNK_COUNT - 1 && i < aboveThreshold.length; i++) out.push(1);
  for (let i = SILENT_CHUNK_COUNT - 1; i < aboveThreshold.length; i++) {
    let silent = !aboveThreshold[i];
    for (let j = 1; j < SILENT_CHUNK_COUNT && silent; j++) if (aboveThreshold[i - j]) silent = false;
    out.push(silent ? 0 : 1);
  }
  return out;
}

/**
 * Voice activity of `samples` (already on the int16 scale) in consecutive chunks of `chunkLen`
 * samples; a trailing partial chunk is not evaluated.
 */
export function rmsVad(samples: ArrayLike<number>, chunkLen: number): number[] {
  const flags: boolean[] = [];
  for (let start = 0; start + chunkLen <= samples.length; start += chunkLen) {
    flags.push(chunkRms(samples, start, chunkLen) >= RMS_VAD_THRESHOLD);
  }
  return smoothVad(flags);
}
