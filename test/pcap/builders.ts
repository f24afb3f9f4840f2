/** Hand-built capture bytes for the tests (independent of the code under test where it matters). */

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function u16(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}

export function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}

export function be16(v: number): Uint8Array {
  return u16(v, false);
}

const pad4 = (n: number): number => (n + 3) & ~3;

export interface RtpSpec {
  seq: number;
  timestamp: number;
  ssrc: number;
  payloadType?: number;
  marker?: boolean;
  payload?: Uint8Array;
  csrcs?: number[];
  extensionWords?: number;
  padding?: number;
}

export function rtpPacket(s: RtpSpec): Uint8Array {
  const csrcs = s.csrcs ?? [];
  const payload = s.payload ?? new Uint8Array(20).fill(0xab);
  const ext = s.extensionWords !== undefined ? concat(be16(0xbede), be16(s.extensionWords), new Uint8Array(4 * s.extensionWords)) : new Uint8Array(0);
  const pad = s.padding ?? 0;
  const head = new Uint8Array(12);
  const dv = new DataView(head.buffer);
  head[0] = 0x80 | (pad > 0 ? 0x20 : 0) | (s.extensionWords !== undefined ? 0x10 : 0) | csrcs.length;
  head[1] = ((s.marker ?? false) ? 0x80 : 0) | (s.payloadType ?? 111);
  dv.setUint16(2, s.seq & 0xffff);
  dv.setUint32(4, s.timestamp >>> 0);
  dv.setUint32(8, s.ssrc >>> 0);
  const padding = new Uint8Array(pad);
  if (pad > 0) padding[pad - 1] = pad;
  return concat(head, ...csrcs.map((c) => u32(c, false)), ext, payload, padding);
}

/** IPv4 + UDP with optional IP options and fragment field; checksums left 0 (not verified by readers). */
export function ipv4Udp(o: {
  src?: number[];
  dst?: number[];
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  options?: Uint8Array;
  flagsFrag?: number;
  protocol?: number;
}): Uint8Array {
  const options = o.options ?? new Uint8Array(0);
  const hdrLen = 20 + options.length;
  const udp = concat(be16(o.srcPort), be16(o.dstPort), be16(8 + o.payload.length), be16(0), o.payload);
  const ip = new Uint8Array(hdrLen);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x40 | (hdrLen / 4);
  dv.setUint16(2, hdrLen + udp.length);
  dv.setUint16(6, o.flagsFrag ?? 0);
  ip[8] = 64;
  ip[9] = o.protocol ?? 17;
  ip.set(o.src ?? [192, 0, 2, 1], 12);
  ip.set(o.dst ?? [192, 0, 2, 2], 16);
  ip.set(options, 20);
  return concat(ip, udp);
}

/** IPv6 + extension headers (each given as [nextHeaderType, bodyBytesAfterFirstTwo]) + UDP. */
export function ipv6Udp(o: {
  src: number[];
  dst: number[];
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  ext?: { type: number; raw: Uint8Array }[];
}): Uint8Array {
  const exts = o.ext ?? [];
  const udp = concat(be16(o.srcPort), be16(o.dstPort), be16(8 + o.payload.length), be16(0), o.payload);
  // Each ext raw already has its own length byte; we only fill in the next-header bytes.
  const chain: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const raw = exts[i]!.raw.slice();
    raw[0] = i + 1 < exts.length ? exts[i + 1]!.type : 17;
    chain.push(raw);
  }
  const body = concat(...chain, udp);
  const ip = new Uint8Array(40);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x60;
  dv.setUint16(4, body.length);
  ip[6] = exts.length > 0 ? exts[0]!.type : 17;
  ip[7] = 64;
  ip.set(o.src, 8);
  ip.set(o.dst, 24);
  return concat(ip, body);
}

export function ethernet(ethertype: number, payload: Uint8Array, vlanTpids: number[] = []): Uint8Array {
  const macs = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  const tags = vlanTpids.map((tpid, i) => concat(be16(tpid), be16(100 + i)));
  return concat(macs, ...tags, be16(ethertype), payload);
}

export function sll(protocol: number, payload: Uint8Array): Uint8Array {
  return concat(be16(0), be16(1), be16(6), Uint8Array.of(1, 2, 3, 4, 5, 6, 0, 0), be16(protocol), payload);
}

export function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  return concat(be16(protocol), be16(0), u32(3, false), be16(1), Uint8Array.of(0, 6), Uint8Array.of(1, 2, 3, 4, 5, 6, 0, 0), payload);
}

export interface PcapRecord {
  sec: number;
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

/** A classic pcap with the given magic and byte order. */
export function classicPcap(o: { magic: number; le: boolean; linkType: number; records: PcapRecord[] }): Uint8Array {
  const header = concat(u32(o.magic, o.le), u16(2, o.le), u16(4, o.le), u32(0, o.le), u32(0, o.le), u32(65535, o.le), u32(o.linkType, o.le));
  const recs = o.records.map((r) =>
    concat(u32(r.sec, o.le), u32(r.frac, o.le), u32(r.data.length, o.le), u32(r.origLen ?? r.data.length, o.le), r.data),
  );
  return concat(header, ...recs);
}

// ---- pcapng ----

export function ngOption(code: number, value: Uint8Array, le: boolean): Uint8Array {
  return concat(u16(code, le), u16(value.length, le), value, new Uint8Array(pad4(value.length) - value.length));
}

export function ngEndOfOptions(le: boolean): Uint8Array {
  return concat(u16(0, le), u16(0, le));
}

export function ngBlock(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = concat(body, new Uint8Array(pad4(body.length) - body.length));
  const total = 12 + padded.length;
  return concat(u32(type, le), u32(total, le), padded, u32(total, le));
}

export function ngShb(le: boolean): Uint8Array {
  const sectionLen = new Uint8Array(8).fill(0xff); // -1: unknown
  return ngBlock(0x0a0d0d0a, concat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), sectionLen), le);
}

export function ngIdb(linkType: number, snapLen: number, le: boolean, options: Uint8Array[] = []): Uint8Array {
  const opts = options.length > 0 ? concat(...options, ngEndOfOptions(le)) : new Uint8Array(0);
  return ngBlock(1, concat(u16(linkType, le), u16(0, le), u32(snapLen, le), opts), le);
}

export function ngEpb(ifId: number, units: bigint, data: Uint8Array, le: boolean, origLen?: number): Uint8Array {
  const high = Number(units >> 32n);
  const low = Number(units & 0xffffffffn);
  return ngBlock(6, concat(u32(ifId, le), u32(high, le), u32(low, le), u32(data.length, le), u32(origLen ?? data.length, le), data), le);
}

export function ngSpb(data: Uint8Array, le: boolean, origLen?: number): Uint8Array {
  return ngBlock(3, concat(u32(origLen ?? data.length, le), data), le);
}
