import { ByteView, hex32 } from './byte-view.ts';
import type { Capture, CapturedPacket, TimestampResolution } from './capture.ts';

/**
 * Classic libpcap file format (draft-ietf-opsawg-pcap §4–5): a 24-byte file header followed by
 * records of a 16-byte header plus captured bytes. The magic number fixes both the byte order of
 * every later field and the timestamp unit (µs or ns).
 */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
/** libpcap's LT_LINKTYPE mask: the upper bits of the field carry FCS information (draft §4). */
const LINKTYPE_MASK = 0x03ffffff;

function byteSwap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Classify the first four bytes as a classic pcap magic, or null. */
export function sniffPcapMagic(bytes: Uint8Array): { littleEndian: boolean; nanos: boolean } | null {
  if (bytes.length < 4) return null;
  const le = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  for (const [magic, nanos] of [
    [PCAP_MAGIC_MICROS, false],
    [PCAP_MAGIC_NANOS, true],
  ] as const) {
    if (le === magic) return { littleEndian: true, nanos };
    if (le === byteSwap32(magic)) return { littleEndian: false, nanos };
  }
  return null;
}

export function readPcap(bytes: Uint8Array, file?: string): Capture {
  const v = new ByteView(bytes, file);
  v.need(0, FILE_HEADER_LEN, 'pcap file header');
  const sniff = sniffPcapMagic(bytes);
  if (sniff === null) {
    throw v.fail(0, 'bad pcap magic', `expected a1b2c3d4 or a1b23c4d in either byte order, got ${hex32(v.u32le(0))}`);
  }
  v.littleEndian = sniff.littleEndian;
  const major = v.u16(4);
  if (major !== 2) throw v.fail(4, `unsupported pcap major version ${major}`, 'expected 2');
  // thiszone (offset 8) is always 0 in practice and sigfigs (12) is unused; both are ignored.
  const snapLen = v.u32(16);
  const linkType = v.u32(20) & LINKTYPE_MASK;
  const tsResolution: TimestampResolution = { base: 10, exponent: sniff.nanos ? 9 : 6 };
  const fracPerMs = sniff.nanos ? 1e6 : 1e3;

  const packets: CapturedPacket[] = [];
  let off = FILE_HEADER_LEN;
  while (off < bytes.length) {
    v.need(off, RECORD_HEADER_LEN, 'record header');
    const sec = v.u32(off);
    const frac = v.u32(off + 4);
    const inclLen = v.u32(off + 8);
    const origLen = v.u32(off + 12);
    const dataOff = off + RECORD_HEADER_LEN;
    v.need(dataOff, inclLen, `record data (record at byte ${off}, captured length ${inclLen})`);
    packets.push({
      tsMs: sec * 1000 + frac / fracPerMs,
      data: v.slice(dataOff, inclLen),
      interfaceId: 0,
      linkType,
      originalLength: origLen,
      timestampKnown: true,
    });
    off = dataOff + inclLen;
  }
  return {
    format: 'pcap',
    ...(file !== undefined ? { file } : {}),
    byteOrder: sniff.littleEndian ? 'little' : 'big',
    linkType,
    interfaces: [{ linkType, snapLen, tsResolution }],
    packets,
  };
}
