import { PcapWriteError } from './errors.ts';
import { internetChecksum } from './inet-checksum.ts';
import { parseIpv4 } from './ip-address.ts';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from './link-layer.ts';
import { PCAP_MAGIC_MICROS } from './pcap-reader.ts';

/**
 * Writes a classic little-endian, microsecond pcap of UDP/IPv4 datagrams, either inside Ethernet
 * II frames (link type 1) or as raw IPv4 (link type 101). Headers are real: IPv4 header checksum
 * (RFC 791) and UDP checksum over the pseudo-header (RFC 768) are both computed, so Wireshark
 * shows no checksum warnings.
 */
export interface UdpPacketSpec {
  /** Capture timestamp, float ms since the Unix epoch (≥ 0); stored rounded to 1 µs. */
  readonly tsMs: number;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
  /** DiffServ code point (RFC 2474), e.g. 46 (EF) for voice. Default 0. */
  readonly dscp?: number;
}

export interface PcapWriterOptions {
  readonly linkType?: typeof LINKTYPE_ETHERNET | typeof LINKTYPE_RAW;
  readonly snapLen?: number;
}

const IPV4_HEADER_LEN = 20;
const UDP_HEADER_LEN = 8;
const ETH_HEADER_LEN = 14;
const MAX_UDP_PAYLOAD = 0xffff - IPV4_HEADER_LEN - UDP_HEADER_LEN;

function ipv4(s: string, what: string): Uint8Array {
  const a = parseIpv4(s);
  if (a === null) throw new PcapWriteError(`${what} "${s}" is not a dotted-quad IPv4 address`);
  return a;
}

function port(p: number, what: string): number {
  if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new PcapWriteError(`${what} ${p} is not a UDP port (0–65535)`);
  return p;
}

/** Locally administered unicast MAC 02:00:a.b.c.d derived from the IPv4 address. */
function macFor(ip: Uint8Array): Uint8Array {
  return Uint8Array.of(0x02, 0x00, ip[0]!, ip[1]!, ip[2]!, ip[3]!);
}

export class PcapWriter {
  readonly linkType: number;
  readonly snapLen: number;
  private readonly records: Uint8Array[] = [];
  private ipId = 0;

  constructor(options: PcapWriterOptions = {}) {
    this.linkType = options.linkType ?? LINKTYPE_ETHERNET;
    this.snapLen = options.snapLen ?? 262144;
    if (this.linkType !== LINKTYPE_ETHERNET && this.linkType !== LINKTYPE_RAW) {
      throw new PcapWriteError(`link type ${this.linkType} not supported (1 Ethernet or 101 raw IPv4)`);
    }
  }

  get packetCount(): number {
    return this.records.length;
  }

  addUdp(spec: UdpPacketSpec): void {
    const src = ipv4(spec.srcIp, 'srcIp');
    const dst = ipv4(spec.dstIp, 'dstIp');
    const srcPort = port(spec.srcPort, 'srcPort');
    const dstPort = port(spec.dstPort, 'dstPort');
    const dscp = spec.dscp ?? 0;
    if (!Number.isInteger(dscp) || dscp < 0 || dscp > 63) throw new PcapWriteError(`dscp ${dscp} is not 0–63`);
    if (spec.payload.length > MAX_UDP_PAYLOAD) {
      throw new PcapWriteError(`payload of ${spec.payload.length} bytes exceeds one IPv4 datagram (${MAX_UDP_PAYLOAD})`);
    }
    if (!Number.isFinite(spec.tsMs) || spec.tsMs < 0) throw new PcapWriteError(`tsMs ${spec.tsMs} is not a finite time ≥ 0`);

    const udpLen = UDP_HEADER_LEN + spec.payload.length;
    const ipLen = IPV4_HEADER_LEN + udpLen;
    const l2 = this.linkType === LINKTYPE_ETHERNET ? ETH_HEADER_LEN : 0;
    const frame = new Uint8Array(l2 + ipLen);
    const dv = new DataView(frame.buffer);
    if (l2 > 0) {
      frame.set(macFor(dst), 0);
      frame.set(macFor(src), 6);
      dv.setUint16(12, 0x0800);
    }
    const ip = frame.subarray(l2, l2 + IPV4_HEADER_LEN);
    ip[0] = 0x45; // version 4, IHL 5
    ip[1] = dscp << 2;
    dv.setUint16(l2 + 2, ipLen);
    dv.setUint16(l2 + 4, this.ipId);
    this.ipId = (this.ipId + 1) & 0xffff;
    dv.setUint16(l2 + 6, 0x4000); // DF, offset 0
    ip[8] = 64; // TTL
    ip[9] = 17; // UDP
    ip.set(src, 12);
    ip.set(dst, 16);
    dv.setUint16(l2 + 10, internetChecksum(ip));

    const u = l2 + IPV4_HEADER_LEN;
    dv.setUint16(u, srcPort);
    dv.setUint16(u + 2, dstPort);
    dv.setUint16(u + 4, udpLen);
    frame.set(spec.payload, u + UDP_HEADER_LEN);
    // RFC 768 pseudo-header: src, dst, zero, protocol, UDP length. A computed 0 is sent as 0xffff.
    const pseudo = new Uint8Array(12);
    pseudo.set(src, 0);
    pseudo.set(dst, 4);
    pseudo[9] = 17;
    pseudo[10] = udpLen >> 8;
    pseudo[11] = udpLen & 0xff;
    const sum = internetChecksum(pseudo, frame.subarray(u, u + udpLen));
    dv.setUint16(u + 6, sum === 0 ? 0xffff : sum);

    this.addFrame(spec.tsMs, frame);
  }

  /** Append an already-built link-layer frame (must match the writer's link type). */
  addFrame(tsMs: number, frame: Uint8Array): void {
    if (!Number.isFinite(tsMs) || tsMs < 0) throw new PcapWriteError(`tsMs ${tsMs} is not a finite time ≥ 0`);
    let sec = Math.floor(tsMs / 1000);
    let usec = Math.round((tsMs - sec * 1000) * 1000);
    if (usec >= 1_000_000) {
      sec += 1;
      usec -= 1_000_000;
    }
    if (sec > 0xffffffff) throw new PcapWriteError(`tsMs ${tsMs} is beyond the 32-bit seconds field`);
    const capLen = Math.min(frame.length, this.snapLen);
    const rec = new Uint8Array(16 + capLen);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, sec, true);
    dv.setUint32(4, usec, true);
    dv.setUint32(8, capLen, true);
    dv.setUint32(12, frame.length, true);
    rec.set(frame.subarray(0, capLen), 16);
    this.records.push(rec);
  }

  toBytes(): Uint8Array {
    const total = 24 + this.records.reduce((n, r) => n + r.length, 0);
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, PCAP_MAGIC_MICROS, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setUint32(16, this.snapLen, true);
    dv.setUint32(20, this.linkType, true);
    let off = 24;
    for (const r of this.records) {
      out.set(r, off);
      off += r.length;
    }
    return out;
  }
}
