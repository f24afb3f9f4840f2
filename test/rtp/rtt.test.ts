import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { msToNtpShort, ntpFromMs, ntpMiddle32, ntpMiddle32FromParts, ntpShortToMs, ntpToMs, rttFromReport } from '../../src/rtp/index.ts';

/** One unit of the 32-bit NTP short format, in ms (exact in binary floating point). */
const UNIT_MS = 1000 / 65536;

describe('RTT from LSR/DLSR (RFC 3550 6.4.1)', () => {
  it('reproduces the worked example of RFC 3550 figure 2', () => {
    // LSR 0xb705:2000 (46853.125 s), DLSR 0x0005:4000 (5.250 s), A 0xb710:8000 (46864.500 s) → 0x0006:2000 (6.125 s).
    expect(ntpMiddle32(46864500)).toBe(0xb7108000);
    expect(ntpMiddle32(46853125)).toBe(0xb7052000);
    expect(rttFromReport(0xb7108000, 0xb7052000, 0x00054000)).toBe(0x00062000);
    expect(ntpShortToMs(0x00062000)).toBe(6125);
  });

  it('equals a constructed round trip exactly, to 1/65536 s, across the 65536 s wrap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        (t0, forward, hold, back) => {
          // Sender emits an SR at t0; the receiver gets it `forward` units later, holds it
          // `hold` units (its DLSR), and its RR takes `back` units to return.
          const lsr = ntpMiddle32(t0);
          fc.pre(lsr !== 0); // LSR 0 means "no SR received"
          const arrival = ntpMiddle32(t0 + (forward + hold + back) * UNIT_MS);
          expect(rttFromReport(arrival, lsr, hold)).toBe(forward + back);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('LSR taken from the SR NTP fields matches ntpMiddle32 of the same time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 42 }), (ms) => {
        const { seconds, fraction } = ntpFromMs(ms);
        expect(ntpMiddle32FromParts(seconds, fraction)).toBe(ntpMiddle32(ms));
        expect(Math.abs(ntpToMs(seconds, fraction) - (ms % (2 ** 32 * 1000)))).toBeLessThan(1e-3);
      }),
      { numRuns: 500 },
    );
  });

  it('returns null without an SR and a signed value for an inconsistent DLSR', () => {
    expect(rttFromReport(1000, 0, 0)).toBeNull();
    expect(rttFromReport(1000, 900, 200)).toBe(-100);
    expect(rttFromReport(5, 0xfffffff0, 0)).toBe(21); // across the 32-bit wrap
    expect(msToNtpShort(6125)).toBe(0x62000);
    // SR sent 10 ms before the 65536 s wrap of the middle 32 bits, RR back 30 ms later with DLSR 5 ms.
    const t0 = 3 * 65536000 - 10;
    const lsr = ntpMiddle32(t0);
    expect(lsr).toBeGreaterThan(0xffff0000);
    const a = ntpMiddle32(t0 + 30);
    expect(a).toBeLessThan(0x10000);
    expect(rttFromReport(a, lsr, msToNtpShort(5))).toBe(msToNtpShort(25));
  });
});
