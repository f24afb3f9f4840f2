import { readFileSync } from 'node:fs';
import { IoError } from '../core/errors.ts';
import { hex32 } from './byte-view.ts';
import type { Capture } from './capture.ts';
import { PcapParseError } from './errors.ts';
import { readPcap, sniffPcapMagic } from './pcap-reader.ts';
import { PCAPNG_SHB_TYPE, readPcapng } from './pcapng-reader.ts';

/**
 * Read a classic pcap or pcapng capture, choosing the format from the first four bytes.
 * Throws only PcapParseError on malformed or truncated input.
 */
export function readCapture(bytes: Uint8Array, file?: string): Capture {
  if (bytes.length < 4) {
    throw new PcapParseError(file, 0, 'truncated capture magic', `need 4 bytes, ${bytes.length} left`);
  }
  if (sniffPcapMagic(bytes) !== null) return readPcap(bytes, file);
  const first = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (first === PCAPNG_SHB_TYPE) return readPcapng(bytes, file);
  throw new PcapParseError(
    file,
    0,
    'unknown capture format',
    `expected pcap magic a1b2c3d4/a1b23c4d or pcapng block type 0a0d0d0a, got ${hex32(first)}`,
  );
}

/** Read a capture file from disk; I/O failures become IoError, format problems PcapParseError. */
export function readCaptureFile(path: string): Capture {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IoError(path, `cannot read: ${(e as Error).message}`);
  }
  return readCapture(bytes, path);
}
