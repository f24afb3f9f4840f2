/**
 * A 16-bit mono PCM WAV written in chunks (a one-hour call never sits in memory) and committed
 * atomically: the header's sizes are patched at the end, then the file is renamed into place.
 *
 * RIFF sizes are 32-bit, so a WAV ends at 4 GiB (12.4 h of 48 kHz mono); durationS may be 24 h.
 * The header therefore reserves a 28-byte `JUNK` chunk before `fmt ` (EBU Tech 3306, section 3.4):
 * a file that stays below 4 GiB is a plain RIFF WAV, and a larger one becomes RF64 at commit by
 * turning `RIFF` into `RF64` and `JUNK` into the `ds64` chunk that carries the 64-bit sizes, with
 * 0xFFFFFFFF in the 32-bit fields, without moving a byte of audio.
 */
import { AtomicFileStream } from '../core/atomic-write.ts';

/** Header bytes: RIFF/RF64 (12) + JUNK/ds64 (8 + 28) + fmt (8 + 16) + data chunk header (8). */
export const WAV_HEADER_BYTES = 80;
const DS64_BYTES = 28;
const U32_MAX = 0xffffffff;

export class WavStreamWriter {
  private readonly file: AtomicFileStream;
  private samples = 0;
  private pending: Int16Array;
  private fill = 0;

  constructor(
    target: string,
    readonly sampleRate: number,
    chunkSamples = 1 << 16,
  ) {
    this.file = new AtomicFileStream(target);
    this.file.write(wavHeader(sampleRate, 0));
    this.pending = new Int16Array(chunkSamples);
  }

  write(pcm: Int16Array): void {
    let off = 0;
    while (off < pcm.length) {
      const take = Math.min(pcm.length - off, this.pending.length - this.fill);
      this.pending.set(pcm.subarray(off, off + take), this.fill);
      this.fill += take;
      off += take;
      if (this.fill === this.pending.length) this.flush();
    }
    this.samples += pcm.length;
  }

  /**
   * `count` zero samples without writing their bytes: the file position moves on, and file
   * systems with sparse files store the gap as a hole that reads back as zeros. Long silences
   * cost no disk writes, and a test can make a WAV past 4 GiB without writing 4 GiB.
   */
  writeSilence(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`writeSilence: count must be an integer >= 0, got ${count}`);
    this.flush();
    this.file.skip(count * 2);
    this.samples += count;
  }

  private flush(): void {
    if (this.fill === 0) return;
    // WAV is little-endian, as is every platform Node supports here.
    this.file.write(new Uint8Array(this.pending.buffer, 0, this.fill * 2));
    this.fill = 0;
  }

  get sampleCount(): number {
    return this.samples;
  }

  commit(): void {
    this.flush();
    this.file.writeAt(0, wavHeader(this.sampleRate, this.samples));
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}

/**
 * The 80-byte header of a 16-bit mono PCM WAV of `samples` samples: RIFF with a JUNK chunk while
 * the RIFF size fits 32 bits, RF64 with ds64 (EBU Tech 3306 section 3) beyond.
 */
export function wavHeader(rate: number, samples: number): Uint8Array {
  const b = Buffer.alloc(WAV_HEADER_BYTES);
  const dataBytes = samples * 2;
  const riffBytes = WAV_HEADER_BYTES - 8 + dataBytes;
  const rf64 = riffBytes > U32_MAX;
  b.write(rf64 ? 'RF64' : 'RIFF', 0, 'ascii');
  b.writeUInt32LE(rf64 ? U32_MAX : riffBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write(rf64 ? 'ds64' : 'JUNK', 12, 'ascii');
  b.writeUInt32LE(DS64_BYTES, 16);
  if (rf64) {
    // ds64: RIFF size, data size and sample count as 64-bit little-endian; no size table.
    b.writeBigUInt64LE(BigInt(riffBytes), 20);
    b.writeBigUInt64LE(BigInt(dataBytes), 28);
    b.writeBigUInt64LE(BigInt(samples), 36);
    b.writeUInt32LE(0, 44);
  }
  b.write('fmt ', 48, 'ascii');
  b.writeUInt32LE(16, 52);
  b.writeUInt16LE(1, 56); // PCM
  b.writeUInt16LE(1, 58); // mono
  b.writeUInt32LE(rate, 60);
  b.writeUInt32LE(rate * 2, 64);
  b.writeUInt16LE(2, 68);
  b.writeUInt16LE(16, 70);
  b.write('data', 72, 'ascii');
  b.writeUInt32LE(rf64 ? U32_MAX : dataBytes, 76);
  return b;
}
