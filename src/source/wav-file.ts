/**
 * Reading WAV files for the audio source and the `score` command: any PCM rate, mono or stereo,
 * 8/16/24/32-bit integer or 32/64-bit float, read with `wavefile`. Returns mono Float32 samples
 * in [-1, 1] at the file's own rate; resampling is a separate step (resample.ts).
 */
import { closeSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WavError } from '../core/errors.ts';
import { checkRiffWave, openWav, pcm16Layout, readPcm16Into } from './pcm16-wav.ts';

export { checkRiffWave };

const require = createRequire(import.meta.url);

interface WaveFileLike {
  fmt: { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number };
  data: { samples: Uint8Array };
  bitDepth: string;
  getSamples(interleaved?: boolean, OutputObject?: unknown): Float64Array | Float64Array[];
}

export interface MonoAudio {
  samples: Float32Array;
  sampleRate: number;
  /** What the file held before downmixing, for reports and errors. */
  channels: number;
  bitDepth: string;
}

export function readWavMono(file: string): MonoAudio {
  const pcm16 = readPcm16Mono(file);
  if (pcm16) return pcm16;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_FS_FILE_TOO_LARGE') throw new WavError(file, 'too large to read whole (over 2 GiB); use a shorter file');
    throw new WavError(file, code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (e as Error).message})`);
  }
  return decodeWavMono(bytes, file);
}

export function decodeWavMono(bytes: Uint8Array, file: string): MonoAudio {
  checkRiffWave(bytes, file);
  const { WaveFile } = require('wavefile') as { WaveFile: new (b?: Uint8Array) => WaveFileLike };
  let wav: WaveFileLike;
  try {
    wav = new WaveFile(bytes);
  } catch (e) {
    throw new WavError(file, `unreadable WAV: ${(e as Error).message}`);
  }
  const { audioFormat, numChannels, sampleRate, bitsPerSample } = wav.fmt;
  // 1 = PCM, 3 = IEEE float, 0xFFFE = WAVE_FORMAT_EXTENSIBLE (PCM or float sub-format).
  if (audioFormat !== 1 && audioFormat !== 3 && audioFormat !== 0xfffe) {
    throw new WavError(file, `unsupported WAV encoding (format tag ${audioFormat}); use PCM or float`);
  }
  if (!['8', '16', '24', '32', '32f', '64'].includes(wav.bitDepth)) {
    throw new WavError(file, `unsupported bit depth ${bitsPerSample}`);
  }
  if (numChannels < 1 || numChannels > 8) throw new WavError(file, `unsupported channel count ${numChannels}`);
  if (sampleRate < 8000 || sampleRate > 192000) throw new WavError(file, `unsupported sample rate ${sampleRate} Hz`);
  if (wav.bitDepth === '16' && (audioFormat === 1 || audioFormat === 0xfffe)) return fastPcm16(wav, numChannels, sampleRate, file);
  let raw: Float64Array | Float64Array[];
  try {
    raw = wav.getSamples(false, Float64Array);
  } catch (e) {
    throw new WavError(file, `unreadable samples: ${(e as Error).message}`);
  }
  const channels = Array.isArray(raw) ? raw : [raw];
  const n = channels[0].length;
  if (n === 0) throw new WavError(file, 'no audio samples');
  // Full scale of the stored integers; floats are already in [-1, 1].
  const isFloat = wav.bitDepth === '32f' || wav.bitDepth === '64';
  const bits = Number.parseInt(wav.bitDepth, 10);
  const scale = isFloat ? 1 : bits === 8 ? 128 : 2 ** (bits - 1);
  const offset = !isFloat && bits === 8 ? 128 : 0; // 8-bit WAV is unsigned
  const out = new Float32Array(n);
  const k = 1 / (scale * channels.length);
  for (const ch of channels) for (let i = 0; i < n; i++) out[i] += (ch[i] - offset) * k;
  return { samples: out, sampleRate, channels: numChannels, bitDepth: wav.bitDepth };
}

/**
 * A plain 16-bit PCM file (format tag 1) read in chunks straight into its mono samples (pcm16-wav.ts),
 * with the checks decodeWavMono makes; null for any other file, which wavefile reads.
 */
function readPcm16Mono(file: string): MonoAudio | null {
  const fd = openWav(file);
  try {
    const l = pcm16Layout(fd, file);
    if (!l) return null;
    // As when the bytes were read whole (Node reads at most 2 GiB at once): a clear refusal, not a huge allocation.
    if (l.dataBytes > 2 ** 31 - 1) throw new WavError(file, 'too large to read whole (over 2 GiB); use a shorter file');
    if (l.channels > 8) throw new WavError(file, `unsupported channel count ${l.channels}`);
    if (l.sampleRate < 8000 || l.sampleRate > 192000) throw new WavError(file, `unsupported sample rate ${l.sampleRate} Hz`);
    const samples = readPcm16Into(fd, l, 0, l.frames);
    if (samples.length === 0) throw new WavError(file, 'no audio samples');
    return { samples, sampleRate: l.sampleRate, channels: l.channels, bitDepth: '16' };
  } finally {
    closeSync(fd);
  }
}

/**
 * 16-bit PCM, the common case: wavefile has parsed the chunks; the samples are read straight from
 * its little-endian data bytes (its per-sample getSamples costs more than the rest of a short run).
 */
function fastPcm16(wav: WaveFileLike, channels: number, sampleRate: number, file: string): MonoAudio {
  const bytes = wav.data.samples;
  const frames = Math.floor(bytes.length / (2 * channels));
  if (frames === 0) throw new WavError(file, 'no audio samples');
  const samples = downmixPcm16(new DataView(bytes.buffer, bytes.byteOffset, frames * 2 * channels), frames, channels);
  return { samples, sampleRate, channels, bitDepth: '16' };
}

/**
 * Little-endian 16-bit frames to mono floats in [-1, 1). The loop has a function of its own: V8
 * compiles a long loop on the stack (OSR), and code after it in the same function would deoptimize
 * that code on every file read.
 */
function downmixPcm16(view: DataView, frames: number, channels: number): Float32Array {
  const out = new Float32Array(frames);
  const k = 1 / (32768 * channels);
  for (let i = 0, o = 0; i < frames; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++, o += 2) acc += view.getInt16(o, true);
    out[i] = acc * k;
  }
  return out;
}
