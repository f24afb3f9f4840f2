import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import { PcapParseError } from '../../src/pcap/errors.ts';
import { readCaptureFile } from '../../src/pcap/read-capture.ts';
import { extractRtpStream } from '../../src/pcap/rtp-stream.ts';
import { rtpClockRate, traceFromCaptureFile, traceFromCsvText, traceStats } from '../../src/replay/index.ts';
import { referenceStream, writeRtpCapture } from './capture.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'jitterlab-replay-'));
const LOST = new Set([5, 6, 17]);

describe('replay from a pcap RTP stream (receiver-side capture)', () => {
  it('takes losses from missing sequence numbers and relative delay = transit - min transit + base', () => {
    const dir = tmp();
    const f = join(dir, 'call.pcap');
    const { packets, extra } = referenceStream(40, LOST);
    // Another stream on another port must not leak in.
    writeRtpCapture(f, [...packets, ...packets.slice(0, 10).map((p) => ({ ...p, ssrc: 0x99, dstPort: 6000, arrivalMs: p.arrivalMs + 1 }))]);
    const t = traceFromCaptureFile(f, { udpPort: 5004 }, 30);
    expect(t.delayKind).toBe('relative');
    expect(t.fates).toHaveLength(40);
    const minExtra = Math.min(...extra.filter((_, k) => !LOST.has(k)));
    t.fates.toArray().forEach((fate, k) => {
      if (LOST.has(k)) expect(fate).toEqual({ lost: true, delayMs: 0 });
      else {
        expect(fate.lost).toBe(false);
        expect(fate.delayMs).toBeCloseTo(extra[k] - minExtra + 30, 3);
      }
    });
    expect(traceStats(t)).toMatchObject({ packets: 40, lost: 3, lossRate: 3 / 40 });
    expect(rtpClockRate(extractRtpStream(readCaptureFile(f), { ssrc: 0x1234abcd }))).toBe(48000);
  });

  it('selection errors and malformed captures are clear errors with the byte offset', () => {
    const dir = tmp();
    const f = join(dir, 'call.pcap');
    const bytes = writeRtpCapture(f, referenceStream(10, new Set()).packets);
    expect(() => traceFromCaptureFile(f, { ssrc: 7 }, 0)).toThrow(/no RTP stream with SSRC 0x00000007/);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 30));
    const err = (() => {
      try {
        traceFromCaptureFile(cut, {}, 0);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(PcapParseError);
    expect((err as PcapParseError).message).toMatch(/cut\.pcap: truncated .* at byte \d+/);
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(() => traceFromCaptureFile(junk, {}, 0)).toThrow(/unknown capture format at byte 0/);
  });

  it('uses the RFC 3551 clock of a static payload type (PCMU: 8 kHz)', () => {
    const dir = tmp();
    const f = join(dir, 'pcmu.pcap');
    // 160 samples per 20 ms at 8 kHz; one packet 12 ms late.
    const pk = Array.from({ length: 20 }, (_, k) => ({ seq: k, timestamp: 160 * k, arrivalMs: 1000 + 20 * k + (k === 7 ? 12 : 0), payloadType: 0 }));
    writeRtpCapture(f, pk);
    const t = traceFromCaptureFile(f, {}, 5);
    expect(t.fates.toArray().map((x) => Math.round(x.delayMs * 1000) / 1000)).toEqual(pk.map((_, k) => (k === 7 ? 17 : 5)));
  });
});

describe('RTP clock of a dynamic payload type', () => {
  it('is the standard rate that keeps the transits in the narrowest band (16 kHz here)', () => {
    const dir = tmp();
    const f = join(dir, 'wb.pcap');
    const pk = Array.from({ length: 50 }, (_, k) => ({ seq: k, timestamp: 320 * k, arrivalMs: 5000 + 20 * k + ((k * 13) % 30), payloadType: 96 }));
    writeRtpCapture(f, pk);
    expect(rtpClockRate(extractRtpStream(readCaptureFile(f)))).toBe(16000);
  });
});

describe('replay from a CSV of seq,send_ms,recv_ms', () => {
  it('delay = recv - send; empty recv and missing numbers are losses; duplicates keep the first arrival', () => {
    const t = traceFromCsvText('seq,send_ms,recv_ms\n10,0,30\n11,20,\n13,60,95.5\n13,60,99\n14,80,150\n', 'x.csv');
    expect(t.fates.toArray()).toEqual([
      { lost: false, delayMs: 30 },
      { lost: true, delayMs: 0 },
      { lost: true, delayMs: 0 },
      { lost: false, delayMs: 35.5 },
      { lost: false, delayMs: 70 },
    ]);
    expect(t.delayKind).toBe('absolute');
  });
  it('unwraps 16-bit sequence numbers across 65535 -> 0', () => {
    const t = traceFromCsvText('65534,0,10\n65535,20,30\n1,60,75\n', 'w.csv');
    expect(t.fates.toArray().map((f) => (f.lost ? null : f.delayMs))).toEqual([10, 10, null, 15]);
  });
  it('rejects receive times before send times and bad lines (with the line number)', () => {
    expect(() => traceFromCsvText('1,100,50\n', 'c.csv')).toThrow(/recv_ms 50 is before send_ms 100/);
    expect(() => traceFromCsvText('1,100\n', 'c.csv')).toThrow(/c\.csv:1: expected 3 or 4 fields/);
    expect(() => traceFromCsvText('# nothing\n', 'e.csv')).toThrow(JitterlabError);
  });
});

/** Heap and array-buffer bytes the trace made by `make` holds on to. */
function retainedBytes<T>(make: () => T): { value: T; bytes: number } {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const value = make();
  return { value, bytes: used() - before };
}

describe('replay memory follows the packets present, not the sequence span (issue 16)', () => {
  it('a 2-row CSV spanning 10 million sequence numbers', () => {
    const { value: t, bytes } = retainedBytes(() => traceFromCsvText('0,0,1\n9999999,0,1\n', 'span.csv'));
    expect(bytes).toBeLessThan(32 * 2 ** 20);
    expect(traceStats(t)).toMatchObject({ packets: 10_000_000, lost: 9_999_998, minDelayMs: 1, maxDelayMs: 1 });
    expect([0, 1, 5_000_000, 9_999_998, 9_999_999].map((i) => t.fates.at(i))).toEqual([
      { lost: false, delayMs: 1 },
      { lost: true, delayMs: 0 },
      { lost: true, delayMs: 0 },
      { lost: true, delayMs: 0 },
      { lost: false, delayMs: 1 },
    ]);
  });

  it('a pcap whose sequence numbers jump by 32767', () => {
    const f = join(tmp(), 'jumps.pcap');
    const n = 300;
    writeRtpCapture(f, Array.from({ length: n }, (_, k) => ({ seq: (k * 32767) & 0xffff, timestamp: 960 * k, arrivalMs: 1000 + 20 * k })));
    const { value: t, bytes } = retainedBytes(() => traceFromCaptureFile(f, {}, 40));
    expect(bytes).toBeLessThan(32 * 2 ** 20);
    // RFC 3550 A.1: a step below 2^15 is forward, so the extended numbers climb by 32767.
    expect(traceStats(t)).toMatchObject({ packets: (n - 1) * 32767 + 1, lost: (n - 1) * 32767 + 1 - n });
    expect(t.fates.at(32767)).toEqual({ lost: false, delayMs: 40 });
    expect(t.fates.at(32766)).toEqual({ lost: true, delayMs: 0 });
  });
});

describe('test captures', () => {
  it('are real pcaps in arrival order', () => {
    const dir = tmp();
    const f = join(dir, 'c.pcap');
    writeRtpCapture(f, referenceStream(12, new Set()).packets);
    const s = extractRtpStream(readCaptureFile(f));
    expect(s.packets).toHaveLength(12);
    expect(s.packets.map((p) => p.seq).slice(9, 12)).toEqual([(65530 + 9) & 0xffff, (65530 + 11) & 0xffff, (65530 + 10) & 0xffff]);
    expect(readFileSync(f).length).toBeGreaterThan(24);
  });
});
