import { describe, expect, it } from 'vitest';
import { internetChecksum, PcapWriteError, PcapWriter, readCapture, sipInviteWithSdp } from '../../src/pcap/index.ts';

/** One's-complement sum of 16-bit words, folded (a valid checksummed region sums to 0xffff). */
function onesSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

describe('internet checksum', () => {
  it('matches the RFC 1071 §3 worked example', () => {
    // Bytes 00 01 f2 03 f4 f5 f6 f7: sum ddf2, checksum ~ddf2 = 220d.
    expect(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7))).toBe(0x220d);
  });

  it('matches a known IPv4 header checksum', () => {
    // Classic example header (Wikipedia "IPv4 header checksum"), checksum field zeroed: b861.
    const h = Uint8Array.of(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7);
    expect(internetChecksum(h)).toBe(0xb861);
  });
});

describe('PcapWriter', () => {
  it('writes valid IPv4 and UDP checksums, DSCP, DF and incrementing IP ids', () => {
    const w = new PcapWriter();
    const payload = Uint8Array.from({ length: 33 }, (_, i) => (i * 37) & 0xff); // odd length
    w.addUdp({ tsMs: 0, srcIp: '192.0.2.10', dstIp: '198.51.100.7', srcPort: 12345, dstPort: 5004, payload, dscp: 46 });
    w.addUdp({ tsMs: 20, srcIp: '192.0.2.10', dstIp: '198.51.100.7', srcPort: 12345, dstPort: 5004, payload });
    expect(w.packetCount).toBe(2);
    const cap = readCapture(w.toBytes());
    const f = cap.packets[0]!.data;
    expect([...f.subarray(0, 6)]).toEqual([2, 0, 198, 51, 100, 7]); // dst MAC from dst IP
    expect([f[12], f[13]]).toEqual([0x08, 0x00]);
    const ip = f.subarray(14, 34);
    expect(ip[0]).toBe(0x45);
    expect(ip[1]).toBe(46 << 2);
    expect((ip[2]! << 8) | ip[3]!).toBe(20 + 8 + 33);
    expect((ip[6]! << 8) | ip[7]!).toBe(0x4000);
    expect(onesSum(ip)).toBe(0xffff);
    const udp = f.subarray(34);
    const pseudo = Uint8Array.of(192, 0, 2, 10, 198, 51, 100, 7, 0, 17, 0, 8 + 33);
    const whole = new Uint8Array(12 + udp.length + 1); // pad to even for the word sum
    whole.set(pseudo);
    whole.set(udp, 12);
    expect(onesSum(whole)).toBe(0xffff);
    expect((udp[6]! << 8) | udp[7]!).not.toBe(0);
    const ip2 = cap.packets[1]!.data.subarray(14, 34);
    expect(((ip2[4]! << 8) | ip2[5]!) - ((ip[4]! << 8) | ip[5]!)).toBe(1);
  });

  it('stores timestamps at µs resolution with carry', () => {
    const w = new PcapWriter({ linkType: 101 });
    const p = new Uint8Array(1);
    w.addUdp({ tsMs: 1_700_000_000_000.0004, srcIp: '1.2.3.4', dstIp: '5.6.7.8', srcPort: 1, dstPort: 2, payload: p });
    w.addUdp({ tsMs: 1999.9996, srcIp: '1.2.3.4', dstIp: '5.6.7.8', srcPort: 1, dstPort: 2, payload: p });
    w.addUdp({ tsMs: 3.0016, srcIp: '1.2.3.4', dstIp: '5.6.7.8', srcPort: 1, dstPort: 2, payload: p });
    const bytes = w.toBytes();
    const dv = new DataView(bytes.buffer);
    const rec2 = 24 + 16 + 29;
    expect([dv.getUint32(rec2, true), dv.getUint32(rec2 + 4, true)]).toEqual([2, 0]);
    const cap = readCapture(bytes);
    expect(cap.packets.map((x) => x.tsMs)).toEqual([1_700_000_000_000, 2000, 3.002]);
  });

  it('cuts frames at the snap length but records the original length', () => {
    const w = new PcapWriter({ snapLen: 40 });
    w.addUdp({ tsMs: 0, srcIp: '1.2.3.4', dstIp: '5.6.7.8', srcPort: 1, dstPort: 2, payload: new Uint8Array(100) });
    const p = readCapture(w.toBytes()).packets[0]!;
    expect([p.data.length, p.originalLength]).toEqual([40, 14 + 20 + 8 + 100]);
  });

  it('rejects bad addresses, ports, payload sizes and times with PcapWriteError', () => {
    const w = new PcapWriter();
    const ok = { tsMs: 0, srcIp: '1.2.3.4', dstIp: '5.6.7.8', srcPort: 1, dstPort: 2, payload: new Uint8Array(1) };
    expect(() => w.addUdp({ ...ok, srcIp: '1.2.3.256' })).toThrow(PcapWriteError);
    expect(() => w.addUdp({ ...ok, dstIp: '::1' })).toThrow('dstIp "::1" is not a dotted-quad IPv4 address');
    expect(() => w.addUdp({ ...ok, srcPort: 70000 })).toThrow(PcapWriteError);
    expect(() => w.addUdp({ ...ok, payload: new Uint8Array(65508) })).toThrow(PcapWriteError);
    expect(() => w.addUdp({ ...ok, tsMs: -1 })).toThrow(PcapWriteError);
    expect(() => new PcapWriter({ linkType: 113 as 1 })).toThrow(PcapWriteError);
    expect(w.packetCount).toBe(0);
  });
});

describe('sipInviteWithSdp', () => {
  it('builds an INVITE whose Content-Length matches its SDP offer', () => {
    const text = sipInviteWithSdp({ callId: 'c1@jl', fromIp: '10.0.0.1', toIp: '10.0.0.2', rtpPort: 40000, payloadType: 111, codec: 'opus', clockRate: 48000, channels: 2 });
    const [head, body] = text.split('\r\n\r\n') as [string, string];
    const lines = head.split('\r\n');
    expect(lines[0]).toBe('INVITE sip:callee@10.0.0.2:5060 SIP/2.0');
    expect(lines).toContain('Call-ID: c1@jl');
    expect(lines).toContain('Content-Type: application/sdp');
    expect(lines).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(lines.some((l) => /^Via: SIP\/2\.0\/UDP 10\.0\.0\.1:5060;branch=z9hG4bK[0-9a-f]{8}$/.test(l))).toBe(true);
    const sdp = body.split('\r\n');
    expect(sdp[0]).toBe('v=0');
    expect(sdp).toContain('c=IN IP4 10.0.0.1');
    expect(sdp).toContain('m=audio 40000 RTP/AVP 111');
    expect(sdp).toContain('a=rtpmap:111 opus/48000/2');
    expect(body.endsWith('\r\n')).toBe(true);
  });
});
