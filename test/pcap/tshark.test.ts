import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractRtpStream, PcapWriter, readCapture, readCaptureFile, sipInviteWithSdp } from '../../src/pcap/index.ts';
import { rtpPacket } from './builders.ts';

const TSHARK = '/usr/bin/tshark';
const EDITCAP = '/usr/bin/editcap';
const hasTshark = existsSync(TSHARK);
const hasEditcap = existsSync(EDITCAP);
if (!hasTshark) console.warn(`${TSHARK} not installed: skipping the Wireshark cross-check of PcapWriter output`);
if (!hasEditcap) console.warn(`${EDITCAP} not installed: skipping the pcapng / ns-pcap interoperability check`);

const SSRC = 0x5eed1234;
const LOST = new Set([10, 20, 35]);
const COUNT = 50;
/** Arrival offsets cycle 0, 3, 6, 9 ms on a 20 ms send grid: a known, repeating transit variation. */
const arrivalMs = (i: number): number => 2000 + 20 * i + (i % 4) * 3;

/** RFC 3550 §6.4.1 / A.8 interarrival jitter (ms), returned as the running values after each packet. */
function rfc3550Jitter(seqs: number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (let k = 1; k < seqs.length; k++) {
    const a = seqs[k - 1]!;
    const b = seqs[k]!;
    const d = arrivalMs(b) - arrivalMs(a) - (b - a) * 20;
    j += (Math.abs(d) - j) / 16;
    out.push(j);
  }
  return out;
}

function buildCall(): Uint8Array {
  const w = new PcapWriter();
  const invite = sipInviteWithSdp({ callId: 'tshark-check@jitterlab', fromIp: '10.0.0.1', toIp: '10.0.0.2', rtpPort: 40000, payloadType: 111, codec: 'opus', clockRate: 48000, channels: 2 });
  w.addUdp({ tsMs: 1000, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: new TextEncoder().encode(invite) });
  for (let i = 0; i < COUNT; i++) {
    if (LOST.has(i)) continue;
    w.addUdp({
      tsMs: arrivalMs(i),
      srcIp: '10.0.0.2',
      dstIp: '10.0.0.1',
      srcPort: 50000,
      dstPort: 40000,
      payload: rtpPacket({ seq: i, timestamp: 960 * i, ssrc: SSRC, payloadType: 111, marker: i === 0, payload: new Uint8Array(60).fill(i) }),
    });
  }
  return w.toBytes();
}

describe('Wireshark cross-check', () => {
  it('our reader sees the call as written', () => {
    const s = extractRtpStream(readCapture(buildCall()));
    expect(s.ssrc).toBe(SSRC);
    expect(s.packets).toHaveLength(COUNT - LOST.size);
    expect(s.skipped.notRtp).toBe(1); // the INVITE
  });

  it.runIf(hasTshark)('tshark decodes the RTP stream set up by the SIP INVITE, with the right count, loss and jitter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jl-tshark-'));
    try {
      const file = join(dir, 'call.pcap');
      writeFileSync(file, buildCall());
      const out = execFileSync(TSHARK, ['-n', '-r', file, '-q', '-z', 'rtp,streams'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
      const line = out.split('\n').find((l) => /0x5eed1234/i.test(l));
      expect(line, out).toBeDefined();
      const cols = line!.trim().toLowerCase().split(/\s+/);
      // Start End SrcIP SrcPort DstIP DstPort SSRC Payload Pkts Lost (pct) MinΔ MeanΔ MaxΔ MinJ MeanJ MaxJ [Problems]
      expect(cols.slice(2, 10)).toEqual(['10.0.0.2', '50000', '10.0.0.1', '40000', '0x5eed1234', 'opus', String(COUNT - LOST.size), String(LOST.size)]);
      const received = [...Array(COUNT).keys()].filter((i) => !LOST.has(i));
      const jitter = rfc3550Jitter(received);
      expect(Number(cols[16])).toBeCloseTo(Math.max(...jitter), 2);
      expect(Number(cols[13])).toBeCloseTo(Math.max(...received.slice(1).map((s, k) => arrivalMs(s) - arrivalMs(received[k]!))), 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(hasEditcap)('reads pcapng and nanosecond pcap written by Wireshark\'s editcap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jl-editcap-'));
    try {
      const src = join(dir, 'call.pcap');
      writeFileSync(src, buildCall());
      const ours = readCapture(buildCall());
      for (const format of ['pcapng', 'nsecpcap']) {
        const dst = join(dir, `call.${format}`);
        execFileSync(EDITCAP, ['-F', format, src, dst], { stdio: 'ignore', timeout: 30_000 });
        const theirs = readCaptureFile(dst);
        expect(theirs.format).toBe(format === 'pcapng' ? 'pcapng' : 'pcap');
        expect(theirs.interfaces[0]!.tsResolution).toEqual({ base: 10, exponent: format === 'pcapng' ? 6 : 9 });
        expect(theirs.packets.map((p) => p.tsMs)).toEqual(ours.packets.map((p) => p.tsMs));
        expect(theirs.packets.map((p) => [...p.data])).toEqual(ours.packets.map((p) => [...p.data]));
        expect(extractRtpStream(theirs, { udpPort: 40000 }).packets).toHaveLength(COUNT - LOST.size);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
