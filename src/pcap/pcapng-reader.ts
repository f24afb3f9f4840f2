import { ByteView, hex32 } from './byte-view.ts';
import type { Capture, CaptureInterface, CapturedPacket, TimestampResolution } from './capture.ts';

/**
 * pcapng (draft-ietf-opsawg-pcapng). A file is one or more sections; each starts with a Section
 * Header Block whose byte-order magic fixes the byte order of the section. Interfaces (IDBs) are
 * numbered per section; packets (EPB, SPB, obsolete PB) refer to them. Every block is
 * type(4) | total length(4) | body | total length(4), so unknown blocks are skipped by length (§3.1).
 */
export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002; // obsolete Packet Block (Appendix A)
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;

const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface SectionInterface {
  readonly globalId: number;
  readonly info: CaptureInterface;
  readonly unitsPerSecond: bigint;
  readonly offsetSeconds: bigint;
}

interface OptionValue {
  readonly code: number;
  readonly offset: number;
  readonly value: Uint8Array;
}

const BLOCK_NAMES: Record<number, string> = {
  [PCAPNG_SHB_TYPE]: 'Section Header Block',
  [BT_IDB]: 'Interface Description Block',
  [BT_PB]: 'Packet Block',
  [BT_SPB]: 'Simple Packet Block',
  [BT_EPB]: 'Enhanced Packet Block',
};

function blockName(type: number): string {
  return BLOCK_NAMES[type] ?? `block type 0x${hex32(type)}`;
}

const pad4 = (n: number): number => (n + 3) & ~3;

/** Options (§3.5): code(2) | length(2) | value padded to 4 bytes; ends at opt_endofopt or block end. */
function readOptions(v: ByteView, start: number, end: number): OptionValue[] {
  const out: OptionValue[] = [];
  let pos = start;
  while (end - pos >= 4) {
    const code = v.u16(pos);
    const len = v.u16(pos + 2);
    if (code === OPT_ENDOFOPT) break;
    if (pos + 4 + len > end) {
      throw v.fail(pos, `option ${code} overruns its block`, `length ${len}, ${end - pos - 4} bytes left in block`);
    }
    out.push({ code, offset: pos, value: v.bytes.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + pad4(len);
  }
  return out;
}

/** if_tsresol (§4.2): MSB clear → 10^-n s, MSB set → 2^-n s; absent → 10^-6. */
function tsResolutionOf(v: ByteView, opts: readonly OptionValue[]): TimestampResolution {
  const opt = opts.find((o) => o.code === OPT_IF_TSRESOL);
  if (opt === undefined) return { base: 10, exponent: 6 };
  if (opt.value.length !== 1) throw v.fail(opt.offset, 'bad if_tsresol option', `length 1, got ${opt.value.length}`);
  const b = opt.value[0]!;
  return (b & 0x80) !== 0 ? { base: 2, exponent: b & 0x7f } : { base: 10, exponent: b };
}

function tsOffsetOf(v: ByteView, opts: readonly OptionValue[]): bigint {
  const opt = opts.find((o) => o.code === OPT_IF_TSOFFSET);
  if (opt === undefined) return 0n;
  if (opt.value.length !== 8) throw v.fail(opt.offset, 'bad if_tsoffset option', `length 8, got ${opt.value.length}`);
  return v.i64(opt.offset + 4);
}

function nameOf(opts: readonly OptionValue[]): string | undefined {
  const opt = opts.find((o) => o.code === OPT_IF_NAME);
  if (opt === undefined) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(opt.value).replace(/\0+$/, '');
}

/** Timestamp in interface units → float ms; BigInt keeps 64-bit ns counts exact before scaling. */
function unitsToMs(units: bigint, iface: SectionInterface): number {
  const ups = iface.unitsPerSecond;
  const sec = units / ups + iface.offsetSeconds;
  return Number(sec) * 1000 + (Number(units % ups) * 1000) / Number(ups);
}

export function readPcapng(bytes: Uint8Array, file?: string): Capture {
  const v = new ByteView(bytes, file);
  const interfaces: CaptureInterface[] = [];
  const packets: CapturedPacket[] = [];
  let section: SectionInterface[] | null = null;
  let firstOrder: 'little' | 'big' | null = null;
  let lastTsMs = 0;
  let off = 0;

  const ifaceFor = (localId: number, at: number, what: string): SectionInterface => {
    const iface = section![localId];
    if (iface === undefined) {
      throw v.fail(at, `${what} refers to interface ${localId}`, `section defines ${section!.length} interface(s)`);
    }
    return iface;
  };

  while (off < bytes.length) {
    v.need(off, 12, 'block header');
    let type = v.u32(off);
    if (type === PCAPNG_SHB_TYPE) {
      const magic = v.u32le(off + 8);
      if (magic === BYTE_ORDER_MAGIC) v.littleEndian = true;
      else if (magic === 0x4d3c2b1a) v.littleEndian = false;
      else throw v.fail(off + 8, 'bad pcapng byte-order magic', `expected 1a2b3c4d in either byte order, got ${hex32(magic)}`);
      firstOrder ??= v.littleEndian ? 'little' : 'big';
      section = [];
    } else if (section === null) {
      throw v.fail(off, 'missing pcapng Section Header Block', `expected block type 0a0d0d0a, got ${hex32(type)}`);
    }
    type = v.u32(off);
    const total = v.u32(off + 4);
    const name = blockName(type);
    if (total < 12 || total % 4 !== 0) {
      throw v.fail(off + 4, `bad ${name} total length ${total}`, 'expected a multiple of 4, at least 12');
    }
    v.need(off, total, `${name} (total length ${total})`);
    const trailer = v.u32(off + total - 4);
    if (trailer !== total) {
      throw v.fail(off + total - 4, `${name} trailing length ${trailer} differs from leading length`, `expected ${total}`);
    }
    const body = off + 8;
    const bodyEnd = off + total - 4;
    const bodyLen = bodyEnd - body;
    const needBody = (n: number): void => {
      if (bodyLen < n) throw v.fail(off, `${name} too short`, `body needs at least ${n} bytes, has ${bodyLen}`);
    };

    switch (type) {
      case PCAPNG_SHB_TYPE: {
        needBody(16);
        const major = v.u16(body + 4);
        if (major !== 1) throw v.fail(body + 4, `unsupported pcapng major version ${major}`, 'expected 1');
        break;
      }
      case BT_IDB: {
        needBody(8);
        const opts = readOptions(v, body + 8, bodyEnd);
        const tsResolution = tsResolutionOf(v, opts);
        const ifName = nameOf(opts);
        const info: CaptureInterface = {
          linkType: v.u16(body),
          snapLen: v.u32(body + 4),
          tsResolution,
          ...(ifName !== undefined ? { name: ifName } : {}),
        };
        section!.push({
          globalId: interfaces.length,
          info,
          unitsPerSecond: BigInt(tsResolution.base) ** BigInt(tsResolution.exponent),
          offsetSeconds: tsOffsetOf(v, opts),
        });
        interfaces.push(info);
        break;
      }
      case BT_EPB:
      case BT_PB: {
        needBody(20);
        // EPB: interface id is 32 bits; obsolete PB: 16-bit id then 16-bit drop count.
        const localId = type === BT_EPB ? v.u32(body) : v.u16(body);
        const iface = ifaceFor(localId, body, name);
        const units = (BigInt(v.u32(body + 4)) << 32n) | BigInt(v.u32(body + 8));
        const capLen = v.u32(body + 12);
        const origLen = v.u32(body + 16);
        if (capLen > bodyLen - 20) {
          throw v.fail(body + 12, `${name} captured length ${capLen} overruns its block`, `at most ${bodyLen - 20}`);
        }
        readOptions(v, body + 20 + pad4(capLen), bodyEnd); // validates option framing
        lastTsMs = unitsToMs(units, iface);
        packets.push({
          tsMs: lastTsMs,
          data: v.slice(body + 20, capLen),
          interfaceId: iface.globalId,
          linkType: iface.info.linkType,
          originalLength: origLen,
          timestampKnown: true,
        });
        break;
      }
      case BT_SPB: {
        needBody(4);
        // §4.4: the SPB belongs to interface 0; captured length = min(original length, snaplen, body).
        const iface = ifaceFor(0, off, name);
        const origLen = v.u32(body);
        let capLen = Math.min(origLen, bodyLen - 4);
        if (iface.info.snapLen > 0) capLen = Math.min(capLen, iface.info.snapLen);
        packets.push({
          tsMs: lastTsMs,
          data: v.slice(body + 4, capLen),
          interfaceId: iface.globalId,
          linkType: iface.info.linkType,
          originalLength: origLen,
          timestampKnown: false,
        });
        break;
      }
      default:
        break; // NRB, ISB, DSB, custom and unknown blocks: skipped by length.
    }
    off += total;
  }
  if (firstOrder === null) throw v.fail(0, 'empty pcapng file', 'need a Section Header Block');
  return {
    format: 'pcapng',
    ...(file !== undefined ? { file } : {}),
    byteOrder: firstOrder,
    linkType: interfaces[0]?.linkType ?? -1,
    interfaces,
    packets,
  };
}
