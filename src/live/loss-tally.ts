/**
 * A frame-loss sequence kept as counts, for the E-model of a whole live stream or recording
 * period in constant memory: frames, lost frames, and the consecutive-pair transitions that
 * BurstR's 2-state fit uses (G.107 7.5; scores/burst-ratio.ts fits the same counts from a stored
 * sequence, and a test holds the two equal).
 */
export class LossTally {
  frames = 0;
  lost = 0;
  private fromRecv = 0;
  private recvToLoss = 0;
  private fromLoss = 0;
  private lossToRecv = 0;
  private prev: boolean | null = null;

  push(lost: boolean): void {
    this.frames++;
    if (lost) this.lost++;
    if (this.prev !== null) {
      if (this.prev) {
        this.fromLoss++;
        if (!lost) this.lossToRecv++;
      } else {
        this.fromRecv++;
        if (lost) this.recvToLoss++;
      }
    }
    this.prev = lost;
  }

  get pplPercent(): number {
    return this.frames > 0 ? (100 * this.lost) / this.frames : 0;
  }

  /** BurstR = 1 / (p + q), with burstRFromLossSequence's conventions for unobserved states. */
  get burstR(): number {
    if (this.lost === 0) return 1;
    if (this.fromRecv === 0 && this.fromLoss === 0) return 1;
    const p = this.fromRecv > 0 ? this.recvToLoss / this.fromRecv : 1;
    const q = this.fromLoss > 0 ? this.lossToRecv / this.fromLoss : 1;
    return 1 / (p + q);
  }
}
