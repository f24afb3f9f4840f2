import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WavError } from '../../src/core/errors.ts';
import { AudioSource } from '../../src/source/audio-source.ts';
import { decodeWavMono, readWavMono } from '../../src/source/wav-file.ts';
import { resampleMono } from '../../src/source/resample.ts';

const require = createRequire(import.meta.url);
const { WaveFile } = require('wavefile') as { WaveFile: new () => { fromScratch(c: number, r: number, b: string, s: unknown): void; toBuffer(): Uint8Array } };
const dir = mkdtempSync(join(tmpdir(), 'jitterlab-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tone file in any format, written with wavefile. */
function toneFile(rate: number, channels: number, bitDepth: string, freq = 1000, seconds = 0.5): string {
  const n = Math.round(rate * seconds);
  const full = bitDepth === '32f' ? 1 : 2 ** (Number.parseInt(bitDepth, 10) - 1) - 1;
  const ch = Array.from({ length: channels }, () => {
    const a = new Array<number>(n);
    for (let i = 0; i < n; i++) a[i] = 0.5 * full * Math.sin((2 * Math.PI * freq * i) / rate);
    return bitDepth === '32f' ? a : a.map(Math.round);
  });
  const w = new WaveFile();
  w.fromScratch(channels, rate, bitDepth, channels === 1 ? ch[0] : ch);
  const f = join(dir, `t-${rate}-${channels}-${bitDepth}.wav`);
  writeFileSync(f, w.toBuffer());
  return f;
}

/** Frequency by zero crossings. */
function freqOf(x: ArrayLike<number>, rate: number): number {
  let z = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) z++;
  return (z * rate) / x.length;
}

describe('WAV source', () => {
  for (const rate of [8000, 16000, 24000, 44100, 48000])
    for (const channels of [1, 2])
      for (const bits of ['16', '24', '32', '32f']) {
        it(`reads ${rate} Hz ${channels} ch ${bits}-bit and converts to 48 kHz mono`, () => {
          const f = toneFile(rate, channels, bits, rate === 8000 ? 500 : 1000);
          const a = readWavMono(f);
          expect(a.sampleRate).toBe(rate);
          let peak = 0;
          for (const v of a.samples) peak = Math.max(peak, Math.abs(v));
          expect(peak).toBeGreaterThan(0.45);
          expect(peak).toBeLessThan(0.55);
          const src = AudioSource.fromWav(f, { file: f, loop: false, offsetS: 0, gainDb: 0 }, 48000);
          expect(src.pcm.length).toBeGreaterThan(48000 * 0.49);
          expect(src.pcm.length).toBeLessThan(48000 * 0.51);
          const mid = src.pcm.subarray(4800, 19200);
          expect(freqOf(mid, 48000)).toBeCloseTo(rate === 8000 ? 500 : 1000, -1);
        });
      }

  it('reads 16-bit PCM in chunks to exactly the samples wavefile gives (mono, stereo, a truncated data chunk, past one chunk)', () => {
    for (const [channels, seconds] of [[1, 0.5], [2, 0.5], [2, 3]] as const) {
      const f = toneFile(44100, channels, '16', 700, seconds);
      const bytes = readFileSync(f);
      const viaWavefile = decodeWavMono(bytes, f);
      const chunked = readWavMono(f);
      expect(chunked.channels).toBe(channels);
      expect(chunked.bitDepth).toBe('16');
      expect(Buffer.from(chunked.samples.buffer, chunked.samples.byteOffset, chunked.samples.byteLength).equals(Buffer.from(viaWavefile.samples.buffer, viaWavefile.samples.byteOffset, viaWavefile.samples.byteLength))).toBe(true);
      // A file cut short inside its data chunk: the frames that are there.
      const cut = join(dir, `cut-${channels}-${seconds}.wav`);
      writeFileSync(cut, bytes.subarray(0, bytes.length - 1001));
      const part = readWavMono(cut);
      expect(part.samples.length).toBe(Math.floor((bytes.length - 1001 - 44) / (2 * channels)));
      expect(Array.from(part.samples)).toEqual(Array.from(viaWavefile.samples.subarray(0, part.samples.length)));
    }
  });

  it('band-limits when downsampling: a 10 kHz tone at 48 kHz vanishes at 16 kHz (no alias at 6 kHz)', () => {
    const n = 48000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 10000 * i) / 48000);
    const y = resampleMono(x, 48000, 16000);
    let rms = 0;
    for (let i = 1000; i < y.length - 1000; i++) rms += y[i] * y[i];
    rms = Math.sqrt(rms / (y.length - 2000));
    expect(rms).toBeLessThan(0.02);
  });

  it('loops and trims to the call length frame by frame', () => {
    const f = toneFile(48000, 1, '16', 1000, 0.1);
    const loop = AudioSource.fromWav(f, { file: f, loop: true, offsetS: 0, gainDb: 0 }, 48000);
    const once = AudioSource.fromWav(f, { file: f, loop: false, offsetS: 0, gainDb: 0 }, 48000);
    const a = new Int16Array(960);
    const b = new Int16Array(960);
    loop.frame(5, a); // samples 4800..5759: wraps after 4800
    loop.frame(0, b);
    expect(Array.from(a)).toEqual(Array.from(b));
    once.frame(5, a);
    expect(a.every((v) => v === 0)).toBe(true);
  });

  it('gives clear errors for a missing file, a non-WAV file and an unsupported encoding', () => {
    expect(() => readWavMono(join(dir, 'nope.wav'))).toThrow(/nope\.wav: file not found/);
    // A directory opens on Linux: it is refused with a WavError, not a bare EISDIR from the first read.
    expect(() => readWavMono(dir)).toThrow(WavError);
    expect(() => readWavMono(dir)).toThrow(/is a directory, not a WAV file/);
    const txt = join(dir, 'text.wav');
    writeFileSync(txt, 'hello, this is not audio at all');
    expect(() => readWavMono(txt)).toThrow(WavError);
    expect(() => readWavMono(txt)).toThrow(/not a WAV file/);
    const alaw = Buffer.from(require('node:fs').readFileSync(toneFile(8000, 1, '16')));
    alaw.writeUInt16LE(6, 20); // format tag 6 = A-law
    const af = join(dir, 'alaw.wav');
    writeFileSync(af, alaw);
    expect(() => readWavMono(af)).toThrow(/unsupported WAV encoding/);
  });
});
