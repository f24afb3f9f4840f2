/**
 * The figures compared per condition, read the same way from both receivers' W3C counters
 * (webrtc-stats RTCInboundRtpStreamStats), and the agreement bar: mean target delay within 10% or
 * 5 ms (the larger) of the browser's, concealed ratio within 0.5 percentage points.
 */
export interface ReceiverFigures {
  /** jitterBufferTargetDelay / jitterBufferEmittedCount (ms). */
  targetMs: number;
  /** jitterBufferDelay / jitterBufferEmittedCount (ms). */
  bufferDelayMs: number;
  /** concealedSamples / totalSamplesReceived (%). */
  concealedPct: number;
  /** Audio removed by acceleration and inserted by deceleration (ms). */
  accelerateMs: number;
  decelerateMs: number;
}

type Counters = Record<string, number>;

export function figuresOf(w3c: Counters, sampleRate: number): ReceiverFigures {
  const e = w3c.jitterBufferEmittedCount || 0;
  const per = (k: string) => (e > 0 ? ((w3c[k] ?? 0) / e) * 1000 : 0);
  return {
    targetMs: per('jitterBufferTargetDelay'),
    bufferDelayMs: per('jitterBufferDelay'),
    concealedPct: w3c.totalSamplesReceived ? ((w3c.concealedSamples ?? 0) / w3c.totalSamplesReceived) * 100 : 0,
    accelerateMs: ((w3c.removedSamplesForAcceleration ?? 0) / sampleRate) * 1000,
    decelerateMs: ((w3c.insertedSamplesForDeceleration ?? 0) / sampleRate) * 1000,
  };
}

export const TARGET_REL = 0.1;
export const TARGET_ABS_MS = 5;
export const CONCEALED_PP = 0.5;

export function agrees(ours: ReceiverFigures, browser: ReceiverFigures): { target: boolean; concealed: boolean } {
  return {
    target: Math.abs(ours.targetMs - browser.targetMs) <= Math.max(TARGET_REL * browser.targetMs, TARGET_ABS_MS),
    concealed: Math.abs(ours.concealedPct - browser.concealedPct) <= CONCEALED_PP,
  };
}

/** Mean of several browser runs of one condition, with the spread of each figure. */
export function meanFigures(runs: readonly ReceiverFigures[]): { mean: ReceiverFigures; min: ReceiverFigures; max: ReceiverFigures } {
  const keys = Object.keys(runs[0]) as Array<keyof ReceiverFigures>;
  const pick = (f: (xs: number[]) => number) => Object.fromEntries(keys.map((k) => [k, f(runs.map((r) => r[k]))])) as unknown as ReceiverFigures;
  return { mean: pick((xs) => xs.reduce((a, b) => a + b, 0) / xs.length), min: pick((xs) => Math.min(...xs)), max: pick((xs) => Math.max(...xs)) };
}
