import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IoError } from '../../src/core/errors.ts';
import { parseMediaPacketColumns, parsePacketsCsv } from '../../src/report/html/read-packets-csv.ts';
import { PACKETS_CSV_HEADER, packetCsvRow } from '../../src/report/packets-csv.ts';
import type { PacketRecord } from '../../src/sim/records.ts';

const ms = fc.double({ min: 0, max: 4e6, noNaN: true });
const record: fc.Arbitrary<PacketRecord> = fc.record({
  kind: fc.constantFrom('media', 'fec', 'rtx', 'rtcp'),
  seq: fc.integer({ min: 0, max: 65535 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  frameIndex: fc.integer({ min: -1, max: 200000 }),
  sizeBytes: fc.integer({ min: 1, max: 1500 }),
  redundantBytes: fc.constant(0),
  sendMs: ms,
  arrivalMs: fc.option(ms, { nil: null }),
  secondArrivalMs: fc.option(ms, { nil: null }),
  queueDelayMs: ms,
  networkCause: fc.option(fc.constantFrom('loss', 'queue', 'outage'), { nil: null }),
  duplicated: fc.boolean(),
  reordered: fc.boolean(),
  corrupted: fc.boolean(),
  fate: fc.constantFrom('played', 'lost', 'late', 'discarded', 'unused', 'delivered'),
  playoutMs: fc.option(ms, { nil: null }),
}) as fc.Arbitrary<PacketRecord>;

const r3 = (x: number) => Math.round(x * 1000) / 1000;

describe('packets.csv reader', () => {
  it('reads back every row the writer writes', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (recs) => {
        const rows = parsePacketsCsv(PACKETS_CSV_HEADER + recs.map(packetCsvRow).join(''), 'p.csv');
        expect(rows).toEqual(
          recs.map((r) => ({
            kind: r.kind,
            seq: r.seq,
            frame: r.frameIndex,
            sizeBytes: r.sizeBytes,
            sendMs: r3(r.sendMs),
            arrivalMs: r.arrivalMs === null ? null : r3(r.arrivalMs),
            fate: r.fate,
            cause: r.networkCause ?? '',
            playoutMs: r.playoutMs === null ? null : r3(r.playoutMs),
            duplicated: r.duplicated,
            reordered: r.reordered,
          })),
        );
      }),
    );
  });

  it('finds columns by name in any order and ignores unknown ones', () => {
    const text = 'extra,reordered,duplicated,playout_ms,cause,fate,arrival_ms,send_ms,size_bytes,frame,seq,kind\nx,0,1,,queue,lost,,20.5,61,0,7,media\n';
    expect(parsePacketsCsv(text, 'p.csv')).toEqual([
      { kind: 'media', seq: 7, frame: 0, sizeBytes: 61, sendMs: 20.5, arrivalMs: null, fate: 'lost', cause: 'queue', playoutMs: null, duplicated: true, reordered: false },
    ]);
  });

  it('names a missing column, and the line of a bad send time', () => {
    expect(() => parsePacketsCsv('kind,seq\nmedia,1\n', 'p.csv')).toThrow(/no 'frame' column/);
    const bad = `${PACKETS_CSV_HEADER}media,1,0,0,60,20,,0,lost,loss,,0,0,0\nmedia,2,960,1,60,oops,,0,lost,loss,,0,0,0\n`;
    expect(() => parsePacketsCsv(bad, 'p.csv')).toThrow(IoError);
    expect(() => parsePacketsCsv(bad, 'p.csv')).toThrow(/line 3: bad send_ms 'oops'/);
  });

  it('media columns hold exactly the media rows of the row reader, in file order', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), (recs) => {
        const text = PACKETS_CSV_HEADER + recs.map(packetCsvRow).join('');
        const media = parsePacketsCsv(text, 'p.csv').filter((r) => r.kind === 'media');
        const cols = parseMediaPacketColumns(text, 'p.csv');
        expect(cols.length).toBe(media.length);
        expect(Array.from(cols.sendMs)).toEqual(media.map((r) => r.sendMs));
        expect(Array.from(cols.arrivalMs)).toEqual(media.map((r) => r.arrivalMs ?? Number.NaN));
        expect(Array.from(cols.late)).toEqual(media.map((r) => (r.fate === 'late' ? 1 : 0)));
      }),
    );
    const bad = `${PACKETS_CSV_HEADER}media,1,0,0,60,20,,0,lost,loss,,0,0,0\nfec,2,960,1,60,oops,,0,lost,loss,,0,0,0\n`;
    expect(() => parseMediaPacketColumns(bad, 'p.csv')).toThrow(/line 3: bad send_ms 'oops'/);
  });
});
