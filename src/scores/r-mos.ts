/**
 * R <-> MOS conversions of the E-model.
 *
 * - ITU-T G.107 Annex B: MOS = 1 + 0.035R + 7e-6 R (R-60)(100-R) for 0 < R < 100,
 *   1 for R <= 0 and 4.5 for R >= 100. The cubic dips below 1 for 0 < R < 6.515
 *   (minimum 0.9888), so the result is clamped to [1, 4.5].
 * - G.107.1 Annex A (wideband, Ro = 129) applies the same curve to Rx = R / 1.29;
 *   G.107.2 (fullband, Ro = 148) to Rx = R / 1.48.
 * - The inverse is G.107 Appendix I's closed form (a trigonometric root of the cubic).
 */

export type EmodelBandwidth = 'nb' | 'wb' | 'fb';

/** The R value of a perfect connection on each scale (G.107 / G.107.1 / G.107.2). */
export const R_SCALE_MAX: Readonly<Record<EmodelBandwidth, number>> = { nb: 100, wb: 129, fb: 148 };

/** Divisor taking an R value to the narrowband 0..100 scale before the Annex B curve. */
export const R_SCALE_DIVISOR: Readonly<Record<EmodelBandwidth, number>> = { nb: 1, wb: 1.29, fb: 1.48 };

export const MOS_MIN = 1;
export const MOS_MAX = 4.5;

/** G.107 Annex B on the narrowband scale, clamped to [1, 4.5]. */
function nbRToMos(r: number): number {
  if (Number.isNaN(r)) return Number.NaN;
  if (r <= 0) return MOS_MIN;
  if (r >= 100) return MOS_MAX;
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  // The cubic is below 1 for 0 < R < 6.515; MOS is never below 1.
  return Math.min(MOS_MAX, Math.max(MOS_MIN, mos));
}

/** MOS from R on the scale of `bandwidth` (default narrowband). */
export function rToMos(r: number, bandwidth: EmodelBandwidth = 'nb'): number {
  return nbRToMos(r / R_SCALE_DIVISOR[bandwidth]);
}

/**
 * R from MOS, G.107 Appendix I:
 *   R = (20/3)(8 - sqrt(226) cos(h + pi/3)),
 *   h = (1/3) atan2(15 sqrt(-903522 + 1113960 M - 202500 M^2), 18566 - 6750 M).
 * Note the JS Math.atan2(y, x) order: swapping the arguments gives negative R.
 * Out-of-range MOS is clamped: MOS <= 1 returns 0 (every R <= 6.515 maps to MOS 1, so the
 * inverse is only unique above that), MOS >= 4.5 returns the scale maximum (100 narrowband).
 * Wideband/fullband results are scaled back by 1.29 / 1.48.
 */
export function mosToR(mos: number, bandwidth: EmodelBandwidth = 'nb'): number {
  if (Number.isNaN(mos)) return Number.NaN;
  const scale = R_SCALE_DIVISOR[bandwidth];
  if (mos <= MOS_MIN) return 0;
  if (mos >= MOS_MAX) return 100 * scale;
  const disc = -903522 + 1113960 * mos - 202500 * mos * mos;
  // disc < 0 only for MOS outside (0.859, 4.642); MOS is within (1, 4.5) here.
  const h = Math.atan2(15 * Math.sqrt(Math.max(0, disc)), 18566 - 6750 * mos) / 3;
  const r = (20 / 3) * (8 - Math.sqrt(226) * Math.cos(h + Math.PI / 3));
  return r * scale;
}
