import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VariantResultsJson } from '../../src/report/results.ts';
import { emodelForVariant, postRecoveryLoss, scoreSegments, signalScores } from '../../src/report/scores-for-run.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { opusEmodelScale } from '../../src/scores/index.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { wav16 } from './wav16.ts';

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
    expect(opusEmodelScale(8000)).toBe('nb');
    expect(opusEmodelScale(12000)).toBe('nb');
    expect(opusEmodelScale(16000)).toBe('wb');
    expect(opusEmodelScale(48000)).toBe('wb');
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

  it('computes BurstR over the frames sent: DTX silence neither splits bursts nor dilutes p', () => {
    // Speech blocks of 10 frames alternate with 10 DTX frames; the last speech frame of a block and
    // the first of the next are lost, so in the sent sequence (500 frames) the losses come in pairs.
    let outcome = '';
    for (let i = 0; i < 1000; i++) {
      const dtx = i % 20 >= 10;
      const lostHere = !dtx && (i % 20 === 9 || (i % 20 === 0 && i > 0));
      outcome += code(dtx ? 'dtx' : lostHere ? 'concealed' : 'normal');
    }
    const v = {
      sender: { codec: { sampleRate: 48000, bitrateKbps: 24, frameMs: 20 } },
      playout: { effectiveLoss: 99 / 500 },
      latency: { mouthToEarMs: 100 },
      frames: { outcomes: OUTCOMES, outcome, playoutMs: [] },
    } as unknown as VariantResultsJson;
    // Sent sequence: 49 bursts of 2 and one trailing loss. From a lost frame: 98 transitions, 49 to
    // received (q = 1/2); from a received one: 401 transitions, 50 to lost (p = 50/401).
    expect(emodelForVariant(v).emodel!.burstR).toBeCloseTo(1 / (50 / 401 + 0.5), 4);
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

describe('signal scores of report WAVs', () => {
  let dir: string;
  let ref: string;
  let deg: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jl-sig-'));
    const speech = readWavMono(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'));
    const clip = Float64Array.from(speech.samples.subarray(0, 8 * 48000));
    const hole = Float64Array.from(clip);
    // 300 ms of audio dropped at 6.0 s, as a burst of concealment failures would.
    hole.fill(0, 6 * 48000, 6.3 * 48000);
    ref = join(dir, 'reference.wav');
    deg = join(dir, 'degraded.wav');
    writeFileSync(ref, wav16([clip], 48000));
    writeFileSync(deg, wav16([hole], 48000));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts long calls into segments of about a minute, a short call into one', () => {
    expect(scoreSegments(20)).toEqual([{ startS: 0, durS: Infinity }]);
    expect(scoreSegments(600)).toHaveLength(10);
    // A one-hour call is sampled by 10 evenly spaced one-minute segments, the last ending at the call's end.
    const long = scoreSegments(3600);
    expect(long).toHaveLength(10);
    expect(long[0]).toEqual({ startS: 0, durS: 60 });
    expect(long[9].startS + long[9].durS).toBeCloseTo(3600, 9);
    const s = scoreSegments(130);
    expect(s.map((x) => x.startS)).toEqual([0, 65]);
    expect(s[1].durS).toBe(Infinity);
  });

  for (const segmentS of [60, 4]) {
    it(`locates the damage in time with ViSQOL patch similarity (${segmentS === 60 ? 'one segment' : 'two pooled segments'})`, () => {
      const s = signalScores(ref, deg, { visqol: true, segmentS });
      const v = s.visqol!;
      expect(v.segments).toBe(segmentS === 60 ? 1 : 2);
      expect(v.mos).toBeLessThan(5);
      const worst = v.patches.reduce((a, b) => (b.similarity < a.similarity ? b : a));
      // The patch holding 6.0-6.3 s scores lowest.
      expect(worst.startS).toBeLessThan(6.3);
      expect(worst.endS).toBeGreaterThan(6.0);
      expect(v.patches.some((p) => p.startS < 3)).toBe(true);
      expect(v.patches.some((p) => p.startS > 5)).toBe(true);
      // vnsim is the mean of the per-band similarities, pooled over every patch.
      expect(v.vnsim).toBeCloseTo(v.fvnsim.reduce((a, b) => a + b, 0) / v.fvnsim.length, 3);
      expect(s.sanity.lagMs).toBe(0);
    });
  }

  it('computes only the sanity measures when ViSQOL is off', () => {
    const s = signalScores(ref, ref, { visqol: false });
    expect(s.visqol).toBeNull();
    expect(s.visqolSkipped).toMatch(/disabled/);
    expect(s.sanity).toEqual({ lagMs: 0, levelOffsetDb: 0, lsdDb: 0 });
  });
});
