import { describe, expect, it } from 'vitest';
import type { VariantResultsJson } from '../../src/report/results.ts';
import { emodelBandwidthFor, emodelForVariant, postRecoveryLoss } from '../../src/report/scores-for-run.ts';

const OUTCOMES = ['unplayed', 'normal', 'fec', 'red', 'parity', 'rtx', 'concealed', 'dtx'];
const code = (name: string): string => OUTCOMES.indexOf(name).toString(36);

/** A variant's results with only the fields the E-model reads. */
function variant(p: { sampleRate: number; bitrateKbps: number; lostAt: (i: number) => boolean; frames: number; m2eMs: number }): VariantResultsJson {
  let outcome = '';
  let lost = 0;
  for (let i = 0; i < p.frames; i++) {
    const l = p.lostAt(i);
    if (l) lost++;
    outcome += code(l ? 'concealed' : i % 10 === 3 ? 'fec' : 'normal');
  }
  return {
    sender: { codec: { sampleRate: p.sampleRate, bitrateKbps: p.bitrateKbps, frameMs: 20 } },
    playout: { effectiveLoss: lost / p.frames },
    latency: { mouthToEarMs: p.m2eMs },
    frames: { outcomes: OUTCOMES, outcome, playoutMs: [] },
  } as unknown as VariantResultsJson;
}

describe('E-model inputs from a run', () => {
  it('chooses G.107.1 wideband from 16 kHz up, G.107 narrowband below', () => {
    expect(emodelBandwidthFor(8000)).toBe('nb');
    expect(emodelBandwidthFor(12000)).toBe('nb');
    expect(emodelBandwidthFor(16000)).toBe('wb');
    expect(emodelBandwidthFor(48000)).toBe('wb');
  });

  it('reads the post-recovery loss sequence: concealed and unplayed are lost, FEC-recovered and DTX are not', () => {
    const frames = { outcomes: OUTCOMES, outcome: ['normal', 'concealed', 'fec', 'unplayed', 'dtx', 'red'].map(code).join(''), playoutMs: [] };
    expect(postRecoveryLoss(frames)).toEqual([false, true, false, true, false, false]);
  });

  it('feeds Ppl = effective loss in %, BurstR from the sequence and Ta = mouth-to-ear into Ie,eff (G.107 eq. 7-29)', () => {
    // Isolated losses every 50 frames: p = 20/979 (received -> lost), q = 1, BurstR = 1/(p+q) = 979/999.
    const v = variant({ sampleRate: 48000, bitrateKbps: 24, frames: 1000, m2eMs: 150, lostAt: (i) => i % 50 === 25 });
    const { emodel } = emodelForVariant(v);
    expect(emodel).not.toBeNull();
    const e = emodel!;
    expect(e.standard).toBe('ITU-T G.107.1');
    expect(e.bandwidth).toBe('wb');
    expect(e.provisional).toBe(true);
    expect(e.codec.source).toMatch(/Opus/);
    expect(e.pplPercent).toBeCloseTo(2, 10);
    expect(e.taMs).toBe(150);
    const burstR = 979 / 999;
    expect(e.burstR).toBeCloseTo(burstR, 4);
    const ieEff = e.Ie + ((95 - e.Ie) * 2) / (2 / burstR + e.Bpl);
    expect(e.IeEff).toBeCloseTo(ieEff, 3);
    // RFC 3611: MOS-LQ has no delay impairment, so it is at least MOS-CQ; fields are MOS x 10.
    expect(e.mosLq).toBeGreaterThanOrEqual(e.mosCq);
    expect(e.rfc3611.mosCq).toBe(Math.round(e.mosCq * 10));
    expect(e.rfc3611.rFactor).toBe(Math.round(e.R / 1.29));
    expect(e.windows).toHaveLength(4);
    expect(e.windows[0]).toMatchObject({ startMs: 0, endMs: 5000 });
  });

  it('shows a 5-second loss episode as a dip in its window only', () => {
    const v = variant({ sampleRate: 48000, bitrateKbps: 24, frames: 1000, m2eMs: 120, lostAt: (i) => i >= 500 && i < 750 && i % 4 === 0 });
    const w = emodelForVariant(v).emodel!.windows;
    // Frames 500..748 step 4: 63 of 250 lost.
    expect(w.map((x) => x.pplPercent)).toEqual([0, 0, 25.2, 0]);
    expect(w[2].mosCq).toBeLessThan(w[0].mosCq - 1);
    expect(w[0].mosCq).toBe(w[1].mosCq);
    expect(w[3].mosCq).toBe(w[0].mosCq);
  });

  it('rates an 8 kHz call on the narrowband scale (R <= 100)', () => {
    const e = emodelForVariant(variant({ sampleRate: 8000, bitrateKbps: 16, frames: 250, m2eMs: 100, lostAt: () => false })).emodel!;
    expect(e.standard).toBe('ITU-T G.107');
    expect(e.R).toBeLessThanOrEqual(100);
    expect(e.pplPercent).toBe(0);
    expect(e.burstR).toBe(1);
  });
});
