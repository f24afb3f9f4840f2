import { PcapParseError } from './errors.ts';

/**
 * Bounds-checked, byte-order-aware reads over a capture buffer. Every read that would fall outside
 * the buffer becomes a PcapParseError naming the offset, so malformed input can never surface as a
 * RangeError from DataView.
 */
export class ByteView {
  private readonly dv: DataView;
  littleEndian = true;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string | undefined,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Bytes left from `offset` to the end (0 if past the end). */
  left(offset: number): number {
    return Math.max(0, this.bytes.length - offset);
  }

  /** Require `n` bytes at `offset`, describing the structure being read as `what`. */
  need(offset: number, n: number, what: string): void {
    const left = this.left(offset);
    if (n > left) throw this.fail(offset, `truncated ${what}`, `need ${n} bytes, ${left} left`);
  }

  fail(offset: number, problem: string, expected?: string): PcapParseError {
    return new PcapParseError(this.file, offset, problem, expected);
  }

  u16(offset: number): number {
    this.need(offset, 2, 'field');
    return this.dv.getUint16(offset, this.littleEndian);
  }

  u32(offset: number): number {
    this.need(offset, 4, 'field');
    return this.dv.getUint32(offset, this.littleEndian);
  }

  /** Little-endian u32 regardless of the current byte order (for sniffing magic numbers). */
  u32le(offset: number): number {
    this.need(offset, 4, 'field');
    return this.dv.getUint32(offset, true);
  }

  i64(offset: number): bigint {
    this.need(offset, 8, 'field');
    return this.dv.getBigInt64(offset, this.littleEndian);
  }

  slice(offset: number, n: number): Uint8Array {
    this.need(offset, n, 'data');
    return this.bytes.subarray(offset, offset + n);
  }
}

export function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
