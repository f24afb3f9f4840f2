/**
 * `jitterlab score <reference.wav> <degraded.wav> [--json]`: full-reference score of any pair of
 * WAV files (any sample rate, mono or stereo: channels are averaged, both resampled to 16 kHz),
 * as a ViSQOL user would run it: ViSQOL v3 speech-mode MOS, NSIM, per-band similarity, and the
 * sanity measures (lag, level offset, log-spectral distance).
 */
import type { CommandModule } from 'yargs';
import { JitterlabError, WavError } from '../core/errors.ts';
import { scorePair, type ScorePairResult } from '../scores/index.ts';
import { readWavMono, type MonoAudio } from '../source/wav-file.ts';

interface ScoreArgs {
  reference: string;
  degraded: string;
  json?: boolean;
}

export interface ScoreReport {
  reference: { file: string; sampleRate: number; channels: number; durationS: number };
  degraded: { file: string; sampleRate: number; channels: number; durationS: number };
  visqol: { mos: number; unscaledMos: number; vnsim: number; fvnsim: number[]; centerFreqsHz: number[]; patches: number; unmatchedPatches: number; alignmentLagS: number };
  sanity: { lagMs: number; levelOffsetDb: number; lsdDb: number };
  sampleRate: number;
  /** Things about the pair that make the scores doubtful (e.g. very different lengths). */
  warnings: string[];
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Files whose lengths differ by more than this factor (and by more than MIN_GAP_S) are probably
 * not one recording and its degraded copy: network impairments shift and stretch audio by a few
 * hundred milliseconds, not by a quarter of its length.
 */
export const LENGTH_RATIO_WARNING = 1.25;
const MIN_GAP_S = 1;

/** A warning when the two durations differ a lot, else null. */
export function lengthMismatchWarning(referenceS: number, degradedS: number): string | null {
  const longer = Math.max(referenceS, degradedS);
  const shorter = Math.min(referenceS, degradedS);
  if (longer - shorter <= MIN_GAP_S || (shorter > 0 && longer / shorter <= LENGTH_RATIO_WARNING)) return null;
  const ratio = shorter > 0 ? `${(longer / shorter).toFixed(1)}x as long as` : 'longer than';
  const consequence =
    degradedS > referenceS
      ? 'ViSQOL scores the reference against its best-matching stretch of the degraded file, so most of the degraded audio is not scored'
      : 'reference patches with no degraded audio to match score as unmatched and pull the MOS down';
  return `the ${degradedS > referenceS ? 'degraded' : 'reference'} file is ${ratio} the ${degradedS > referenceS ? 'reference' : 'degraded'} (${degradedS.toFixed(2)} s degraded vs ${referenceS.toFixed(2)} s reference): ${consequence}; are they the same recording?`;
}

function describe(file: string, a: MonoAudio): ScoreReport['reference'] {
  return { file, sampleRate: a.sampleRate, channels: a.channels, durationS: r4(a.samples.length / a.sampleRate) };
}

export function scoreFiles(referenceFile: string, degradedFile: string): ScoreReport {
  const ref = readWavMono(referenceFile);
  const deg = readWavMono(degradedFile);
  let s: ScorePairResult;
  try {
    s = scorePair({ samples: ref.samples, sampleRate: ref.sampleRate }, { samples: deg.samples, sampleRate: deg.sampleRate });
  } catch (e) {
    // ViSQOL's refusals (too short, no speech in the reference) are about the files, not the command line.
    if (e instanceof JitterlabError && e.kind === 'usage') throw new WavError(`${referenceFile} vs ${degradedFile}`, e.message);
    throw e;
  }
  const v = s.visqol;
  const reference = describe(referenceFile, ref);
  const degraded = describe(degradedFile, deg);
  const mismatch = lengthMismatchWarning(ref.samples.length / ref.sampleRate, deg.samples.length / deg.sampleRate);
  return {
    reference,
    degraded,
    visqol: {
      mos: v.mos,
      unscaledMos: v.unscaledMos,
      vnsim: v.vnsim,
      fvnsim: v.fvnsim,
      centerFreqsHz: v.centerFreqsHz,
      patches: v.patchSims.length,
      unmatchedPatches: v.patchSims.filter((p) => !p.matched).length,
      alignmentLagS: v.alignmentLagS,
    },
    sanity: { lagMs: s.lagMs, levelOffsetDb: s.levelOffsetDb, lsdDb: s.lsdDb },
    sampleRate: s.sampleRate,
    warnings: mismatch ? [mismatch] : [],
  };
}

export function formatScore(r: ScoreReport): string {
  const file = (x: ScoreReport['reference']) => `${x.file} (${x.sampleRate} Hz, ${x.channels} ch, ${x.durationS.toFixed(2)} s)`;
  const bands = r.visqol.centerFreqsHz.map((f, i) => `${f < 1000 ? f.toFixed(0) : `${(f / 1000).toFixed(1)}k`}:${r.visqol.fvnsim[i].toFixed(3)}`);
  const lines = [
    `reference  ${file(r.reference)}`,
    `degraded   ${file(r.degraded)}`,
    `scored at  ${r.sampleRate} Hz (ViSQOL v3 speech mode, exponential mapping)`,
    '',
    `ViSQOL MOS      ${r.visqol.mos.toFixed(4)}  (unscaled ${r.visqol.unscaledMos.toFixed(4)})`,
    `NSIM (vnsim)    ${r.visqol.vnsim.toFixed(4)}`,
    `patches         ${r.visqol.patches} (${r.visqol.unmatchedPatches} unmatched)`,
    `lag             ${r.sanity.lagMs.toFixed(2)} ms`,
    `level offset    ${r.sanity.levelOffsetDb.toFixed(2)} dB`,
    `LSD             ${r.sanity.lsdDb.toFixed(3)} dB`,
    '',
    'per-band NSIM (band centre Hz: similarity)',
  ];
  for (let i = 0; i < bands.length; i += 7) lines.push(`  ${bands.slice(i, i + 7).join('  ')}`);
  for (const w of r.warnings) lines.push('', `WARNING: ${w}`);
  return `${lines.join('\n')}\n`;
}

export const scoreCommand: CommandModule<object, ScoreArgs> = {
  command: 'score <reference> <degraded>',
  describe: 'Score a degraded WAV against its reference (ViSQOL speech MOS, NSIM, per-band, lag, level, LSD)',
  builder: (y) =>
    y
      .positional('reference', { type: 'string', demandOption: true, describe: 'reference (clean) WAV file, any rate, mono or stereo' })
      .positional('degraded', { type: 'string', demandOption: true, describe: 'degraded WAV file' })
      .option('json', { type: 'boolean', default: false, describe: 'print the scores as JSON' }) as never,
  handler: (args) => {
    const r = scoreFiles(args.reference, args.degraded);
    // The summary ends with its warnings; JSON carries them in `warnings`, and stderr shows them.
    if (args.json) for (const w of r.warnings) process.stderr.write(`jitterlab: warning: ${w}\n`);
    process.stdout.write(args.json ? `${JSON.stringify(r, null, 1)}\n` : formatScore(r));
  },
};
