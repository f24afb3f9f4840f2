/**
 * The calibration ladder: network conditions under which our `neteq` buffer and a real browser's
 * NetEq are compared, each a short scenario with the two receivers on one network realization.
 * The conditions follow the browser-receiver issue: uniform jitter of 0, ±10, ±20, ±40, ±80 ms on
 * 100 ms base delay; 5% random loss; bursty loss (Gilbert 5%, mean bursts of 3) with normal
 * jitter of 20 ms; and a delay step from 60 to 200 ms halfway through (a handover).
 */
export interface CalibrationCondition {
  id: string;
  label: string;
  channel: Record<string, unknown>;
  phases?: (durationS: number) => Array<Record<string, unknown>>;
}

const uniform = (j: number) => ({ delay: { baseMs: 100, jitterMs: j, distribution: 'uniform', order: 'allow' } });

export const LADDER: readonly CalibrationCondition[] = [
  { id: 'jitter-0', label: '100 ms, no jitter', channel: uniform(0) },
  { id: 'jitter-10', label: '100 ms, uniform ±10 ms', channel: uniform(10) },
  { id: 'jitter-20', label: '100 ms, uniform ±20 ms', channel: uniform(20) },
  { id: 'jitter-40', label: '100 ms, uniform ±40 ms', channel: uniform(40) },
  { id: 'jitter-80', label: '100 ms, uniform ±80 ms', channel: uniform(80) },
  { id: 'loss-5', label: '100 ms, 5% random loss', channel: { ...uniform(0), loss: { model: 'bernoulli', rate: 0.05 } } },
  {
    id: 'bursty-5',
    label: 'normal jitter 20 ms, Gilbert 5%, bursts of 3',
    channel: { delay: { baseMs: 100, jitterMs: 20, distribution: 'normal', order: 'allow' }, loss: { model: 'gilbert', rate: 0.05, meanBurstPackets: 3 } },
  },
  {
    id: 'step',
    label: 'delay step 60 → 200 ms at mid-call',
    channel: { delay: { baseMs: 60, jitterMs: 2, distribution: 'uniform', order: 'allow' } },
    phases: (d) => [{ at: `${d / 2}s`, for: `${d / 2}s`, label: 'handover', set: { delay: { baseMs: 200 } } }],
  },
];

export const NETEQ_VARIANT = 'jitterlab-neteq';
export const BROWSER_VARIANT = 'browser';

/** The scenario object of one condition: our `neteq` and the browser on the same realization. */
export function conditionScenario(
  c: CalibrationCondition,
  o: { durationS: number; seed: number; browser: boolean; neteq?: Record<string, unknown>; browserOptions?: Record<string, unknown> },
): Record<string, unknown> {
  const variants: Array<Record<string, unknown>> = [{ name: NETEQ_VARIANT, receiver: { jitterBuffer: { type: 'neteq', ...(o.neteq ?? {}) } } }];
  if (o.browser) variants.push({ name: BROWSER_VARIANT, receiver: { browser: o.browserOptions ?? {} } });
  return {
    name: `calibration-${c.id}`,
    description: `Calibration: ${c.label}`,
    seed: o.seed,
    durationS: o.durationS,
    source: { file: 'fixtures/speech-48k.wav' },
    sender: { codec: { frameMs: 20, bitrateKbps: 32, complexity: 5, fec: true, expectedLoss: 0.1, dtx: false } },
    channel: c.channel,
    phases: c.phases ? c.phases(o.durationS) : [],
    receiver: { jitterBuffer: { type: 'neteq' } },
    variants,
    report: { visqol: false },
  };
}
