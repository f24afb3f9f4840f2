/**
 * Limits on recordings for one server run: how many may run at once, how many a run may save,
 * the audio bytes one recording may write, and the audio bytes all of them together may write.
 * A recording that reaches a byte limit stops and is saved (never lost); one that would pass a
 * count limit is refused. Each limit names its flag in the message.
 */
export interface RecordingLimits {
  /** Recordings running at the same time (--max-active-recordings). */
  maxActive: number;
  /** Recordings started in this run (--max-recordings). */
  maxPerRun: number;
  /** Audio bytes (all WAV files) of one recording (--max-recording-mb). */
  maxBytes: number;
  /** Audio bytes of all recordings of this run (--recording-budget-mb). */
  budgetBytes: number;
}

export const DEFAULT_RECORDING_LIMITS: RecordingLimits = {
  maxActive: 4,
  maxPerRun: 100,
  maxBytes: 2048 * 2 ** 20,
  budgetBytes: 8192 * 2 ** 20,
};

/** The most a recording may write: each WAV file stays below RIFF's 4 GiB size fields. */
export const MAX_RECORDING_MB = 4000;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 2 : 0)} MB`;

export class RecordingQuota {
  private active = 0;
  private started = 0;
  private written = 0;

  constructor(readonly limits: RecordingLimits) {}

  /** A new recording: null when it may start, else why not. */
  acquire(): string | null {
    const l = this.limits;
    if (this.active >= l.maxActive) return `recording refused: ${l.maxActive} recordings are running (--max-active-recordings)`;
    if (this.started >= l.maxPerRun) return `recording refused: this run has started its ${l.maxPerRun} recordings (--max-recordings)`;
    if (this.written >= l.budgetBytes) return `recording refused: this run's ${mb(l.budgetBytes)} of recordings are used up (--recording-budget-mb)`;
    this.active++;
    this.started++;
    return null;
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
  }

  /** Charge `bytes` to a recording that has written `own` so far: null if allowed, else why the recording stops. */
  charge(own: number, bytes: number): string | null {
    const l = this.limits;
    if (own + bytes > l.maxBytes) return `recording stopped at its size limit of ${mb(l.maxBytes)} of audio (--max-recording-mb)`;
    if (this.written + bytes > l.budgetBytes) return `recording stopped: this run's ${mb(l.budgetBytes)} of recordings are used up (--recording-budget-mb)`;
    this.written += bytes;
    return null;
  }

  get activeCount(): number {
    return this.active;
  }
}
