import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JitterlabError } from '../../src/core/errors.ts';
import {
  burstRFromLossSequence,
  CODEC_IMPAIRMENTS,
  coleRosenbluth,
  effectiveIe,
  emodel,
  emodelForCall,
  emodelWindows,
  findCodecImpairment,
  opusImpairment,
  fitTwoStateLoss,
  mosToR,
  rToMos,
  simplifiedEmodel,
  type CodecImpairment,
} from '../../src/scores/index.ts';

const TOL = 1e-4;
const close = (actual: number, expected: number, tol = TOL) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);

describe('G.107 narrowband: speech-quality.md section 1 test vectors', () => {
  it('defaults give Ro 94.7688, Is 1.4136, Id 0.1490, R 93.2062, MOS 4.4094', () => {
    const r = emodel();
    close(r.Ro, 94.7688);
    close(r.Is, 1.4136);
    close(r.Id, 0.149);
    close(r.IeEff, 0);
    close(r.R, 93.2062);
    close(r.mos, 4.4094);
    expect(r.Idte).toBe(0); // T < 1 ms: no talker echo (G.107 06/2015)
    expect(r.Idd).toBe(0);
  });

  // [inputs, Id, Ie,eff, R, MOS]
  const rows: [string, Parameters<typeof emodel>[0], number, number, number, number][] = [
    ['Ta = 300 only', { Ta: 300 }, 14.9097, 0, 78.4455, 3.9639],
    ['T = Ta = 300, Tr = 600', { T: 300, Ta: 300, Tr: 600 }, 20.6889, 0, 72.6664, 3.7194],
    ['Ta = 300, sT 0.55, mT 120', { Ta: 300, sT: 0.55, mT: 120 }, 10.2433, 0, 83.112, 4.136],
    ['G.711 Bpl 4.3, Ppl 5', { Ie: 0, Bpl: 4.3, Ppl: 5 }, 0.149, 51.0753, 42.1309, 2.1696],
    ['G.711+PLC Ppl 2', { Ie: 0, Bpl: 25.1, Ppl: 2 }, 0.149, 7.0111, 86.1951, 4.235],
    ['G.711+PLC Ppl 5', { Ie: 0, Bpl: 25.1, Ppl: 5 }, 0.149, 15.7807, 77.4255, 3.9231],
    ['G.711+PLC Ppl 5 BurstR 2', { Ie: 0, Bpl: 25.1, Ppl: 5, BurstR: 2 }, 0.149, 17.2101, 75.9961, 3.8641],
    ['G.729A (11, 19) Ppl 2', { Ie: 11, Bpl: 19, Ppl: 2 }, 0.149, 19.0, 74.2062, 3.7876],
  ];
  for (const [name, inputs, Id, IeEff, R, mos] of rows) {
    it(name, () => {
      const r = emodel(inputs);
      close(r.Ro, 94.7688);
      close(r.Is, 1.4136);
      close(r.Id, Id);
      close(r.IeEff, IeEff);
      close(r.R, R);
      close(r.mos, mos);
      close(r.Id, r.Idte + r.Idle + r.Idd, 1e-12);
      close(r.Is, r.Iolr + r.Ist + r.Iq, 1e-12);
    });
  }

  it('93.2 simplified form, d 200, Ppl 2, Bpl 25.1', () => {
    const r = simplifiedEmodel(200, effectiveIe(0, 25.1, 2, 1));
    close(r.Id, 7.297);
    close(r.Ie, 7.0111);
    close(r.R, 78.8919);
    close(r.mos, 3.9814);
  });

  it('Cole & Rosenbluth 94.2 form, d 100, e 0.05 (G.711)', () => {
    const r = coleRosenbluth(100, 0.05, 'g711');
    close(r.Id, 2.4);
    close(r.Ie, 16.7885);
    close(r.R, 75.0115);
    close(r.mos, 3.8224);
    // G.729A: 11 + 40 ln(1 + 10 e)
    close(coleRosenbluth(100, 0.05, 'g729a').Ie, 11 + 40 * Math.log(1.5), 1e-12);
  });

  it('MOS at R = 50/60/70/80/90 is 2.575/3.100/3.597/4.024/4.339', () => {
    const expected = [2.575, 3.1, 3.597, 4.024, 4.339];
    [50, 60, 70, 80, 90].forEach((r, i) => close(rToMos(r), expected[i], 5e-4));
    // exact polynomial values
    close(rToMos(50), 1 + 0.035 * 50 + 7e-6 * 50 * -10 * 50, 1e-12);
  });

  it('mosToR inverts the App. I closed form: MOS 4.4094 -> R 93.206', () => {
    close(mosToR(4.4094), 93.206, 5e-3);
    close(mosToR(rToMos(93.2062)), 93.2062, 1e-9);
  });

  it('LSTR defaults to STMR + Dr (G.107 definition)', () => {
    expect(emodel({ STMR: 12, Dr: 3 }).Ro).toBeCloseTo(emodel({ STMR: 12, Dr: 3, LSTR: 15 }).Ro, 12);
    expect(emodel({ STMR: 12 }).Ro).not.toBeCloseTo(emodel({ STMR: 12, LSTR: 18 }).Ro, 6);
  });

  it('STMR > 20 folds Ist into Idte', () => {
    const r = emodel({ STMR: 22, T: 50 });
    const p = emodel({ STMR: 22, T: 50, LSTR: 25 });
    expect(r.Idte).toBeGreaterThan(0);
    expect(r.Idte).toBeCloseTo(p.Idte, 12);
    expect(r.Idte).toBeGreaterThanOrEqual(Math.abs(r.Ist));
  });
});

describe('R <-> MOS', () => {
  it('round-trips over a grid of R (6.6..99.9) on all scales', () => {
    for (let r = 6.6; r < 100; r += 0.7) {
      close(mosToR(rToMos(r)), r, 1e-7);
      close(mosToR(rToMos(r * 1.29, 'wb'), 'wb'), r * 1.29, 1e-6);
      close(mosToR(rToMos(r * 1.48, 'fb'), 'fb'), r * 1.48, 1e-6);
    }
  });

  it('round-trips over a grid of MOS (1.01..4.49)', () => {
    for (let m = 1.01; m < 4.5; m += 0.02) close(rToMos(mosToR(m)), m, 1e-9);
  });

  it('clamps: R <= 0 -> 1, R >= 100 -> 4.5, the 0 < R < 6.5 dip -> 1', () => {
    expect(rToMos(-20)).toBe(1);
    expect(rToMos(0)).toBe(1);
    expect(rToMos(3.3)).toBe(1); // raw cubic 0.9888 here
    expect(1 + 0.035 * 3.3 + 7e-6 * 3.3 * (3.3 - 60) * (100 - 3.3)).toBeLessThan(1);
    expect(rToMos(100)).toBe(4.5);
    expect(rToMos(250)).toBe(4.5);
    expect(rToMos(129, 'wb')).toBe(4.5);
    expect(rToMos(148, 'fb')).toBe(4.5);
    expect(mosToR(0.5)).toBe(0);
    expect(mosToR(1)).toBe(0);
    expect(mosToR(4.5)).toBe(100);
    expect(mosToR(5)).toBe(100);
    expect(mosToR(4.5, 'wb')).toBeCloseTo(129, 12);
  });

  it('MOS is non-decreasing in R', () => {
    let prev = 0;
    for (let r = -10; r <= 160; r += 0.05) {
      const m = rToMos(r);
      expect(m).toBeGreaterThanOrEqual(prev);
      prev = m;
    }
  });
});

describe('wideband and fullband E-model (section 2)', () => {
  it('Ie,wb 0/1/8/13/20/41/56 -> MOS 4.5000/4.4940/4.4206/4.3371/4.1820/3.5123/2.9220 (R = 129 - Ie)', () => {
    const ies = [0, 1, 8, 13, 20, 41, 56];
    const moss = [4.5, 4.494, 4.4206, 4.3371, 4.182, 3.5123, 2.922];
    ies.forEach((ie, i) => close(rToMos(129 - ie, 'wb'), moss[i]));
  });

  it('Ie,wb 20, Bpl 4.3, Ppl 2 -> Ie,eff 43.8095, R 85.1905, MOS 3.4062 (95 kept in Ie,eff)', () => {
    const ieEff = effectiveIe(20, 4.3, 2, 1);
    close(ieEff, 43.8095);
    close(129 - ieEff, 85.1905);
    close(rToMos(129 - ieEff, 'wb'), 3.4062);
    // the full wideband model: Ro 129, Is 0, same Ie,eff; Id only from delay/echo terms
    const r = emodel({ Ie: 20, Bpl: 4.3, Ppl: 2 }, { bandwidth: 'wb' });
    expect(r.Ro).toBe(129);
    expect(r.Is).toBe(0);
    close(r.IeEff, 43.8095);
    close(r.R, 129 - r.Id - 43.8095);
    close(r.mos, rToMos(r.R / 1.29));
  });

  it('default parameters on the wideband scale: R = 129 - Idle(Ro,WB 129, Tr 0, WEPL 110) = 128.846 (G.107.1 7.2-7.4)', () => {
    const Rle = 10.5 * (110 + 7);
    const idle = (129 - Rle) / 2 + Math.sqrt((129 - Rle) ** 2 / 4 + 169);
    const r = emodel({}, { bandwidth: 'wb' });
    expect(r.Is).toBe(0);
    expect(r.Idte).toBe(0);
    expect(r.Idd).toBe(0);
    close(r.Idle, idle, 1e-12);
    close(r.R, 128.8463, 1e-4);
  });

  it('G.107.1 does not cover a non-optimum sidetone: STMR outside 9..20 dB is refused on wb/fb, rated on nb', () => {
    for (const STMR of [5, 8.9, 20.5, 23]) {
      for (const bandwidth of ['wb', 'fb'] as const) {
        expect(() => emodel({ STMR, T: 100 }, { bandwidth })).toThrow(/non-optimum sidetone.*G\.107\.1 \(06\/2019\) clause 1/);
      }
      // Narrowband G.107 rates it, with Ist in Is and in the echo terms.
      expect(Number.isFinite(emodel({ STMR, T: 100 }).R)).toBe(true);
    }
    // Inside 9..20 the sidetone plays no part on the wideband scale (Is,WB = 0, no sidetone term in
    // Id; LSTR, which enters the noise sum of the echo terms, held at its default).
    for (const STMR of [9, 12, 20]) close(emodel({ STMR, LSTR: 18, T: 100 }, { bandwidth: 'wb' }).R, emodel({ T: 100 }, { bandwidth: 'wb' }).R, 1e-12);
  });

  it('a narrowband R of 93.21 read on the wideband scale gives 3.70', () => {
    close(rToMos(93.21, 'wb'), 3.7, 5e-3);
  });

  it('fullband uses Ro 148 and R / 1.48', () => {
    const r = emodel({ Ie: 10, Bpl: 10, Ppl: 1 }, { bandwidth: 'fb' });
    expect(r.Ro).toBe(148);
    close(r.mos, rToMos(r.R / 1.48), 1e-12);
    close(rToMos(148 - 10, 'fb'), rToMos(138 / 1.48), 1e-12);
  });
});

describe('monotonicity', () => {
  it('R and MOS decrease with Ppl (any Ie/Bpl/BurstR)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.double({ min: 4.3, max: 40, noNaN: true }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        fc.double({ min: 0, max: 19, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (Ie, Bpl, BurstR, ppl, dp) => {
          const a = emodel({ Ie, Bpl, BurstR, Ppl: ppl });
          const b = emodel({ Ie, Bpl, BurstR, Ppl: ppl + dp });
          expect(b.R).toBeLessThan(a.R);
          expect(b.mos).toBeLessThanOrEqual(a.mos);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('R decreases with Ta (beyond mT) and never increases', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 480, noNaN: true }), fc.double({ min: 1, max: 20, noNaN: true }), (ta, d) => {
        const a = emodel({ Ta: ta });
        const b = emodel({ Ta: ta + d });
        if (ta + d > 100) expect(b.R).toBeLessThan(a.R);
        else expect(b.R).toBe(a.R);
      }),
      { numRuns: 200 },
    );
  });

  it('higher BurstR hurts more at the same Ppl', () => {
    expect(emodel({ Bpl: 25.1, Ppl: 5, BurstR: 3 }).R).toBeLessThan(emodel({ Bpl: 25.1, Ppl: 5, BurstR: 2 }).R);
  });
});

describe('BurstR from a loss sequence', () => {
  it('is 1 without loss', () => {
    expect(burstRFromLossSequence([])).toBe(1);
    expect(burstRFromLossSequence([false, false, false])).toBe(1);
  });

  it('is 1 / (p + q) of the 2-state fit', () => {
    // R R L L R R R L R R: transitions from R: R->R 3, R->L 2 (of 5 R with successor... counted below)
    const seq = [false, false, true, true, false, false, false, true, false, false].map(Boolean);
    const { p, q } = fitTwoStateLoss(seq);
    // from received (indices 0,1,4,5,6,8): next lost at 1->2, 6->7: p = 2/6; from lost (2,3,7): next received 3->4, 7->8: q = 2/3
    expect(p).toBeCloseTo(2 / 6, 12);
    expect(q).toBeCloseTo(2 / 3, 12);
    expect(burstRFromLossSequence(seq)).toBeCloseTo(1 / (2 / 6 + 2 / 3), 12);
  });

  it('approaches the Gilbert model value 1/(p+q) on a long deterministic pattern', () => {
    // Period of 20: 4 losses then 16 receptions -> p = 1/16, q = 1/4 -> BurstR = 3.2
    const seq: boolean[] = [];
    for (let i = 0; i < 2000; i++) seq.push(i % 20 < 4);
    close(burstRFromLossSequence(seq), 1 / (1 / 16 + 1 / 4), 1e-2);
  });

  it('isolated losses give BurstR <= 1, long bursts > 1', () => {
    const isolated = Array.from({ length: 100 }, (_, i) => i % 10 === 0);
    const bursty = Array.from({ length: 100 }, (_, i) => i % 50 < 10);
    expect(burstRFromLossSequence(isolated)).toBeLessThanOrEqual(1);
    expect(burstRFromLossSequence(bursty)).toBeGreaterThan(4);
  });

  it('handles degenerate sequences without NaN', () => {
    expect(burstRFromLossSequence([true])).toBe(1);
    expect(burstRFromLossSequence([true, true, true])).toBe(1);
    expect(Number.isFinite(burstRFromLossSequence([false, false, true]))).toBe(true);
  });
});

describe('codec impairment table', () => {
  it('holds the speech-quality.md values with citations', () => {
    const g711 = findCodecImpairment('g711', 'nb')!;
    expect([g711.Ie, g711.Bpl]).toEqual([0, 4.3]);
    const plc = findCodecImpairment('g711-plc', 'nb')!;
    expect([plc.Ie, plc.Bpl]).toEqual([0, 25.1]);
    const g729 = findCodecImpairment('G729A', 'nb')!;
    expect([g729.Ie, g729.Bpl]).toEqual([11, 19]);
    const amr = findCodecImpairment('amr-wb', 'wb', 12.65)!;
    expect([amr.Ie, amr.Bpl]).toEqual([13, 4.3]);
    expect(findCodecImpairment('amr-wb', 'wb', 23.85)!.Ie).toBe(8);
    expect(findCodecImpairment('amr-wb', 'wb', 6.6)!.Ie).toBe(41);
  });

  it('every entry has a source; every Opus entry is provisional and says no ITU value exists', () => {
    for (const e of CODEC_IMPAIRMENTS) {
      expect(e.source.length).toBeGreaterThan(20);
      expect(e.bitrateKbps.max).toBeGreaterThan(e.bitrateKbps.min);
      expect(e.Bpl).toBeGreaterThan(0);
    }
    const opus = CODEC_IMPAIRMENTS.filter((e) => e.codec === 'opus');
    expect(opus.length).toBeGreaterThanOrEqual(3);
    for (const e of opus) {
      expect(e.provisional).toBe(true);
      expect(e.source).toMatch(/No ITU-T Recommendation publishes/);
    }
    expect(new Set(opus.map((e) => e.bandwidth))).toEqual(new Set(['nb', 'wb', 'fb']));
  });

  it('Opus Ie falls (or stays) as bitrate rises within a bandwidth', () => {
    for (const bw of ['nb', 'wb', 'fb'] as const) {
      const ies = [6, 10, 16, 20, 32, 64].map((b) => findCodecImpairment('opus', bw, b)?.Ie).filter((x) => x !== undefined);
      for (let i = 1; i < ies.length; i++) expect(ies[i]!).toBeLessThanOrEqual(ies[i - 1]!);
    }
  });
});

describe('opusImpairment: the one Opus entry policy of report, live page and RTCP XR', () => {
  it('takes the entry of the stream scale whose bitrate range holds the bitrate', () => {
    for (const kbps of [8, 12, 16, 24, 32, 64]) {
      const e = opusImpairment(48000, kbps)!;
      expect(e.bandwidth).toBe('wb');
      expect(kbps >= e.bitrateKbps.min && kbps < e.bitrateKbps.max).toBe(true);
    }
    expect(opusImpairment(8000, 24)!.bandwidth).toBe('nb');
  });

  it('falls back to the narrowband entry for the same bitrate, never to another bitrate', () => {
    const e = opusImpairment(48000, 6)!;
    expect(e.bandwidth).toBe('nb');
    expect(e).toBe(findCodecImpairment('opus', 'nb', 6));
    // 12 kbit/s at 48 kHz: the wideband 8-14 kbit/s entry, not a 24-48 kbit/s one.
    expect(opusImpairment(48000, 12)).toBe(findCodecImpairment('opus', 'wb', 12));
    expect(opusImpairment(48000, 5)).toBeNull();
  });
});

describe('emodelForCall and windows', () => {
  const plc = findCodecImpairment('g711-plc', 'nb')!;

  it('reproduces the table with T = Tr = 0 (no echo path)', () => {
    const r = emodelForCall({ codecEntry: plc, mouthToEarMs: 0, pplPercent: 5, burstR: 2, echoPathFollowsDelay: false });
    close(r.R, 75.9961);
    close(r.mosCQ, 3.8641);
    // MOS-LQ excludes Id
    close(r.rLQ, 75.9961 + 0.149);
    expect(r.mosLQ).toBeGreaterThan(r.mosCQ);
    expect(r.rfc3611).toEqual({ rFactor: 76, mosLq: 39, mosCq: 39 });
    expect(r.codec.provisional).toBe(false);
  });

  it('by default the echo path follows the delay (T = Ta, Tr = 2 Ta)', () => {
    const r = emodelForCall({ codecEntry: plc, mouthToEarMs: 300, pplPercent: 0 });
    close(r.Id, 20.6889);
    close(r.R, 72.6664);
    expect(r.mosLQ).toBeCloseTo(rToMos(r.rLQ), 12);
    close(r.rLQ, 94.7688 - 1.4136);
  });

  it('wideband codec entries rate on the 129 scale; RFC 3611 R is reported on 0..100', () => {
    const amr = findCodecImpairment('amr-wb', 'wb', 12.65)!;
    const r = emodelForCall({ codecEntry: amr, mouthToEarMs: 0, pplPercent: 2, echoPathFollowsDelay: false });
    expect(r.bandwidth).toBe('wb');
    close(r.IeEff, 13 + (82 * 2) / (2 + 4.3));
    expect(r.rfc3611.rFactor).toBe(Math.round(r.R / 1.29));
    expect(r.rfc3611.rFactor).toBeLessThanOrEqual(100);
  });

  it('refuses mixing scales and bad inputs with typed errors', () => {
    expect(() => emodelForCall({ bandwidth: 'wb', codecEntry: plc, mouthToEarMs: 0, pplPercent: 1 })).toThrow(JitterlabError);
    expect(() => emodelForCall({ codecEntry: plc, mouthToEarMs: 0, pplPercent: 120 })).toThrow(JitterlabError);
    expect(() => emodelForCall({ codecEntry: plc, mouthToEarMs: -1, pplPercent: 1 })).toThrow(JitterlabError);
  });

  it('windows a loss sequence and rates each window', () => {
    // 20 ms frames, 5 s windows = 250 frames; window 0 clean, window 1 with 10 % random-ish loss, short tail
    const seq: boolean[] = [];
    for (let i = 0; i < 250; i++) seq.push(false);
    for (let i = 0; i < 250; i++) seq.push(i % 10 === 3);
    for (let i = 0; i < 50; i++) seq.push(true);
    const w = emodelWindows(seq, 20, undefined, 150, plc);
    expect(w.length).toBe(3);
    expect(w[0]).toMatchObject({ startMs: 0, endMs: 5000, frames: 250, lost: 0, pplPercent: 0, burstR: 1 });
    expect(w[1]).toMatchObject({ startMs: 5000, endMs: 10000, lost: 25, pplPercent: 10 });
    expect(w[2]).toMatchObject({ startMs: 10000, endMs: 11000, frames: 50, pplPercent: 100 });
    expect(w[1].mosCQ).toBeLessThan(w[0].mosCQ);
    expect(w[2].mosCQ).toBeLessThan(w[1].mosCQ);
    const direct = emodelForCall({ codecEntry: plc, mouthToEarMs: 150, pplPercent: 10, burstR: w[1].burstR });
    expect(w[1].R).toBeCloseTo(direct.R, 12);
    expect(w[1].mosLQ).toBeCloseTo(direct.mosLQ, 12);
    expect(() => emodelWindows(seq, 0, 5000, 0, plc)).toThrow(JitterlabError);
  });

  it('windows count only the frames that were sent (DTX silence masked out)', () => {
    // One 5 s window: 100 sent frames with 10 losses, 150 DTX frames (not packets, never lost).
    const seq: boolean[] = [];
    const counted: boolean[] = [];
    for (let i = 0; i < 250; i++) {
      const sent = i < 100;
      counted.push(sent);
      seq.push(sent && i % 10 === 0);
    }
    const [w] = emodelWindows(seq, 20, 5000, 150, plc, counted);
    expect(w).toMatchObject({ startMs: 0, endMs: 5000, frames: 100, lost: 10, pplPercent: 10 });
    const [unmasked] = emodelWindows(seq, 20, 5000, 150, plc);
    expect(unmasked.pplPercent).toBeCloseTo(4, 12);
    const [silent] = emodelWindows(seq.map(() => false), 20, 5000, 150, plc, seq.map(() => false));
    expect(silent).toMatchObject({ frames: 0, pplPercent: 0, burstR: 1 });
  });

  it('accepts any table entry', () => {
    for (const e of CODEC_IMPAIRMENTS as readonly CodecImpairment[]) {
      const r = emodelForCall({ codecEntry: e, mouthToEarMs: 100, pplPercent: 1 });
      expect(r.mosCQ).toBeGreaterThanOrEqual(1);
      expect(r.mosCQ).toBeLessThanOrEqual(4.5);
    }
  });
});
