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

/**
 * The counts live in shared memory, so every thread of the live server (recordings run on the
 * leg workers) draws on one quota: `shared` goes to a worker, which attaches to it with
 * `RecordingQuota.attach`. Every change is one atomic compare-and-swap, so two threads can never
 * both take the last place or the last bytes.
 */
export class RecordingQuota {
  /** [active, started] recordings. */
  private readonly counts: Int32Array;
  /** Audio bytes all recordings have written. */
  private readonly written: BigInt64Array;

  constructor(
    readonly limits: RecordingLimits,
    readonly shared: SharedArrayBuffer = new SharedArrayBuffer(16),
  ) {
    this.counts = new Int32Array(shared, 0, 2);
    this.written = new BigInt64Array(shared, 8, 1);
  }

  /** Another thread's view of the same quota. */
  static attach(limits: RecordingLimits, shared: SharedArrayBuffer): RecordingQuota {
    return new RecordingQuota(limits, shared);
  }

  /** Add 1 to count `i` unless it has reached `max`: whether it did. */
  private take(i: number, max: number): boolean {
    for (;;) {
      const n = Atomics.load(this.counts, i);
      if (n >= max) return false;
      if (Atomics.compareExchange(this.counts, i, n, n + 1) === n) return true;
    }
  }

  /** A new recording: null when it may start, else why not. */
  acquire(): string | null {
    const l = this.limits;
    if (!this.take(0, l.maxActive)) return `recording refused: ${l.maxActive} recordings are running (--max-active-recordings)`;
    if (!this.take(1, l.maxPerRun)) {
      this.release();
      return `recording refused: this run has started its ${l.maxPerRun} recordings (--max-recordings)`;
    }
    if (Number(Atomics.load(this.written, 0)) >= l.budgetBytes) {
      this.release();
      Atomics.sub(this.counts, 1, 1);
      return `recording refused: this run's ${mb(l.budgetBytes)} of recordings are used up (--recording-budget-mb)`;
    }
    return null;
  }

  release(): void {
    for (;;) {
      const n = Atomics.load(this.counts, 0);
      if (n <= 0 || Atomics.compareExchange(this.counts, 0, n, n - 1) === n) return;
    }
  }

  /** Charge `bytes` to a recording that has written `own` so far: null if allowed, else why the recording stops. */
  charge(own: number, bytes: number): string | null {
    const l = this.limits;
    if (own + bytes > l.maxBytes) return `recording stopped at its size limit of ${mb(l.maxBytes)} of audio (--max-recording-mb)`;
    const add = BigInt(bytes);
    for (;;) {
      const w = Atomics.load(this.written, 0);
      if (Number(w) + bytes > l.budgetBytes) return `recording stopped: this run's ${mb(l.budgetBytes)} of recordings are used up (--recording-budget-mb)`;
      if (Atomics.compareExchange(this.written, 0, w, w + add) === w) return null;
    }
  }

  get activeCount(): number {
    return Atomics.load(this.counts, 0);
  }
}
