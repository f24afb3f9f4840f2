import type { Capture } from './capture.ts';
import { formatIpv4, formatIpv6 } from './ip-address.ts';
import { locateNetworkLayer } from './link-layer.ts';

/**
 * Frame → UDP datagram. Total functions: malformed frames are classified, never thrown.
 * Checksums are not verified: captures taken on the sending host usually carry offloaded
 * (not yet computed) checksums.
 */
export type UdpSkipReason = 'unsupportedLink' | 'nonIp' | 'nonUdp' | 'fragment' | 'truncated' | 'malformed';

export const UDP_SKIP_REASONS: readonly UdpSkipReason[] = [
  'unsupportedLink',
  'nonIp',
  'nonUdp',
  'fragment',
  'truncated',
  'malformed',
];

export interface UdpDatagram {
  readonly ipVersion: 4 | 6;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** UDP payload (a view into the frame). */
  readonly payload: Uint8Array;
}

export type UdpDecodeResult =
  | { readonly ok: true; readonly datagram: UdpDatagram }
  | { readonly ok: false; readonly reason: UdpSkipReason };

const IPPROTO_UDP = 17;
/** IPv6 extension headers with the generic (next header, length in 8-octet units − 1) layout: RFC 8200 §4. */
const IPV6_GENERIC_EXT = new Set([0 /* hop-by-hop */, 43 /* routing */, 60 /* destination */, 135 /* mobility */, 139 /* HIP */, 140 /* shim6 */]);
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const MAX_IPV6_EXT_HEADERS = 16;

const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const skip = (reason: UdpSkipReason): UdpDecodeResult => ({ ok: false, reason });

function decodeUdp(frame: Uint8Array, start: number, end: number, ipVersion: 4 | 6, src: string, dst: string): UdpDecodeResult {
  if (end - start < 8) return skip('truncated');
  let udpLen = u16be(frame, start + 4);
  // A zero UDP length only occurs in IPv6 jumbograms (RFC 2675 §4): take the IP payload length.
  if (udpLen === 0 && ipVersion === 6) udpLen = end - start;
  if (udpLen < 8) return skip('malformed');
  if (start + udpLen > end) return skip('truncated');
  return {
    ok: true,
    datagram: {
      ipVersion,
      src,
      dst,
      srcPort: u16be(frame, start),
      dstPort: u16be(frame, start + 2),
      payload: frame.subarray(start + 8, start + udpLen),
    },
  };
}

/** IPv4 (RFC 791 §3.1): IHL gives the header length including options; total length bounds the payload. */
function decodeIpv4(frame: Uint8Array, off: number): UdpDecodeResult {
  if (frame.length - off < 20) return skip('truncated');
  if (frame[off]! >> 4 !== 4) return skip('malformed');
  const hdrLen = (frame[off]! & 0x0f) * 4;
  if (hdrLen < 20) return skip('malformed');
  if (frame.length - off < hdrLen) return skip('truncated');
  let totalLen = u16be(frame, off + 2);
  // Total length 0 appears in captures of TCP/UDP segmentation offload; use what was captured.
  if (totalLen === 0) totalLen = frame.length - off;
  if (totalLen < hdrLen) return skip('malformed');
  if (off + totalLen > frame.length) return skip('truncated');
  const flagsFrag = u16be(frame, off + 6);
  if ((flagsFrag & 0x2000) !== 0 || (flagsFrag & 0x1fff) !== 0) return skip('fragment');
  if (frame[off + 9] !== IPPROTO_UDP) return skip('nonUdp');
  return decodeUdp(frame, off + hdrLen, off + totalLen, 4, formatIpv4(frame, off + 12), formatIpv4(frame, off + 16));
}

/** IPv6 (RFC 8200 §3–4): walk the extension-header chain to the upper-layer header. */
function decodeIpv6(frame: Uint8Array, off: number): UdpDecodeResult {
  if (frame.length - off < 40) return skip('truncated');
  if (frame[off]! >> 4 !== 6) return skip('malformed');
  const payloadLen = u16be(frame, off + 4);
  const end = payloadLen === 0 ? frame.length : off + 40 + payloadLen;
  if (end > frame.length) return skip('truncated');
  let next = frame[off + 6]!;
  let pos = off + 40;
  for (let n = 0; n <= MAX_IPV6_EXT_HEADERS; n++) {
    if (next === IPPROTO_UDP) {
      return decodeUdp(frame, pos, end, 6, formatIpv6(frame, off + 8), formatIpv6(frame, off + 24));
    }
    let len: number;
    if (IPV6_GENERIC_EXT.has(next)) {
      if (end - pos < 2) return skip('truncated');
      len = (frame[pos + 1]! + 1) * 8;
    } else if (next === IPV6_FRAGMENT) {
      if (end - pos < 8) return skip('truncated');
      const fragField = u16be(frame, pos + 2);
      // An "atomic fragment" (offset 0, M=0; RFC 6946) carries a whole datagram.
      if ((fragField & 0xfff8) !== 0 || (fragField & 1) !== 0) return skip('fragment');
      len = 8;
    } else if (next === IPV6_AH) {
      if (end - pos < 2) return skip('truncated');
      len = (frame[pos + 1]! + 2) * 4; // RFC 4302 §2.2: length in 4-octet units − 2
    } else {
      return skip('nonUdp'); // TCP, ICMPv6, ESP, No Next Header, ...
    }
    if (end - pos < len) return skip('truncated');
    next = frame[pos]!;
    pos += len;
  }
  return skip('malformed');
}

/** Decode one captured frame of the given link type down to its UDP payload. */
export function decodeUdpFrame(linkType: number, frame: Uint8Array): UdpDecodeResult {
  const net = locateNetworkLayer(linkType, frame);
  if (!net.ok) return skip(net.reason);
  return net.ipVersion === 4 ? decodeIpv4(frame, net.offset) : decodeIpv6(frame, net.offset);
}

export interface CapturedUdp extends UdpDatagram {
  readonly tsMs: number;
  readonly interfaceId: number;
  /** Index of the packet in `Capture.packets`. */
  readonly packetIndex: number;
}

export type UdpSkipCounts = Record<UdpSkipReason, number>;

export function emptyUdpSkipCounts(): UdpSkipCounts {
  return { unsupportedLink: 0, nonIp: 0, nonUdp: 0, fragment: 0, truncated: 0, malformed: 0 };
}

/** All UDP datagrams of a capture, in capture order, plus counts of the packets that were not. */
export function decodeCaptureUdp(capture: Capture): { datagrams: CapturedUdp[]; skipped: UdpSkipCounts } {
  const datagrams: CapturedUdp[] = [];
  const skipped = emptyUdpSkipCounts();
  capture.packets.forEach((p, packetIndex) => {
    const r = decodeUdpFrame(p.linkType, p.data);
    if (r.ok) datagrams.push({ ...r.datagram, tsMs: p.tsMs, interfaceId: p.interfaceId, packetIndex });
    else skipped[r.reason]++;
  });
  return { datagrams, skipped };
}
