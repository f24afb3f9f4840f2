/**
 * XOR parity FEC (RFC 5109 section 7 recovery rules) in FlexFEC's L×D layouts (RFC 8627
 * section 1.1.2-1.1.5): media packets are laid out row-major in blocks of L columns × D rows.
 *
 * - 'row': one FEC packet per row of L consecutive packets (1-D non-interleaved). Repairs one
 *   loss per row.
 * - 'column': one FEC packet per column (the packets L apart within the block; 1-D interleaved).
 *   Repairs one loss per column, so a burst of up to L.
 * - 'row+column': both (2-D). The decoder iterates row and column repairs until nothing more can
 *   be rebuilt, so e.g. a whole lost row is repaired by the columns.
 *
 * FEC packets are RTP packets in their own SSRC/PT/sequence space; their payload is the header
 * documented in parity-fec-header.ts.
 */
import { checkRtpInt, RtpFieldError } from './errors.ts';
import { RTP_FIXED_HEADER_BYTES } from './header.ts';
import { parseRtp, serializeRtp, tryParseRtp } from './packet.ts';
import { parseParityFec, serializeParityFec, type ParityFecHeader, type ParityFecKind } from './parity-fec-header.ts';
import { seqAdd, SeqUnwrapper } from './wrap.ts';

export type ParityFecLayout = 'row' | 'column' | 'row+column';

export interface ParityFecEncoderOptions {
  /** Columns: packets per row group, 1..255. */
  L: number;
  /** Rows per block, 1..255. */
  D: number;
  payloadType: number;
  /** SSRC of the FEC stream (distinct from the media SSRC). */
  ssrc: number;
  /** First sequence number of the FEC stream (default 0; draw it from the seed). */
  initialSeq?: number;
  /** Default: 'row' when D = 1, else 'row+column'. 'column' and 'row+column' need D ≥ 2. */
  layout?: ParityFecLayout;
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Builds the parity header protecting `members` (serialized media packets, in set order). */
export function buildParityFec(
  members: readonly Uint8Array[],
  snBase: number,
  stride: number,
  mediaSsrc: number,
  kind: ParityFecKind,
): ParityFecHeader {
  let protectionLength = 0;
  for (const m of members) protectionLength = Math.max(protectionLength, m.length - RTP_FIXED_HEADER_BYTES);
  const payloadRecovery = new Uint8Array(protectionLength);
  let pxcc = 0;
  let mpt = 0;
  let ts = 0;
  let len = 0;
  for (const m of members) {
    pxcc ^= m[0] & 0x3f;
    mpt ^= m[1];
    ts ^= readU32(m, 4);
    len ^= m.length - RTP_FIXED_HEADER_BYTES;
    for (let i = RTP_FIXED_HEADER_BYTES; i < m.length; i++) payloadRecovery[i - RTP_FIXED_HEADER_BYTES] ^= m[i];
  }
  return {
    pxccRecovery: pxcc,
    mptRecovery: mpt,
    snBase,
    tsRecovery: ts >>> 0,
    lengthRecovery: len,
    count: members.length,
    stride,
    mediaSsrc,
    kind,
    payloadRecovery,
  };
}

interface Block {
  base: number;
  ssrc: number;
  packets: (Uint8Array | undefined)[];
  last: number;
  rowsSent: boolean[];
  colsSent: boolean[];
}

export class ParityFecEncoder {
  private readonly L: number;
  private readonly D: number;
  private readonly rows: boolean;
  private readonly cols: boolean;
  private fecSeq: number;
  private block: Block | null = null;
  private expectedSeq = 0;
  private lastTimestamp = 0;

  constructor(private readonly opts: ParityFecEncoderOptions) {
    checkRtpInt('fec.L', opts.L, 1, 255);
    checkRtpInt('fec.D', opts.D, 1, 255);
    // A block must stay well inside half the 16-bit circle and the decoder's default history.
    checkRtpInt('fec.L*D', opts.L * opts.D, 1, 1024);
    checkRtpInt('fec.payloadType', opts.payloadType, 0, 127);
    checkRtpInt('fec.ssrc', opts.ssrc, 0, 0xffffffff);
    checkRtpInt('fec.initialSeq', opts.initialSeq ?? 0, 0, 0xffff);
    const layout = opts.layout ?? (opts.D === 1 ? 'row' : 'row+column');
    if (layout !== 'row' && opts.D < 2) throw new RtpFieldError('fec.D', opts.D, `layout '${layout}' needs D >= 2`);
    this.L = opts.L;
    this.D = opts.D;
    this.rows = layout !== 'column';
    this.cols = layout !== 'row';
    this.fecSeq = opts.initialSeq ?? 0;
  }

  /**
   * Feeds the next media packet (serialized; `seq` must equal its header's sequence number).
   * Returns the FEC packets completed by it (row before column). A sequence gap or SSRC change
   * closes the current block early, protecting the partial groups it has.
   */
  push(mediaPacketBytes: Uint8Array, seq: number): Uint8Array[] {
    const media = parseRtp(mediaPacketBytes);
    if (media.sequenceNumber !== seq) {
      throw new RtpFieldError('seq', seq, `header says ${media.sequenceNumber}`);
    }
    checkRtpInt('media length', mediaPacketBytes.length - RTP_FIXED_HEADER_BYTES, 0, 0xffff);
    const out: Uint8Array[] = [];
    if (this.block && (seq !== this.expectedSeq || media.ssrc !== this.block.ssrc)) out.push(...this.flush());
    if (!this.block) {
      this.block = {
        base: seq,
        ssrc: media.ssrc,
        packets: new Array<Uint8Array | undefined>(this.L * this.D),
        last: -1,
        rowsSent: new Array<boolean>(this.D).fill(false),
        colsSent: new Array<boolean>(this.L).fill(false),
      };
    }
    const b = this.block;
    const k = b.last + 1;
    b.packets[k] = mediaPacketBytes.slice();
    b.last = k;
    this.expectedSeq = seqAdd(seq, 1);
    this.lastTimestamp = media.timestamp;
    const r = Math.floor(k / this.L);
    const c = k % this.L;
    if (this.rows && c === this.L - 1) out.push(this.emitRow(b, r));
    if (this.cols && r === this.D - 1) out.push(this.emitColumn(b, c));
    if (k === this.L * this.D - 1) this.block = null;
    return out;
  }

  /** Protects whatever partial row/column groups the open block has, and closes it. */
  flush(): Uint8Array[] {
    const b = this.block;
    if (!b) return [];
    const out: Uint8Array[] = [];
    if (b.last >= 0) {
      const lastRow = Math.floor(b.last / this.L);
      if (this.rows && !b.rowsSent[lastRow]) out.push(this.emitRow(b, lastRow));
      if (this.cols) {
        for (let c = 0; c < this.L && c <= b.last; c++) if (!b.colsSent[c]) out.push(this.emitColumn(b, c));
      }
    }
    this.block = null;
    return out;
  }

  private emitRow(b: Block, r: number): Uint8Array {
    const members: Uint8Array[] = [];
    for (let k = r * this.L; k < (r + 1) * this.L && k <= b.last; k++) members.push(b.packets[k] as Uint8Array);
    b.rowsSent[r] = true;
    return this.wrap(buildParityFec(members, seqAdd(b.base, r * this.L), 1, b.ssrc, 'row'));
  }

  private emitColumn(b: Block, c: number): Uint8Array {
    const members: Uint8Array[] = [];
    for (let k = c; k <= b.last; k += this.L) members.push(b.packets[k] as Uint8Array);
    b.colsSent[c] = true;
    return this.wrap(buildParityFec(members, seqAdd(b.base, c), this.L, b.ssrc, 'column'));
  }

  private wrap(h: ParityFecHeader): Uint8Array {
    const seq = this.fecSeq;
    this.fecSeq = seqAdd(seq, 1);
    return serializeRtp({
      version: 2,
      padding: 0,
      marker: false,
      payloadType: this.opts.payloadType,
      sequenceNumber: seq,
      // The FEC stream reuses the media clock: the timestamp of the newest protected packet.
      timestamp: this.lastTimestamp,
      ssrc: this.opts.ssrc,
      csrcs: [],
      extension: null,
      payload: serializeParityFec(h),
    });
  }
}

export interface ParityFecDecoderOptions {
  /** Media SSRC to protect; default: the first one seen (media or FEC's protected SSRC). */
  mediaSsrc?: number;
  /** Media packets/FEC groups older than this many sequence numbers behind the newest are dropped (default 1024). */
  historyPackets?: number;
}

interface FecGroup {
  baseExt: number;
  h: ParityFecHeader;
}

/**
 * Receiver side: collects media and FEC packets of one media stream and rebuilds missing media
 * packets by XOR (RFC 5109 section 8), iterating until no group can repair anything more.
 */
export class ParityFecDecoder {
  private ssrc: number | null;
  private readonly history: number;
  private readonly unwrapper = new SeqUnwrapper();
  private readonly media = new Map<number, Uint8Array>();
  private groups: FecGroup[] = [];

  constructor(opts: ParityFecDecoderOptions = {}) {
    if (opts.mediaSsrc !== undefined) checkRtpInt('mediaSsrc', opts.mediaSsrc, 0, 0xffffffff);
    checkRtpInt('historyPackets', opts.historyPackets ?? 1024, 16, 32768);
    this.ssrc = opts.mediaSsrc ?? null;
    this.history = opts.historyPackets ?? 1024;
  }

  /**
   * Adds a received media packet. Returns false when ignored (other SSRC, duplicate or too old).
   * Throws `RtpParseError` on malformed bytes.
   */
  addMedia(bytes: Uint8Array): boolean {
    const p = parseRtp(bytes);
    if (!this.acceptSsrc(p.ssrc)) return false;
    const ext = this.unwrapper.unwrap(p.sequenceNumber);
    if (this.tooOld(ext) || this.media.has(ext)) return false;
    this.media.set(ext, bytes.slice());
    this.prune();
    return true;
  }

  /**
   * Adds a received FEC packet (serialized RTP). Returns false when it protects another SSRC or
   * is too old. Throws `RtpParseError` on malformed bytes.
   */
  addFec(bytes: Uint8Array): boolean {
    const h = parseParityFec(parseRtp(bytes).payload);
    if (!this.acceptSsrc(h.mediaSsrc)) return false;
    const baseExt = this.unwrapper.unwrap(h.snBase);
    if (this.tooOld(baseExt + (h.count - 1) * h.stride)) return false;
    this.groups.push({ baseExt, h });
    this.prune();
    return true;
  }

  /** Media packets rebuilt since the last call (serialized RTP), in the order rebuilt. */
  recover(): Uint8Array[] {
    const rebuilt: Uint8Array[] = [];
    let progress = true;
    while (progress) {
      progress = false;
      const keep: FecGroup[] = [];
      for (const g of this.groups) {
        let missing: number | null = null;
        let nMissing = 0;
        for (let i = 0; i < g.h.count; i++) {
          const ext = g.baseExt + i * g.h.stride;
          if (!this.media.has(ext)) {
            nMissing++;
            missing = ext;
          }
        }
        if (nMissing === 0) continue; // fully received: the group is spent
        if (nMissing > 1 || missing === null) {
          keep.push(g);
          continue;
        }
        const pkt = this.rebuild(g, missing);
        if (pkt) {
          this.media.set(missing, pkt);
          rebuilt.push(pkt);
          progress = true;
        }
        // Either rebuilt or inconsistent (corrupt FEC): the group has nothing more to give.
      }
      this.groups = keep;
    }
    return rebuilt;
  }

  private rebuild(g: FecGroup, target: number): Uint8Array | null {
    const h = g.h;
    const buf = h.payloadRecovery.slice();
    let pxcc = h.pxccRecovery;
    let mpt = h.mptRecovery;
    let ts = h.tsRecovery;
    let len = h.lengthRecovery;
    for (let i = 0; i < h.count; i++) {
      const ext = g.baseExt + i * h.stride;
      if (ext === target) continue;
      const m = this.media.get(ext) as Uint8Array;
      if (m.length - RTP_FIXED_HEADER_BYTES > buf.length) return null;
      pxcc ^= m[0] & 0x3f;
      mpt ^= m[1];
      ts ^= readU32(m, 4);
      len ^= m.length - RTP_FIXED_HEADER_BYTES;
      for (let j = RTP_FIXED_HEADER_BYTES; j < m.length; j++) buf[j - RTP_FIXED_HEADER_BYTES] ^= m[j];
    }
    if (len > buf.length) return null;
    const out = new Uint8Array(RTP_FIXED_HEADER_BYTES + len);
    const dv = new DataView(out.buffer);
    out[0] = 0x80 | pxcc;
    out[1] = mpt;
    dv.setUint16(2, seqAdd(target, 0));
    dv.setUint32(4, ts >>> 0);
    dv.setUint32(8, h.mediaSsrc);
    out.set(buf.subarray(0, len), RTP_FIXED_HEADER_BYTES);
    return tryParseRtp(out).ok ? out : null;
  }

  private acceptSsrc(ssrc: number): boolean {
    if (this.ssrc === null) this.ssrc = ssrc;
    return this.ssrc === ssrc;
  }

  private tooOld(ext: number): boolean {
    const max = this.unwrapper.max;
    return max !== null && ext < max - this.history;
  }

  private prune(): void {
    if (this.media.size <= 2 * this.history && this.groups.length <= 2 * this.history) return;
    for (const k of [...this.media.keys()]) if (this.tooOld(k)) this.media.delete(k);
    this.groups = this.groups.filter((g) => !this.tooOld(g.baseExt + (g.h.count - 1) * g.h.stride));
  }
}
