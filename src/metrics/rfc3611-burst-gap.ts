/**
 * RFC 3611 section 4.7.2 burst/gap metrics with the Appendix A.2 algorithm. Input: for each
 * expected packet in sequence order, whether it was lost or discarded (true) or received and
 * played (false). A burst is the longest run that starts and ends with a loss and holds no
 * Gmin consecutive received packets; everything else is gap.
 */
export interface BurstGapMetrics {
  gmin: number;
  /** Fraction (0..1) of packets lost within bursts / within gaps. RFC 3611 carries them x256. */
  burstDensity: number;
  gapDensity: number;
  burstDurationMs: number;
  gapDurationMs: number;
  /** The same densities as the 8-bit fields an XR VoIP metrics block carries. */
  burstDensity256: number;
  gapDensity256: number;
}

export function rfc3611BurstGap(lost: ArrayLike<boolean>, frameMs: number, gmin = 16): BurstGapMetrics {
  let c11 = 0;
  let c13 = 0;
  let c14 = 0;
  let c22 = 0;
  let c23 = 0;
  let c33 = 0;
  let pkt = 0;
  let lostRun = 0;
  let seenLoss = false;
  for (let i = 0; i < lost.length; i++) {
    if (!lost[i]) {
      pkt++;
      continue;
    }
    // The call starts in a gap (a burst starts with a loss, section 4.7.2): the first loss enters
    // a burst however few packets came before it. A.2's counters start as if inside a burst, so a
    // first loss within Gmin packets left c13 = 0: a burst density with no burst duration.
    if (pkt >= gmin || !seenLoss) {
      seenLoss = true;
      if (lostRun === 1) c14++;
      else c13++;
      lostRun = 1;
      c11 += pkt;
    } else {
      lostRun++;
      if (pkt === 0) c33++;
      else {
        c23++;
        c22 += pkt - 1;
      }
    }
    pkt = 0;
  }
  // As in A.2, packets received after the last loss are not yet classified: they enter c11
  // only when the next loss shows whether they closed a burst.
  const c31 = c13;
  const c32 = c23;
  const ctotal = c11 + c14 + c13 + c22 + c23 + c31 + c32 + c33;
  const p32den = c31 + c32 + c33;
  const p32 = p32den === 0 ? 0 : c32 / p32den;
  const p23den = c22 + c23;
  const p23 = p23den === 0 ? 1 : 1 - c22 / p23den;
  const burstDensity = c13 === 0 && c33 === 0 && c23 === 0 ? 0 : p23 + p32 === 0 ? 0 : p23 / (p23 + p32);
  const gapDensity = c11 + c14 === 0 ? 0 : c14 / (c11 + c14);
  let gapDurationMs: number;
  let burstDurationMs: number;
  if (c13 === 0) {
    // No loss at all: the whole stream is one gap.
    gapDurationMs = lost.length * frameMs;
    burstDurationMs = 0;
  } else {
    gapDurationMs = ((c11 + c14 + c13) * frameMs) / c13;
    burstDurationMs = (ctotal * frameMs) / c13 - gapDurationMs;
  }
  return {
    gmin,
    burstDensity,
    gapDensity,
    burstDurationMs,
    gapDurationMs,
    burstDensity256: Math.min(255, Math.floor(burstDensity * 256)),
    gapDensity256: Math.min(255, Math.floor(gapDensity * 256)),
  };
}

/** Lengths of the runs of consecutive losses (for burst-length histograms and per-burst quality). */
export function lossRunLengths(lost: ArrayLike<boolean>): number[] {
  const runs: number[] = [];
  let run = 0;
  for (let i = 0; i < lost.length; i++) {
    if (lost[i]) run++;
    else if (run > 0) {
      runs.push(run);
      run = 0;
    }
  }
  if (run > 0) runs.push(run);
  return runs;
}
