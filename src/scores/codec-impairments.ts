/**
 * Codec impairment table for the E-model: equipment impairment Ie and packet-loss robustness Bpl.
 *
 * Data only. Each entry names where its numbers come from. ITU-T G.113 is the normative source
 * for Ie/Bpl; the narrowband values below are the ones widely reproduced from G.113 Appendix I,
 * the AMR-WB values from G.113 Appendix IV as transcribed by a third-party implementation (see
 * /work/shared/research/speech-quality.md sections 1-2). Opus has no ITU-published Ie/Bpl at all:
 * those entries are `provisional: true` and their `source` says how each number was chosen.
 *
 * Ie and Bpl are on the scale of `bandwidth`: 'nb' values feed G.107 (Ro 93.2 scale), 'wb' values
 * are Ie,WB/Bpl,WB for G.107.1 (Ro 129), 'fb' values Ie,FB/Bpl,FB for G.107.2 (Ro 148).
 */
import type { EmodelBandwidth } from './r-mos.ts';

export interface CodecImpairment {
  /** Codec name in lower case, e.g. 'g711', 'g729a', 'amr-wb', 'opus'. */
  codec: string;
  bandwidth: EmodelBandwidth;
  /** Human-readable operating condition (mode, PLC, listening situation). */
  condition: string;
  /** Bitrate range the entry applies to, kbit/s, min inclusive, max exclusive. */
  bitrateKbps: { min: number; max: number };
  Ie: number;
  Bpl: number;
  /** Where the numbers come from. */
  source: string;
  /** True when no standard publishes the value (our own estimate, documented in `source`). */
  provisional: boolean;
}

const G113_APP_I = 'ITU-T G.113 Appendix I (values as widely reproduced; G.113 text itself not re-checked)';
const G113_APP_IV =
  'ITU-T G.113 Appendix IV, AMR-WB Ie,WB (monotic) as transcribed by a third-party emodel_wb implementation; ' +
  'not verified against the Recommendation text';
const AMRWB_BPL =
  'Bpl,WB from G.113 Appendix IV (diotic, uniform loss) as transcribed by a third-party implementation';

function amrWb(modeKbps: number, ie: number, bpl: number | null, next: number): CodecImpairment {
  return {
    codec: 'amr-wb',
    bandwidth: 'wb',
    condition: `AMR-WB (G.722.2) mode ${modeKbps} kbit/s, monotic listening`,
    bitrateKbps: { min: modeKbps, max: next },
    Ie: ie,
    // Bpl,WB is transcribed only for 12.65/23.05/23.85 kbit/s; other modes borrow 4.3, the lowest
    // (least robust) G.107.1 value, which makes them provisional.
    Bpl: bpl ?? 4.3,
    source: bpl === null ? `${G113_APP_IV}; Bpl,WB 4.3 assumed (no transcribed value for this mode)` : `${G113_APP_IV}; ${AMRWB_BPL}`,
    provisional: bpl === null,
  };
}

/** How every Opus entry's `source` begins; the report states it once and shows the rest per entry. */
export const OPUS_NOTE =
  'No ITU-T Recommendation publishes Ie/Bpl for Opus (RFC 6716). Provisional estimate:';

// Each source text stands alone (a report shows it without the table around it).
const OPUS_NB_BPL =
  'Bpl 25 is our least-squares fit (25.3, Ppl 0.1-10 % in 0.1 steps, BurstR 1) of (95 - Ie0) Ppl/(Ppl + Bpl) ' +
  'to the loss part of the PESQ-derived SILK curve Ie,eff = 18.3442 log10(1 + 1.54894 Ppl) + 1.31953 ' +
  'attributed to Malone (TCD, 2013), Ie0 = 1.31953 (pointwise Bpl 14.7 at 2 %, 22.1 at 5 %, 32.0 at 10 %).';
const OPUS_WB_BPL =
  'Bpl,WB 10 sits between the AMR-WB uniform-loss values (4.3-4.9) and the narrowband SILK fit (25) because ' +
  'Opus has a built-in PLC that AMR-WB ratings do not assume.';
const OPUS_FB_BPL = 'Bpl,FB 10: the wideband estimate (Bpl,WB 10), for want of a fullband one.';

export const CODEC_IMPAIRMENTS: readonly CodecImpairment[] = Object.freeze([
  {
    codec: 'g711',
    bandwidth: 'nb',
    condition: 'G.711 64 kbit/s, no packet-loss concealment (random loss)',
    bitrateKbps: { min: 64, max: 64.001 },
    Ie: 0,
    Bpl: 4.3,
    source: `${G113_APP_I}; Bpl 4.3 is the G.107 default for G.711 without PLC`,
    provisional: false,
  },
  {
    codec: 'g711-plc',
    bandwidth: 'nb',
    condition: 'G.711 64 kbit/s with PLC (G.711 Appendix I)',
    bitrateKbps: { min: 64, max: 64.001 },
    Ie: 0,
    Bpl: 25.1,
    source: G113_APP_I,
    provisional: false,
  },
  {
    codec: 'g729a',
    bandwidth: 'nb',
    condition: 'G.729A 8 kbit/s with VAD',
    bitrateKbps: { min: 8, max: 8.001 },
    Ie: 11,
    Bpl: 19.0,
    source: G113_APP_I,
    provisional: false,
  },
  {
    codec: 'g723.1',
    bandwidth: 'nb',
    condition: 'G.723.1 6.3 kbit/s with VAD',
    bitrateKbps: { min: 6.3, max: 6.301 },
    Ie: 15,
    Bpl: 16.1,
    source: G113_APP_I,
    provisional: false,
  },
  {
    codec: 'gsm-efr',
    bandwidth: 'nb',
    condition: 'GSM-EFR 12.2 kbit/s',
    bitrateKbps: { min: 12.2, max: 12.201 },
    Ie: 5,
    Bpl: 10,
    source: G113_APP_I,
    provisional: false,
  },
  amrWb(6.6, 41, null, 8.85),
  amrWb(8.85, 26, null, 12.65),
  amrWb(12.65, 13, 4.3, 14.25),
  amrWb(14.25, 10, null, 15.85),
  amrWb(15.85, 7, null, 18.25),
  amrWb(18.25, 5, null, 19.85),
  amrWb(19.85, 3, null, 23.05),
  amrWb(23.05, 1, 4.6, 23.85),
  amrWb(23.85, 8, 4.9, 23.851),
  {
    codec: 'g722',
    bandwidth: 'wb',
    condition: 'G.722 64 kbit/s',
    bitrateKbps: { min: 64, max: 64.001 },
    Ie: 13,
    Bpl: 4.3,
    source:
      'Ie,WB 13 as reproduced from G.113 Appendix IV by third parties (a Mitel document lists 14); ' +
      'Bpl,WB 4.3 assumed (lowest G.107.1 value, no published figure found)',
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'nb',
    condition: 'Opus SILK narrowband, 6-12 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 6, max: 12 },
    Ie: 11,
    Bpl: 25,
    source:
      `${OPUS_NOTE} Ie 11 by analogy with G.729A (8 kbit/s CELP-class narrowband codec, G.113 App. I). ${OPUS_NB_BPL}`,
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'nb',
    condition: 'Opus narrowband, >= 12 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 12, max: 510 },
    Ie: 5,
    Bpl: 25,
    source:
      `${OPUS_NOTE} Ie 5 by analogy with GSM-EFR 12.2 kbit/s (G.113 App. I). ${OPUS_NB_BPL}`,
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'wb',
    condition: 'Opus wideband (SILK WB), 8-14 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 8, max: 14 },
    Ie: 20,
    Bpl: 10,
    source:
      `${OPUS_NOTE} Ie,WB by analogy with AMR-WB at a similar bitrate (12.65 kbit/s monotic 13, diotic 20, ` +
      `G.113 App. IV as transcribed), taking the more pessimistic value for the lower bitrates. ${OPUS_WB_BPL}`,
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'wb',
    condition: 'Opus wideband, 14-24 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 14, max: 24 },
    Ie: 10,
    Bpl: 10,
    source:
      `${OPUS_NOTE} Ie,WB 10 = AMR-WB 14.25 kbit/s monotic (G.113 App. IV as transcribed); listening tests ` +
      'summarised in the IETF codec WG results (draft-ietf-codec-results) put Opus WB at these rates on par ' +
      `with or above AMR-WB at similar rates. ${OPUS_WB_BPL}`,
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'wb',
    condition: 'Opus wideband, >= 24 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 24, max: 510 },
    Ie: 3,
    Bpl: 10,
    source:
      `${OPUS_NOTE} Ie,WB 3 = AMR-WB 19.85 kbit/s monotic (G.113 App. IV as transcribed), the best non-outlier ` +
      `AMR-WB value below 23.05 kbit/s. ${OPUS_WB_BPL}`,
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'fb',
    condition: 'Opus fullband (hybrid/CELT), 24-48 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 24, max: 48 },
    Ie: 10,
    Bpl: 10,
    source:
      `${OPUS_NOTE} No G.113 Ie,FB exists for Opus; a DAGA paper estimates Ie,FB from P.863 (P.834 method) ` +
      'but its values were not available to us. Ie,FB 10 is a placeholder of the size of the wideband ' +
      `estimates scaled to the 148 scale (roughly 7 x 1.48/1.29 rounded up). ${OPUS_FB_BPL}`,
    provisional: true,
  },
  {
    codec: 'opus',
    bandwidth: 'fb',
    condition: 'Opus fullband, >= 48 kbit/s, built-in PLC, no in-band FEC',
    bitrateKbps: { min: 48, max: 510 },
    Ie: 5,
    Bpl: 10,
    source:
      `${OPUS_NOTE} Ie,FB 5 is a placeholder: Opus at >= 48 kbit/s is near-transparent for speech, so a small ` +
      `Ie,FB; no published Ie,FB exists for Opus. ${OPUS_FB_BPL}`,
    provisional: true,
  },
] satisfies CodecImpairment[]);

/**
 * The table entry for `codec` on `bandwidth` whose bitrate range contains `bitrateKbps`
 * (the first matching entry; when no bitrate is given, the first entry for codec+bandwidth).
 */
export function findCodecImpairment(
  codec: string,
  bandwidth: EmodelBandwidth,
  bitrateKbps?: number,
): CodecImpairment | undefined {
  const name = codec.toLowerCase();
  return CODEC_IMPAIRMENTS.find(
    (e) =>
      e.codec === name &&
      e.bandwidth === bandwidth &&
      (bitrateKbps === undefined || (bitrateKbps >= e.bitrateKbps.min && bitrateKbps < e.bitrateKbps.max)),
  );
}

/**
 * The E-model scale of an Opus stream: G.107.1 wideband when the decoded audio reaches 7 kHz
 * (16 kHz sampling or more), G.107 narrowband otherwise (8 and 12 kHz sampling). Fullband G.107.2
 * is not used: its Opus Ie,FB entries above are placeholders with no published basis.
 */
export function opusEmodelScale(sampleRate: number): EmodelBandwidth {
  return sampleRate >= 16000 ? 'wb' : 'nb';
}

/**
 * The Opus entry for a stream, one policy for the report, the live page and RTCP XR: the entry of
 * the stream's scale whose bitrate range holds `bitrateKbps`, else the narrowband entry for that
 * bitrate (below 8 kbit/s Opus codes narrowband audio whatever its sampling rate); null when
 * neither scale has one. Never an entry for another bitrate: at 12 kbit/s a 24-48 kbit/s value
 * would rate the call far too well.
 */
export function opusImpairment(sampleRate: number, bitrateKbps: number): CodecImpairment | null {
  const scale = opusEmodelScale(sampleRate);
  return findCodecImpairment('opus', scale, bitrateKbps) ?? (scale === 'nb' ? undefined : findCodecImpairment('opus', 'nb', bitrateKbps)) ?? null;
}
