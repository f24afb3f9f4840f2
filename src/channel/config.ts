/**
 * Scenario schema of one direction of the simulated UDP path: every model of
 * shared/research/channel-models.md section 9. This file is the one place where channel
 * defaults are written down; `jitterlab schema` emits them (with these descriptions) as JSON Schema.
 *
 * `channelSchema(true)` is the full section with defaults; `channelSchema(false)` is the same
 * shape with every key optional and no defaults, used by `phases[].set` overrides.
 */
import { z } from 'zod';
import { integerIn, numberIn } from '../core/number-range.ts';

const prob = numberIn(0, 1);
/** One-way delay and jitter: 10 s is beyond any real path (GEO satellite ~0.3 s, bufferbloat a few s). */
const delayMs = numberIn(0, 10000);

function obj<T extends z.ZodRawShape>(shape: T, withDefaults: boolean) {
  const s = z.strictObject(shape);
  // Typed as the defaults mode (a section that may be omitted and is filled with its defaults);
  // the override mode's output type is `ChannelOverride`, declared below.
  return (withDefaults ? s.prefault({} as never) : s.partial().optional()) as unknown as z.ZodPrefault<typeof s>;
}

function d<T extends z.ZodType>(schema: T, def: z.input<T>, withDefaults: boolean, description: string) {
  const described = schema.describe(description);
  // In override mode (phases) every key is optional and has no default. Typed as the defaults
  // mode (input optional, output present); the override mode's type is `ChannelOverride`.
  return (withDefaults ? described.default(def as never) : described.optional()) as unknown as z.ZodDefault<T>;
}

export function channelSchema(withDefaults: boolean) {
  const w = withDefaults;
  const delay = obj(
    {
      baseMs: d(delayMs, 0, w, 'Fixed one-way propagation delay (ms).'),
      jitterMs: d(delayMs, 0, w, 'Jitter scale J (ms). Standard deviation of the jitter: uniform J/sqrt(3) = 0.577 J (half-width J); normal J; pareto 0.821 J and paretonormal 0.849 J (netem\'s table scale, so J means what it does on a tc command line; the tables clip at about 4 J); empirical J times the table\'s standard deviation.'),
      distribution: d(
        z.enum(['uniform', 'normal', 'pareto', 'paretonormal', 'empirical']),
        'uniform',
        w,
        'Jitter distribution, as netem defines them (uniform on [-J, J); normal N(0, J); pareto (alpha 3, netem table shape); paretonormal (normal + 3 pareto)/4 per quantile; empirical from tableFile).',
      ),
      tableFile: d(z.string().nullable(), null, w, 'netem .dist table (for distribution: empirical), path relative to the scenario file.'),
      correlation: d(prob, 0, w, 'Lag-1 correlation of successive jitter samples (one per time slot): a true AR(1) on a Gaussian copula, which keeps the marginal distribution (netem\'s correlation shrinks the spread instead). The Gaussian\'s own correlation is calibrated per shape so that this is the jitter\'s lag-1 correlation for every distribution.'),
      order: d(z.enum(['preserve', 'allow']), 'preserve', w, 'preserve: FIFO, a packet never overtakes an earlier one (arrival = max(own, previous)); allow: jitter may reorder.'),
    },
    w,
  );
  const loss = obj(
    {
      model: d(z.enum(['none', 'bernoulli', 'gilbert', 'gilbertElliott', 'markov4']), 'none', w, 'Loss model (channel-models.md section 1-2).'),
      rate: d(prob, 0, w, 'bernoulli and gilbert: long-run loss probability.'),
      meanBurstPackets: d(numberIn(1, 1000).nullable(), null, w, 'gilbert: mean loss-burst length in packets (null = 1/(1-rate), i.e. Bernoulli).'),
      p: d(prob, 0, w, 'gilbertElliott: P(Good -> Bad) per slot.'),
      r: d(prob, 1, w, 'gilbertElliott: P(Bad -> Good) per slot.'),
      lossGood: d(prob, 0, w, 'gilbertElliott: loss probability in Good (1-k).'),
      lossBad: d(prob, 1, w, 'gilbertElliott: loss probability in Bad (1-h).'),
      p13: d(prob, 0, w, 'markov4: P(1 -> 3), start of a loss burst.'),
      p31: d(prob, 1, w, 'markov4: P(3 -> 1), end of a loss burst.'),
      p32: d(prob, 0, w, 'markov4: P(3 -> 2), received inside a burst.'),
      p23: d(prob, 1, w, 'markov4: P(2 -> 3), lost inside a burst.'),
      p14: d(prob, 0, w, 'markov4: P(1 -> 4), isolated loss.'),
      position: d(z.enum(['ingress', 'egress']), 'ingress', w, 'ingress: loss before the bottleneck (netem); egress: after it, lost packets still use capacity (WebRTC).'),
    },
    w,
  );
  const queue = obj(
    {
      limitPackets: d(integerIn(1, 100000).nullable(), 1000, w, 'Drop-tail queue limit in packets (netem default 1000; null = unlimited).'),
      limitBytes: d(integerIn(1, 100_000_000).nullable(), null, w, 'Drop-tail queue limit in bytes (null = unlimited).'),
      policy: d(z.enum(['droptail']), 'droptail', w, 'Queue discipline.'),
    },
    w,
  );
  const link = obj(
    {
      rateKbps: d(numberIn(1, 10_000_000).nullable(), null, w, 'Bottleneck rate in kbit/s (null = infinite). tx time = 8 (size + overhead) / rate.'),
      cellBytes: d(integerIn(0, 65535), 0, w, 'Cell size for cell-based links (0 = none; netem rate cell).'),
      cellOverheadBytes: d(integerIn(0, 65535), 0, w, 'Per-cell overhead (netem rate cellovh).'),
      queue,
      slot: d(
        z
          .strictObject({
            minMs: numberIn(0, 10000),
            maxMs: numberIn(0, 10000).optional(),
            maxPackets: integerIn(1, 100000).optional(),
            maxBytes: integerIn(1, 100_000_000).optional(),
          })
          // Openings are drawn one by one up to each packet: at least 0.5 ms apart on average keeps that bounded.
          .superRefine((sl, ctx) => {
            if (Math.max(sl.minMs, sl.maxMs ?? 0) >= 1) return;
            const key = sl.maxMs === undefined ? 'minMs' : 'maxMs';
            const when = key === 'minMs' ? 'without maxMs' : 'when minMs is below 1';
            ctx.addIssue({ code: 'custom', path: [key], input: sl[key], message: `must be in 1..10000 ${when} (slots open every U[minMs, maxMs] ms)` });
          })
          .nullable(),
        null,
        w,
        'netem slot: packets leave only in slots opening every U[minMs, maxMs], at most maxPackets / maxBytes each.',
      ),
      trace: d(
        z
          .strictObject({
            format: z.enum(['mahimahi']),
            file: z.string(),
            loop: z.boolean().default(true),
          })
          .nullable(),
        null,
        w,
        'Link capacity from a trace (Mahimahi: one 1500-byte delivery opportunity per line, ms timestamps).',
      ),
    },
    w,
  );
  return z.strictObject({
    overheadBytes: d(integerIn(0, 1000), 28, w, 'Bytes added to each packet on the wire (IPv4 20 + UDP 8).'),
    delay,
    loss,
    duplicate: obj({ prob: d(prob, 0, w, 'Probability that a packet is duplicated (the copy gets its own delay and loss).') }, w),
    corrupt: obj({ prob: d(prob, 0, w, 'Probability that one random bit of the packet is flipped.') }, w),
    reorder: obj(
      {
        prob: d(prob, 0, w, 'netem reorder: probability that a packet skips the delay (sent immediately).'),
        gap: d(integerIn(0, 10000), 0, w, 'netem reorder gap: at least this many packets between reordered ones.'),
      },
      w,
    ),
    link,
    outage: d(
      z
        .strictObject({
          mode: z.enum(['always', 'periodic', 'poisson']).default('always'),
          // The poisson schedule is drawn interval by interval: up-times of at least 10 ms keep it bounded.
          onS: numberIn(0.01, 86400).default(10),
          offMs: numberIn(0, 3_600_000).default(300),
          action: z.enum(['drop', 'hold']).default('drop'),
        })
        .nullable(),
      null,
      w,
      'Outages. always: down for as long as the setting applies (use inside a phase); periodic: down offMs after every onS seconds up; poisson: exponential up-times with mean onS. drop loses packets; hold delivers them when the link returns.',
    ),
    routeFlap: d(
      z.strictObject({ intervalS: numberIn(0.01, 86400), deltaMs: numberIn(-10000, 10000) }).nullable(),
      null,
      w,
      'G.1050 route flap: every intervalS seconds the path delay steps by +deltaMs, and back at the next flap.',
    ),
    replay: d(
      z
        .strictObject({
          format: z.enum(['csv', 'pcap']),
          file: z.string(),
          ssrc: integerIn(0, 0xffffffff).nullable().default(null),
          udpPort: integerIn(0, 65535).nullable().default(null),
        })
        .nullable(),
      null,
      w,
      'Replay a recorded network (per-packet arrival times and losses) instead of the models above.',
    ),
  });
}

export const ChannelConfigSchema = channelSchema(true);
export type ChannelConfig = z.output<typeof ChannelConfigSchema>;
type Partialize<T> = { [K in keyof T]?: T[K] };
/** A phase's `set`: every key optional; nullable objects (outage, routeFlap, ...) are replaced whole. */
export type ChannelOverride = {
  [K in keyof ChannelConfig]?: K extends 'delay' | 'loss' | 'duplicate' | 'corrupt' | 'reorder'
    ? Partialize<ChannelConfig[K]>
    : K extends 'link'
      ? Partialize<Omit<ChannelConfig['link'], 'queue'>> & { queue?: Partialize<ChannelConfig['link']['queue']> }
      : ChannelConfig[K];
};
export const ChannelOverrideSchema = channelSchema(false) as unknown as z.ZodType<ChannelOverride, unknown>;

export const PhaseSchema = z.strictObject({
  at: z.union([z.number(), z.string()]).describe('Start of the phase: seconds, or a duration string ("30s", "300ms").'),
  for: z.union([z.number(), z.string()]).describe('Length of the phase: seconds, or a duration string.'),
  set: ChannelOverrideSchema.describe('Channel keys overridden while the phase applies (Markov loss state is kept).'),
  transition: z.enum(['step', 'linear']).default('step').describe('step: values jump; linear: numeric values ramp in over rampMs and back out over the last rampMs.'),
  rampMs: numberIn(0, 86_400_000).nullable().default(null).describe('Ramp length for linear transitions (null = 20% of the phase).'),
  direction: z.enum(['aToB', 'bToA', 'both']).default('aToB').describe('Which direction the phase applies to.'),
  label: z.string().optional().describe('Name shown in reports.'),
});
export type PhaseInput = z.output<typeof PhaseSchema>;

/** A phase with its times resolved to milliseconds. */
export interface Phase {
  atMs: number;
  forMs: number;
  set: ChannelOverride;
  transition: 'step' | 'linear';
  rampMs: number;
  direction: 'aToB' | 'bToA' | 'both';
  label: string;
}
