import { describe, expect, it } from 'vitest';
import {
  checkRtp,
  extractRtpStream,
  listRtpStreams,
  PcapWriter,
  readCapture,
  RtpStreamSelectionError,
  type Capture,
} from '../../src/pcap/index.ts';
import { rtpPacket } from './builders.ts';

interface Flow {
  ssrc: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  count: number;
  t0: number;
}

function capture(flows: Flow[], extra: (w: PcapWriter) => void = () => {}): Capture {
  const w = new PcapWriter();
  extra(w);
  for (const f of flows) {
    for (let i = 0; i < f.count; i++) {
      w.addUdp({
        tsMs: f.t0 + 20 * i,
        srcIp: f.src,
        dstIp: f.dst,
        srcPort: f.srcPort,
        dstPort: f.dstPort,
        payload: rtpPacket({ seq: 65530 + i, timestamp: 960 * i, ssrc: f.ssrc, marker: i === 0, payloadType: 111 }),
      });
    }
  }
  return readCapture(w.toBytes(), 'call.pcap');
}

const a: Flow = { ssrc: 0xaaaa0001, src: '10.0.0.1', srcPort: 40000, dst: '10.0.0.2', dstPort: 50000, count: 10, t0: 1000 };
const b: Flow = { ssrc: 0xbbbb0002, src: '10.0.0.2', srcPort: 50000, dst: '10.0.0.1', dstPort: 40000, count: 6, t0: 1005 };
const c: Flow = { ssrc: 0xcccc0003, src: '10.0.0.3', srcPort: 41000, dst: '10.0.0.4', dstPort: 51000, count: 4, t0: 1010 };

function selectionError(fn: () => unknown): RtpStreamSelectionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RtpStreamSelectionError) return e;
    throw e;
  }
  throw new Error('expected RtpStreamSelectionError');
}

describe('RTP header check', () => {
  it('accepts version 2 with CSRCs, extension and padding, reporting the payload bounds', () => {
    const p = rtpPacket({ seq: 7, timestamp: 99, ssrc: 5, csrcs: [1, 2], extensionWords: 1, padding: 3, payload: new Uint8Array(10) });
    const r = checkRtp(p);
    expect(r.kind).toBe('rtp');
    if (r.kind !== 'rtp') return;
    expect(r.header.headerLength).toBe(12 + 8 + 8);
    expect(r.header.payloadLength).toBe(10);
    expect([r.header.seq, r.header.timestamp, r.header.ssrc, r.header.csrcCount]).toEqual([7, 99, 5, 2]);
  });

  it('rejects short, wrong-version, overlong-CSRC and bad-padding packets; tags RTCP', () => {
    expect(checkRtp(new Uint8Array(11).fill(0x80)).kind).toBe('notRtp');
    const v1 = rtpPacket({ seq: 1, timestamp: 1, ssrc: 1 });
    v1[0] = 0x40;
    expect(checkRtp(v1).kind).toBe('notRtp');
    const cc = rtpPacket({ seq: 1, timestamp: 1, ssrc: 1, payload: new Uint8Array(0) });
    cc[0] = 0x8f;
    expect(checkRtp(cc).kind).toBe('notRtp');
    const pad = rtpPacket({ seq: 1, timestamp: 1, ssrc: 1, payload: new Uint8Array(2), padding: 1 });
    pad[pad.length - 1] = 0;
    expect(checkRtp(pad).kind).toBe('notRtp');
    pad[pad.length - 1] = 4; // more padding than payload + itself
    expect(checkRtp(pad).kind).toBe('notRtp');
    const rr = Uint8Array.of(0x81, 201, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0);
    expect(checkRtp(rr).kind).toBe('rtcp');
  });
});

describe('extractRtpStream', () => {
  it('selects by SSRC and returns header fields, arrival times and sizes in capture order', () => {
    const s = extractRtpStream(capture([a, b, c]), { ssrc: b.ssrc });
    expect([s.ssrc, s.src, s.srcPort, s.dst, s.dstPort, s.packetCount]).toEqual([b.ssrc, '10.0.0.2', 50000, '10.0.0.1', 40000, 6]);
    expect(s.packets.map((p) => p.seq)).toEqual([65530, 65531, 65532, 65533, 65534, 65535]);
    expect(s.packets.map((p) => p.timestamp)).toEqual([0, 960, 1920, 2880, 3840, 4800]);
    expect(s.packets.map((p) => p.arrivalMs)).toEqual([1005, 1025, 1045, 1065, 1085, 1105]);
    expect(s.packets.map((p) => p.marker)).toEqual([true, false, false, false, false, false]);
    expect(s.packets.every((p) => p.payloadType === 111 && p.sizeBytes === 32 && p.payload.length === 20)).toBe(true);
    expect(s.skipped.otherStreams).toBe(14);
  });

  it('selects by UDP port on either side', () => {
    expect(extractRtpStream(capture([a, c]), { udpPort: 40000 }).ssrc).toBe(a.ssrc); // source port
    expect(extractRtpStream(capture([a, c]), { udpPort: 51000 }).ssrc).toBe(c.ssrc); // destination port
  });

  it('reports an ambiguous port, listing the matching streams; SSRC + port disambiguates', () => {
    const cap = capture([a, b, c]);
    const e = selectionError(() => extractRtpStream(cap, { udpPort: 40000 }));
    expect(e.message).toBe(
      'call.pcap: 2 RTP streams match UDP port 40000; select one by SSRC; streams found: ' +
        'ssrc=0xaaaa0001 10.0.0.1:40000 -> 10.0.0.2:50000, 10 packets; ssrc=0xbbbb0002 10.0.0.2:50000 -> 10.0.0.1:40000, 6 packets',
    );
    expect(e.kind).toBe('pcap');
    expect(extractRtpStream(cap, { udpPort: 40000, ssrc: a.ssrc }).packetCount).toBe(10);
  });

  it('picks the only RTP stream automatically, ignoring SIP and non-RTP UDP', () => {
    const cap = capture([a], (w) => {
      w.addUdp({ tsMs: 1, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: new TextEncoder().encode('INVITE sip:x SIP/2.0\r\n\r\n') });
      // A lone DNS-like datagram whose first bits read as version 2: a one-packet "stream".
      w.addUdp({ tsMs: 2, srcIp: '10.0.0.1', dstIp: '10.0.0.53', srcPort: 33333, dstPort: 53, payload: Uint8Array.of(0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 3, 0x63, 0x6f, 0x6d) });
      w.addUdp({ tsMs: 3, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40001, dstPort: 50001, payload: Uint8Array.of(0x81, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) });
    });
    const s = extractRtpStream(cap);
    expect(s.ssrc).toBe(a.ssrc);
    expect(s.packets).toHaveLength(10);
    expect(s.skipped.notRtp).toBe(1);
    expect(s.skipped.rtcp).toBe(1);
    expect(s.skipped.otherStreams).toBe(1);
    expect(listRtpStreams(cap)).toHaveLength(1);
  });

  it('the same SSRC on two paths is two streams; a port picks one', () => {
    const relayed: Flow = { ...a, src: '10.0.0.9', srcPort: 42000, dst: '10.0.0.2', dstPort: 52000, t0: 1002 };
    const cap = capture([a, relayed]);
    const e = selectionError(() => extractRtpStream(cap, { ssrc: a.ssrc }));
    expect(e.message).toContain('2 RTP streams match SSRC 0xaaaa0001; also give a UDP port; streams found: ');
    const s = extractRtpStream(cap, { ssrc: a.ssrc, udpPort: 52000 });
    expect([s.src, s.packetCount, s.skipped.otherStreams]).toEqual(['10.0.0.9', 10, 10]);
  });

  it('without a selection and several streams, lists them (largest first)', () => {
    const e = selectionError(() => extractRtpStream(capture([c, a])));
    expect(e.message).toBe(
      'call.pcap: 2 RTP streams found; select one by SSRC or UDP port; streams found: ' +
        'ssrc=0xaaaa0001 10.0.0.1:40000 -> 10.0.0.2:50000, 10 packets; ssrc=0xcccc0003 10.0.0.3:41000 -> 10.0.0.4:51000, 4 packets',
    );
    expect(e.streams.map((s) => s.ssrc)).toEqual([a.ssrc, c.ssrc]);
  });

  it('says what is missing when nothing matches', () => {
    const e = selectionError(() => extractRtpStream(capture([a]), { ssrc: 0x1234 }));
    expect(e.message).toBe('call.pcap: no RTP stream with SSRC 0x00001234; streams found: ssrc=0xaaaa0001 10.0.0.1:40000 -> 10.0.0.2:50000, 10 packets');
    const none = selectionError(() => extractRtpStream(capture([])));
    expect(none.message).toBe('call.pcap: no RTP stream found; no RTP streams found');
  });
});
