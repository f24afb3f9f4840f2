/** Captures the replay tests write themselves: RTP over UDP/IPv4 in a pcap (PcapWriter). */
import { writeFileSync } from 'node:fs';
import { PcapWriter } from '../../src/pcap/pcap-writer.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';

export interface CapturedRtp {
  seq: number;
  timestamp: number;
  arrivalMs: number;
  ssrc?: number;
  dstPort?: number;
  payloadType?: number;
}

export function rtpBytes(p: CapturedRtp): Uint8Array {
  return serializeRtp({
    version: 2,
    padding: 0,
    marker: false,
    payloadType: p.payloadType ?? 111,
    sequenceNumber: p.seq & 0xffff,
    timestamp: p.timestamp >>> 0,
    ssrc: p.ssrc ?? 0x1234abcd,
    csrcs: [],
    extension: null,
    // Not Opus: the replay must not need decodable audio.
    payload: new Uint8Array(40).fill(0x5a),
  });
}

/** A pcap with the packets in arrival order. */
export function writeRtpCapture(file: string, packets: readonly CapturedRtp[]): Uint8Array {
  const w = new PcapWriter();
  for (const p of [...packets].sort((a, b) => a.arrivalMs - b.arrivalMs)) {
    w.addUdp({ tsMs: p.arrivalMs, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: p.dstPort ?? 5004, payload: rtpBytes(p) });
  }
  const bytes = w.toBytes();
  writeFileSync(file, bytes);
  return bytes;
}

/**
 * The reference stream of the tests: `n` 20 ms Opus-clocked packets starting just before both
 * the sequence number and the timestamp wrap, with extra delay extra(k) = (37 k) mod 50 ms,
 * packets in `lost` missing, and packet 10 overtaken by packet 11.
 */
export function referenceStream(n: number, lost: ReadonlySet<number>): { packets: CapturedRtp[]; extra: number[] } {
  const t0 = 1_700_000_000_000;
  const extra = Array.from({ length: n }, (_, k) => (37 * k) % 50);
  extra[10] = 45;
  extra[11] = 0;
  const packets: CapturedRtp[] = [];
  for (let k = 0; k < n; k++) {
    if (lost.has(k)) continue;
    packets.push({ seq: (65530 + k) & 0xffff, timestamp: (0xfffff000 + 960 * k) >>> 0, arrivalMs: t0 + 20 * k + extra[k] });
  }
  return { packets, extra };
}
