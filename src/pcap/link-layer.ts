/**
 * Link-layer headers → start of the network-layer packet. Link-type numbers are the tcpdump.org
 * LINKTYPE_* registry values stored in pcap/pcapng files.
 */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
/** DLT_RAW as written by some BSDs (12) and OpenBSD (14) before LINKTYPE_RAW existed. */
const LINKTYPE_RAW_BSD = [12, 14];

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ 0x9100. */
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);
const MAX_VLAN_TAGS = 2;

export type NetworkLayer =
  | { readonly ok: true; readonly ipVersion: 4 | 6; readonly offset: number }
  | { readonly ok: false; readonly reason: 'unsupportedLink' | 'nonIp' | 'truncated' };

const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

function fromEthertype(ethertype: number, offset: number): NetworkLayer {
  if (ethertype === ETHERTYPE_IPV4) return { ok: true, ipVersion: 4, offset };
  if (ethertype === ETHERTYPE_IPV6) return { ok: true, ipVersion: 6, offset };
  return { ok: false, reason: 'nonIp' };
}

/** Raw IP: the version nibble of the first byte says which IP. */
function fromVersionNibble(frame: Uint8Array, offset: number): NetworkLayer {
  if (frame.length <= offset) return { ok: false, reason: 'truncated' };
  const version = frame[offset]! >> 4;
  if (version === 4 || version === 6) return { ok: true, ipVersion: version, offset };
  return { ok: false, reason: 'nonIp' };
}

/** BSD loopback address families for IPv4 (2) and IPv6 (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
function fromAddressFamily(af: number): NetworkLayer {
  if (af === 2) return { ok: true, ipVersion: 4, offset: 4 };
  if (af === 24 || af === 28 || af === 30) return { ok: true, ipVersion: 6, offset: 4 };
  return { ok: false, reason: 'nonIp' };
}

export function locateNetworkLayer(linkType: number, frame: Uint8Array): NetworkLayer {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      // dst MAC(6) src MAC(6) EtherType(2), each 802.1Q/802.1ad tag inserting TPID(2)+TCI(2).
      let off = 12;
      for (let tags = 0; ; tags++) {
        if (frame.length < off + 2) return { ok: false, reason: 'truncated' };
        const type = u16be(frame, off);
        if (!VLAN_TPIDS.has(type)) return fromEthertype(type, off + 2);
        if (tags === MAX_VLAN_TAGS) return { ok: false, reason: 'nonIp' };
        off += 4;
      }
    }
    case LINKTYPE_LINUX_SLL:
      // packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2)
      if (frame.length < 16) return { ok: false, reason: 'truncated' };
      return fromEthertype(u16be(frame, 14), 16);
    case LINKTYPE_LINUX_SLL2:
      // protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
      if (frame.length < 20) return { ok: false, reason: 'truncated' };
      return fromEthertype(u16be(frame, 0), 20);
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return fromVersionNibble(frame, 0);
    case LINKTYPE_NULL: {
      // The 4-byte family is in the capturing host's byte order, so accept either.
      if (frame.length < 4) return { ok: false, reason: 'truncated' };
      const le = frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24);
      const be = (frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!;
      const r = fromAddressFamily(le);
      return r.ok ? r : fromAddressFamily(be);
    }
    case LINKTYPE_LOOP:
      if (frame.length < 4) return { ok: false, reason: 'truncated' };
      return fromAddressFamily(((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0);
    default:
      if (LINKTYPE_RAW_BSD.includes(linkType)) return fromVersionNibble(frame, 0);
      return { ok: false, reason: 'unsupportedLink' };
  }
}
