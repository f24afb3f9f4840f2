import { describe, expect, it } from 'vitest';
import { decodeCaptureUdp, decodeUdpFrame, formatIpv6, PcapWriter, readCapture, type UdpDecodeResult } from '../../src/pcap/index.ts';
import { concat, ethernet, ipv4Udp, ipv6Udp, ngEpb, ngIdb, ngShb, sll, sll2 } from './builders.ts';

const payload = Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 7);
const v4 = ipv4Udp({ src: [10, 1, 2, 3], dst: [192, 168, 0, 9], srcPort: 4000, dstPort: 5004, payload });
const v6src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const v6dst = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55];

function expectUdp(r: UdpDecodeResult, src: string, dst: string): void {
  expect(r.ok).toBe(true);
  if (!r.ok) return;
  expect(r.datagram.src).toBe(src);
  expect(r.datagram.dst).toBe(dst);
  expect(r.datagram.srcPort).toBe(4000);
  expect(r.datagram.dstPort).toBe(5004);
  expect([...r.datagram.payload]).toEqual([...payload]);
}

describe('link layers', () => {
  it('Ethernet without, with one and with two VLAN tags', () => {
    expectUdp(decodeUdpFrame(1, ethernet(0x0800, v4)), '10.1.2.3', '192.168.0.9');
    expectUdp(decodeUdpFrame(1, ethernet(0x0800, v4, [0x8100])), '10.1.2.3', '192.168.0.9');
    expectUdp(decodeUdpFrame(1, ethernet(0x0800, v4, [0x88a8, 0x8100])), '10.1.2.3', '192.168.0.9');
    expect(decodeUdpFrame(1, ethernet(0x0800, v4, [0x88a8, 0x8100, 0x8100]))).toEqual({ ok: false, reason: 'nonIp' });
  });

  it('ignores Ethernet padding after the IP datagram', () => {
    expectUdp(decodeUdpFrame(1, concat(ethernet(0x0800, v4), new Uint8Array(10))), '10.1.2.3', '192.168.0.9');
  });

  it('Linux cooked SLL and SLL2', () => {
    expectUdp(decodeUdpFrame(113, sll(0x0800, v4)), '10.1.2.3', '192.168.0.9');
    expectUdp(decodeUdpFrame(276, sll2(0x0800, v4)), '10.1.2.3', '192.168.0.9');
    expect(decodeUdpFrame(113, sll(0x0806, v4))).toEqual({ ok: false, reason: 'nonIp' });
  });

  it('raw IP (101, 228/229, BSD 12/14) and loopback (0, 108)', () => {
    for (const lt of [101, 228, 12, 14]) expectUdp(decodeUdpFrame(lt, v4), '10.1.2.3', '192.168.0.9');
    expectUdp(decodeUdpFrame(0, concat(Uint8Array.of(2, 0, 0, 0), v4)), '10.1.2.3', '192.168.0.9');
    expectUdp(decodeUdpFrame(108, concat(Uint8Array.of(0, 0, 0, 2), v4)), '10.1.2.3', '192.168.0.9');
  });

  it('classifies unsupported link types and non-IP ethertypes', () => {
    expect(decodeUdpFrame(105, v4)).toEqual({ ok: false, reason: 'unsupportedLink' });
    expect(decodeUdpFrame(1, ethernet(0x0806, new Uint8Array(28)))).toEqual({ ok: false, reason: 'nonIp' });
    expect(decodeUdpFrame(1, new Uint8Array(10))).toEqual({ ok: false, reason: 'truncated' });
  });
});

describe('IPv4', () => {
  it('honours IHL (header options)', () => {
    const withOpts = ipv4Udp({ src: [10, 1, 2, 3], dst: [192, 168, 0, 9], srcPort: 4000, dstPort: 5004, payload, options: Uint8Array.of(1, 1, 1, 0, 0x94, 4, 0, 0) });
    expect(withOpts[0]).toBe(0x47);
    expectUdp(decodeUdpFrame(101, withOpts), '10.1.2.3', '192.168.0.9');
  });

  it('skips fragments (MF set or non-zero offset) but accepts DF', () => {
    const mk = (flagsFrag: number) => ipv4Udp({ srcPort: 4000, dstPort: 5004, payload, flagsFrag });
    expect(decodeUdpFrame(101, mk(0x2000))).toEqual({ ok: false, reason: 'fragment' });
    expect(decodeUdpFrame(101, mk(0x0010))).toEqual({ ok: false, reason: 'fragment' });
    expect(decodeUdpFrame(101, mk(0x4000)).ok).toBe(true);
  });

  it('skips non-UDP and classifies damaged headers', () => {
    expect(decodeUdpFrame(101, ipv4Udp({ srcPort: 1, dstPort: 2, payload, protocol: 6 }))).toEqual({ ok: false, reason: 'nonUdp' });
    const badIhl = v4.slice();
    badIhl[0] = 0x44;
    expect(decodeUdpFrame(101, badIhl)).toEqual({ ok: false, reason: 'malformed' });
    expect(decodeUdpFrame(101, v4.subarray(0, v4.length - 1))).toEqual({ ok: false, reason: 'truncated' });
    const badUdpLen = v4.slice();
    badUdpLen[25] = 3; // UDP length 3 < 8
    expect(decodeUdpFrame(101, badUdpLen)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('IPv6', () => {
  it('decodes plain IPv6/UDP with RFC 5952 addresses', () => {
    expectUdp(decodeUdpFrame(1, ethernet(0x86dd, ipv6Udp({ src: v6src, dst: v6dst, srcPort: 4000, dstPort: 5004, payload }))), '2001:db8::1', 'fe80::211:22ff:fe33:4455');
  });

  it('walks hop-by-hop, destination options, routing and atomic-fragment headers', () => {
    const generic = (words: number) => {
      const raw = new Uint8Array((words + 1) * 8);
      raw[1] = words;
      return raw;
    };
    const frag = new Uint8Array(8); // offset 0, M = 0: atomic fragment
    const pkt = ipv6Udp({
      src: v6src,
      dst: v6dst,
      srcPort: 4000,
      dstPort: 5004,
      payload,
      ext: [
        { type: 0, raw: generic(0) },
        { type: 60, raw: generic(1) },
        { type: 43, raw: generic(2) },
        { type: 44, raw: frag },
      ],
    });
    expectUdp(decodeUdpFrame(101, pkt), '2001:db8::1', 'fe80::211:22ff:fe33:4455');
    expectUdp(decodeUdpFrame(113, sll(0x86dd, pkt)), '2001:db8::1', 'fe80::211:22ff:fe33:4455');
  });

  it('skips real fragments and non-UDP next headers', () => {
    const frag = new Uint8Array(8);
    frag[3] = 1; // M flag
    const pkt = ipv6Udp({ src: v6src, dst: v6dst, srcPort: 4000, dstPort: 5004, payload, ext: [{ type: 44, raw: frag }] });
    expect(decodeUdpFrame(101, pkt)).toEqual({ ok: false, reason: 'fragment' });
    const tcp = ipv6Udp({ src: v6src, dst: v6dst, srcPort: 4000, dstPort: 5004, payload });
    tcp[6] = 6;
    expect(decodeUdpFrame(101, tcp)).toEqual({ ok: false, reason: 'nonUdp' });
  });

  it('formats addresses per RFC 5952', () => {
    const f = (a: number[]) => formatIpv6(Uint8Array.from(a));
    expect(f(new Array(16).fill(0))).toBe('::');
    expect(f([...new Array(15).fill(0), 1])).toBe('::1');
    expect(f([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])).toBe('2001:db8:0:1::1');
    // longest run wins; first of equal runs
    expect(f([0x20, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])).toBe('2001:0:0:1::1');
    expect(f([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(f([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1])).toBe('::ffff:192.0.2.1');
    expect(f([0x20, 1, 0x0d, 0xb8, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1])).toBe('2001:db8:1:1:1:1:0:1');
  });
});

describe('decodeCaptureUdp', () => {
  it('returns datagrams with capture metadata and counts what it skipped', () => {
    const le = true;
    const tcp = ipv4Udp({ srcPort: 1, dstPort: 2, payload, protocol: 6 });
    const fragment = ipv4Udp({ srcPort: 1, dstPort: 2, payload, flagsFrag: 0x2000 });
    const bytes = concat(
      ngShb(le),
      ngIdb(1, 0, le),
      ngIdb(276, 0, le),
      ngEpb(0, 1000n, ethernet(0x0800, v4), le),
      ngEpb(0, 2000n, ethernet(0x0800, tcp), le),
      ngEpb(1, 3000n, sll2(0x0800, fragment), le),
      ngEpb(1, 4000n, sll2(0x0800, v4), le),
      ngEpb(0, 5000n, ethernet(0x0806, new Uint8Array(28)), le),
    );
    const { datagrams, skipped } = decodeCaptureUdp(readCapture(bytes));
    expect(datagrams.map((d) => [d.packetIndex, d.interfaceId, d.tsMs, d.dstPort])).toEqual([
      [0, 0, 1, 5004],
      [3, 1, 4, 5004],
    ]);
    expect(skipped).toEqual({ unsupportedLink: 0, nonIp: 1, nonUdp: 1, fragment: 1, truncated: 0, malformed: 0 });
  });

  it('round-trips datagrams written by PcapWriter (Ethernet and raw IPv4)', () => {
    for (const linkType of [1, 101] as const) {
      const w = new PcapWriter({ linkType });
      w.addUdp({ tsMs: 1234.567, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 4000, dstPort: 5004, payload });
      const cap = readCapture(w.toBytes());
      expect(cap.linkType).toBe(linkType);
      const { datagrams } = decodeCaptureUdp(cap);
      expect(datagrams).toHaveLength(1);
      expect(datagrams[0]!.tsMs).toBeCloseTo(1234.567, 6);
      expect([datagrams[0]!.src, datagrams[0]!.dst, datagrams[0]!.srcPort, datagrams[0]!.dstPort]).toEqual(['10.0.0.1', '10.0.0.2', 4000, 5004]);
      expect([...datagrams[0]!.payload]).toEqual([...payload]);
    }
  });
});
