import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IoError } from '../../src/core/errors.ts';
import { PcapParseError, PcapWriter, readCapture, readCaptureFile, readPcap, PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS } from '../../src/pcap/index.ts';
import { classicPcap, ethernet, ipv4Udp } from './builders.ts';

const frame = ethernet(0x0800, ipv4Udp({ srcPort: 1, dstPort: 2, payload: Uint8Array.of(9, 9, 9) }));

function expectParseError(fn: () => unknown, message: string, offset: number): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PcapParseError);
  const err = caught as PcapParseError;
  expect(err.message).toBe(message);
  expect(err.offset).toBe(offset);
  expect(err.kind).toBe('pcap');
}

describe('classic pcap reader', () => {
  for (const le of [true, false]) {
    const order = le ? 'little' : 'big';
    it(`reads µs timestamps, ${order}-endian`, () => {
      const bytes = classicPcap({
        magic: PCAP_MAGIC_MICROS,
        le,
        linkType: 1,
        records: [
          { sec: 1_700_000_000, frac: 123_456, data: frame },
          { sec: 1_700_000_001, frac: 999_999, data: frame.subarray(0, 20), origLen: frame.length },
        ],
      });
      const cap = readCapture(bytes, 'a.pcap');
      expect(cap.format).toBe('pcap');
      expect(cap.byteOrder).toBe(order);
      expect(cap.linkType).toBe(1);
      expect(cap.file).toBe('a.pcap');
      expect(cap.interfaces).toEqual([{ linkType: 1, snapLen: 65535, tsResolution: { base: 10, exponent: 6 } }]);
      expect(cap.packets).toHaveLength(2);
      expect(cap.packets[0]!.tsMs).toBeCloseTo(1_700_000_000_123.456, 3);
      expect(cap.packets[1]!.tsMs).toBeCloseTo(1_700_000_001_999.999, 3);
      expect([...cap.packets[0]!.data]).toEqual([...frame]);
      expect(cap.packets[1]!.data.length).toBe(20);
      expect(cap.packets[1]!.originalLength).toBe(frame.length);
      expect(cap.packets[1]!.interfaceId).toBe(0);
    });

    it(`reads ns timestamps, ${order}-endian`, () => {
      const bytes = classicPcap({
        magic: PCAP_MAGIC_NANOS,
        le,
        linkType: 101,
        records: [{ sec: 10, frac: 123_456_789, data: frame }],
      });
      const cap = readCapture(bytes);
      expect(cap.interfaces[0]!.tsResolution).toEqual({ base: 10, exponent: 9 });
      expect(cap.packets[0]!.tsMs).toBeCloseTo(10_123.456789, 9);
      expect(cap.linkType).toBe(101);
    });
  }

  it('µs and ns files with the same fraction field differ by 1000×', () => {
    const rec = [{ sec: 0, frac: 500_000, data: frame }];
    const us = readCapture(classicPcap({ magic: PCAP_MAGIC_MICROS, le: true, linkType: 1, records: rec }));
    const ns = readCapture(classicPcap({ magic: PCAP_MAGIC_NANOS, le: true, linkType: 1, records: rec }));
    expect(us.packets[0]!.tsMs).toBe(500);
    expect(ns.packets[0]!.tsMs).toBe(0.5);
  });

  it('masks the FCS bits out of the link-type field', () => {
    const bytes = classicPcap({ magic: PCAP_MAGIC_MICROS, le: true, linkType: 0x1000_0001, records: [] });
    expect(readCapture(bytes).linkType).toBe(1);
  });

  it('reads an empty capture (header only)', () => {
    expect(readCapture(new PcapWriter().toBytes()).packets).toEqual([]);
  });

  it('names file, byte offset and expectation for a truncated record header', () => {
    const rec = { sec: 1, frac: 0, data: frame };
    const bytes = classicPcap({ magic: PCAP_MAGIC_MICROS, le: true, linkType: 1, records: [rec, rec] });
    const cut = bytes.subarray(0, 24 + 16 + frame.length + 7);
    expectParseError(
      () => readCapture(cut, 'capture.pcap'),
      `capture.pcap: truncated record header at byte ${24 + 16 + frame.length} (need 16 bytes, 7 left)`,
      24 + 16 + frame.length,
    );
  });

  it('reports truncated record data with the captured length', () => {
    const bytes = classicPcap({ magic: PCAP_MAGIC_MICROS, le: true, linkType: 1, records: [{ sec: 1, frac: 0, data: frame }] });
    expectParseError(
      () => readPcap(bytes.subarray(0, 24 + 16 + 10), 'x.pcap'),
      `x.pcap: truncated record data (record at byte 24, captured length ${frame.length}) at byte 40 (need ${frame.length} bytes, 10 left)`,
      40,
    );
  });

  it('rejects a short file header and a bad version', () => {
    const good = new PcapWriter().toBytes();
    expectParseError(() => readCapture(good.subarray(0, 10)), 'truncated pcap file header at byte 0 (need 24 bytes, 10 left)', 0);
    const bad = good.slice();
    bad[4] = 3;
    expectParseError(() => readCapture(bad, 'v.pcap'), 'v.pcap: unsupported pcap major version 3 at byte 4 (expected 2)', 4);
  });

  it('rejects unknown formats naming what was expected', () => {
    expectParseError(
      () => readCapture(Uint8Array.of(0x47, 0x49, 0x46, 0x38, 0), 'img.gif'),
      'img.gif: unknown capture format at byte 0 (expected pcap magic a1b2c3d4/a1b23c4d or pcapng block type 0a0d0d0a, got 47494638)',
      0,
    );
    expectParseError(() => readCapture(Uint8Array.of(1, 2)), 'truncated capture magic at byte 0 (need 4 bytes, 2 left)', 0);
  });
});

describe('readCaptureFile', () => {
  it('reads from disk, naming the path in parse errors; missing files are IoError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jl-pcap-'));
    try {
      const path = join(dir, 'c.pcap');
      const w = new PcapWriter();
      w.addUdp({ tsMs: 5, srcIp: '1.1.1.1', dstIp: '2.2.2.2', srcPort: 1, dstPort: 2, payload: new Uint8Array(4) });
      const bytes = w.toBytes();
      writeFileSync(path, bytes);
      expect(readCaptureFile(path).packets).toHaveLength(1);
      expect(readCaptureFile(path).file).toBe(path);
      writeFileSync(path, bytes.subarray(0, bytes.length - 3));
      expect(() => readCaptureFile(path)).toThrow(`${path}: truncated record data`);
      expect(() => readCaptureFile(join(dir, 'nope.pcap'))).toThrow(IoError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
