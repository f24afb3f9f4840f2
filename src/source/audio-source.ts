/**
 * The call's audio: a WAV file converted to the codec rate (band-limited resampling, downmix) and
 * read frame by frame, trimmed or looped to the scenario duration without materialising the
 * whole call (a one-hour call holds only the source file, once).
 */
import { readWavMono } from './wav-file.ts';
import { resampleMono } from './resample.ts';

export interface SourceConfig {
  file: string;
  loop: boolean;
  offsetS: number;
  gainDb: number;
}

export class AudioSource {
  readonly pcm: Int16Array;

  constructor(
    readonly file: string,
    readonly sampleRate: number,
    pcm: Int16Array,
    private readonly loop: boolean,
    private readonly startSample: number,
  ) {
    this.pcm = pcm;
  }

  static fromWav(resolvedFile: string, cfg: SourceConfig, sampleRate: number): AudioSource {
    const audio = readWavMono(resolvedFile);
    const resampled = resampleMono(audio.samples, audio.sampleRate, sampleRate);
    return AudioSource.fromPcm(resolvedFile, sampleRate, toPcm16(resampled, 10 ** (cfg.gainDb / 20) * 32767), cfg);
  }

  /** The source of `cfg` from its PCM, already at `sampleRate` with the gain applied (fromWav's, e.g. shared with a worker thread). */
  static fromPcm(resolvedFile: string, sampleRate: number, pcm: Int16Array, cfg: SourceConfig): AudioSource {
    const start = Math.min(Math.round(cfg.offsetS * sampleRate), Math.max(0, pcm.length - 1));
    return new AudioSource(resolvedFile, sampleRate, pcm, cfg.loop, start);
  }

  /** Seconds of audio in the file after the offset. */
  get fileDurationS(): number {
    return (this.pcm.length - this.startSample) / this.sampleRate;
  }

  /** Fill `out` with the samples of frame `index` (silence past the end when not looping). */
  frame(index: number, out: Int16Array): Int16Array {
    const n = out.length;
    const avail = this.pcm.length - this.startSample;
    let pos = index * n;
    for (let i = 0; i < n; ) {
      if (!this.loop && pos >= avail) {
        out.fill(0, i);
        break;
      }
      const p = pos % avail;
      const take = Math.min(n - i, avail - p);
      out.set(this.pcm.subarray(this.startSample + p, this.startSample + p + take), i);
      i += take;
      pos += take;
    }
    return out;
  }
}

/** Scale and round to 16-bit PCM, saturating (the loop alone in its function, see downmixPcm16). */
function toPcm16(x: ArrayLike<number>, gain: number): Int16Array {
  const pcm = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * gain);
    pcm[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return pcm;
}
