/**
 * The E-model, ITU-T G.107 (06/2015) narrowband, with the wideband (G.107.1, Ro = 129) and
 * fullband (G.107.2, Ro = 148) variants. Formula numbers follow G.107 clause 7 as summarised in
 * /work/shared/research/speech-quality.md section 1.
 *
 * R = Ro - Is - Id - Ie,eff + A.
 */
import { JitterlabError } from '../core/errors.ts';
import { rToMos, type EmodelBandwidth } from './r-mos.ts';

/** All G.107 input parameters (Table 3 defaults in `G107_DEFAULTS`). Units as in G.107. */
export interface EmodelInputs {
  /** Send loudness rating, dB. */
  SLR: number;
  /** Receive loudness rating, dB. */
  RLR: number;
  /** Sidetone masking rating, dB. */
  STMR: number;
  /** Listener sidetone rating, dB. G.107 defines LSTR = STMR + Dr; left undefined it is derived. */
  LSTR?: number;
  /** D-value of the telephone, send side. */
  Ds: number;
  /** D-value of the telephone, receive side. */
  Dr: number;
  /** Talker echo loudness rating, dB. */
  TELR: number;
  /** Weighted echo path loss, dB. */
  WEPL: number;
  /** Mean one-way delay of the echo path, ms. */
  T: number;
  /** Round-trip delay in a 4-wire loop, ms. */
  Tr: number;
  /** Absolute (mouth-to-ear) delay, ms. */
  Ta: number;
  /** Number of quantizing distortion units. */
  qdu: number;
  /** Equipment impairment factor (on the scale of the chosen bandwidth). */
  Ie: number;
  /** Packet-loss robustness factor. */
  Bpl: number;
  /** Packet-loss probability in percent (0..100), including late discards. */
  Ppl: number;
  /** Burst ratio (1 = random loss). */
  BurstR: number;
  /** Circuit noise referred to the 0 dBr point, dBm0p. */
  Nc: number;
  /** Noise floor at the receive side, dBmp. */
  Nfor: number;
  /** Room noise at the send side, dB(A). */
  Ps: number;
  /** Room noise at the receive side, dB(A). */
  Pr: number;
  /** Advantage factor (0 wired, 5 in-building, 10 vehicular, 20 satellite). */
  A: number;
  /** Delay-sensitivity slope (G.107 (06/2015) Table 1: 1 default, 0.55 low, 0.4 very low). */
  sT: number;
  /** Minimum perceivable delay, ms (100 default, 120 low, 150 very low). */
  mT: number;
}

export const G107_DEFAULTS: Readonly<Required<Omit<EmodelInputs, 'LSTR'>>> = Object.freeze({
  SLR: 8,
  RLR: 2,
  STMR: 15,
  Ds: 3,
  Dr: 3,
  TELR: 65,
  WEPL: 110,
  T: 0,
  Tr: 0,
  Ta: 0,
  qdu: 1,
  Ie: 0,
  Bpl: 4.3,
  Ppl: 0,
  BurstR: 1,
  Nc: -70,
  Nfor: -64,
  Ps: 35,
  Pr: 35,
  A: 0,
  sT: 1,
  mT: 100,
});

export interface EmodelOptions {
  /** Rating scale: 'nb' G.107 (default), 'wb' G.107.1 (Ro 129), 'fb' G.107.2 (Ro 148). */
  bandwidth?: EmodelBandwidth;
}

export interface EmodelResult {
  bandwidth: EmodelBandwidth;
  Ro: number;
  Is: number;
  Iolr: number;
  Ist: number;
  Iq: number;
  Id: number;
  Idte: number;
  Idle: number;
  Idd: number;
  IeEff: number;
  R: number;
  /** MOS-CQE from R (G.107 Annex B, on Rx = R/1.29 or R/1.48 for wb/fb). */
  mos: number;
}

const log10 = Math.log10;

/** Ie,eff = Ie + (95 - Ie) Ppl / (Ppl/BurstR + Bpl), Ppl in percent (G.107 eq. 7-29). */
export function effectiveIe(Ie: number, Bpl: number, pplPercent: number, burstR: number): number {
  if (pplPercent <= 0) return Ie;
  return Ie + ((95 - Ie) * pplPercent) / (pplPercent / burstR + Bpl);
}

/** Noise terms shared by Ro and Idte (G.107 7.2). */
function noiseSum(p: Required<EmodelInputs>): number {
  const OLR = p.SLR + p.RLR;
  const Nfo = p.Nfor + p.RLR;
  const Pre = p.Pr + 10 * log10(1 + 10 ** ((10 - p.LSTR) / 10));
  const Nor = p.RLR - 121 + Pre + 0.008 * (Pre - 35) ** 2;
  const Nos = p.Ps - p.SLR - p.Ds - 100 + 0.004 * (p.Ps - OLR - p.Ds - 14) ** 2;
  return 10 * log10(10 ** (p.Nc / 10) + 10 ** (Nos / 10) + 10 ** (Nor / 10) + 10 ** (Nfo / 10));
}

/** Simultaneous impairment terms (G.107 7.3). */
function simultaneous(p: Required<EmodelInputs>, No: number, Ro: number): { Iolr: number; Ist: number; Iq: number } {
  const OLR = p.SLR + p.RLR;
  const Xolr = OLR + 0.2 * (64 + No - p.RLR);
  const Iolr = 20 * ((1 + (Xolr / 8) ** 8) ** (1 / 8) - Xolr / 8);
  const STMRo = -10 * log10(10 ** (-p.STMR / 10) + Math.exp(-p.T / 4) * 10 ** (-p.TELR / 10));
  const Ist =
    12 * (1 + ((STMRo - 13) / 6) ** 8) ** (1 / 8) -
    28 * (1 + ((STMRo + 1) / 19.4) ** 35) ** (1 / 35) -
    13 * (1 + ((STMRo - 3) / 33) ** 13) ** (1 / 13) +
    29;
  const Q = 37 - 15 * log10(p.qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q * Q;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Z = 46 / 30 - G / 40;
  const Iq = 15 * log10(1 + 10 ** Y + 10 ** Z);
  return { Iolr, Ist, Iq };
}

/**
 * Delay impairment terms (G.107 7.4, with the 2015 sT/mT form of Idd). `Ist` is G.107's sidetone
 * term for its STMR < 9 and STMR > 20 echo corrections, null on the wideband/fullband scales.
 */
function delay(p: Required<EmodelInputs>, No: number, Ro: number, Ist: number | null): { Idte: number; Idle: number; Idd: number } {
  let TERV = p.TELR - 40 * log10((1 + p.T / 10) / (1 + p.T / 150)) + 6 * Math.exp(-0.3 * p.T * p.T);
  if (Ist !== null && p.STMR < 9) TERV += Ist / 2;
  const Roe = -1.5 * (No - p.RLR);
  const Re = 80 + 2.5 * (TERV - 14);
  let Idte = 0;
  // G.107 (06/2015): Idte = 0 for T < 1 ms (there is no talker echo without an echo path delay).
  if (p.T >= 1) {
    Idte = ((Roe - Re) / 2 + Math.sqrt((Roe - Re) ** 2 / 4 + 100) - 1) * (1 - Math.exp(-p.T));
  }
  if (Ist !== null && p.STMR > 20) Idte = Math.sqrt(Idte * Idte + Ist * Ist);
  // Listener echo against the scale's basic ratio: G.107.1 (06/2019) clause 1 keeps listener echo
  // in the wideband model ("covered but not yet studied in detail") and clause 7.4 takes G.107's
  // Idle with Ro,WB = 129 (G.107.2 likewise with Ro,FB = 148).
  const Rle = 10.5 * (p.WEPL + 7) * (p.Tr + 1) ** -0.25;
  const Idle = (Ro - Rle) / 2 + Math.sqrt((Ro - Rle) ** 2 / 4 + 169);
  let Idd = 0;
  if (p.Ta > p.mT) {
    const X = log10(p.Ta / p.mT) / log10(2);
    const e = 6 * p.sT;
    Idd = 25 * ((1 + X ** e) ** (1 / e) - 3 * (1 + (X / 3) ** e) ** (1 / e) + 2);
  }
  return { Idte, Idle, Idd };
}

/** Fill defaults; LSTR defaults to STMR + Dr as G.107 defines it. */
export function withDefaults(inputs: Partial<EmodelInputs> = {}): Required<EmodelInputs> {
  const merged = { ...G107_DEFAULTS, ...stripUndefined(inputs) };
  return { ...merged, LSTR: inputs.LSTR ?? merged.STMR + merged.Dr };
}

function stripUndefined(o: Partial<EmodelInputs>): Partial<EmodelInputs> {
  const out: Partial<EmodelInputs> = {};
  for (const [k, v] of Object.entries(o) as [keyof EmodelInputs, number | undefined][]) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * G.107's sidetone corrections of talker echo (TERV + Ist/2 below STMR 9 dB, Idte folded with Ist
 * above 20 dB) model a non-optimum sidetone, which G.107.1 (06/2019) clause 1 lists among the
 * degradations "not yet covered" by the wideband model: clause 7.3 sets Is,WB = 0 and its talker
 * echo has no sidetone term. Such an STMR has no rating on the wideband or fullband scale, so it is
 * refused rather than rated as if the sidetone were optimum (which would drop up to 8 R).
 */
function checkSidetoneCovered(bandwidth: EmodelBandwidth, STMR: number): void {
  if (bandwidth === 'nb' || (STMR >= 9 && STMR <= 20)) return;
  throw new JitterlabError(
    'usage',
    `E-model: STMR ${STMR} dB is a non-optimum sidetone, which the ${bandwidth === 'wb' ? 'wideband (G.107.1)' : 'fullband (G.107.2)'} E-model does not cover (G.107.1 (06/2019) clause 1); use 9..20 dB or the narrowband scale`,
  );
}

/**
 * Full E-model computation.
 *
 * Narrowband follows G.107 exactly. For 'wb' / 'fb' (G.107.1 / G.107.2) Ro is the fixed
 * 129 / 148 and Is = 0: the 2019 editions state that loudness, noise, sidetone and quantizing
 * distortion are not (yet) covered on those scales, so STMR outside 9..20 dB is refused there
 * (checkSidetoneCovered). Id keeps the G.107 talker-echo, listener-echo and absolute-delay terms,
 * with Idle referred to the wideband/fullband Ro. Ie and Bpl must then be wideband/fullband values
 * (Ie,WB / Ie,FB); the 95 in Ie,eff is kept, as in G.107.1 (06/2019). With every parameter at its
 * default the wideband R is 129 - Idle(Tr 0, WEPL 110) = 128.846.
 */
export function emodel(inputs: Partial<EmodelInputs> = {}, options: EmodelOptions = {}): EmodelResult {
  const bandwidth = options.bandwidth ?? 'nb';
  const p = withDefaults(inputs);
  checkSidetoneCovered(bandwidth, p.STMR);
  const No = noiseSum(p);
  let Ro: number;
  let Iolr = 0;
  let Ist = 0;
  let Iq = 0;
  if (bandwidth === 'nb') {
    Ro = 15 - 1.5 * (p.SLR + No);
    ({ Iolr, Ist, Iq } = simultaneous(p, No, Ro));
  } else {
    Ro = bandwidth === 'wb' ? 129 : 148;
  }
  const Is = Iolr + Ist + Iq;
  const { Idte, Idle, Idd } = delay(p, No, Ro, bandwidth === 'nb' ? Ist : null);
  const Id = Idte + Idle + Idd;
  const IeEff = effectiveIe(p.Ie, p.Bpl, p.Ppl, p.BurstR);
  const R = Ro - Is - Id - IeEff + p.A;
  return { bandwidth, Ro, Is, Iolr, Ist, Iq, Id, Idte, Idle, Idd, IeEff, R, mos: rToMos(R, bandwidth) };
}
