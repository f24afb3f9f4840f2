/**
 * A 16-bit mono PCM WAV written in chunks (a one-hour call never sits in memory) and committed
 * atomically: the header's sizes are patched at the end, then the file is renamed into place.
 */
import { AtomicFileStream } from '../core/atomic-write.ts';

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
    this.file.write(header(sampleRate, 0));
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
    this.file.writeAt(0, header(this.sampleRate, this.samples));
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}

function header(rate: number, samples: number): Uint8Array {
  const b = Buffer.alloc(44);
  const dataBytes = samples * 2;
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataBytes, 40);
  return b;
}
