/**
 * The scenario file's schema: the one place where every key, its meaning and its default are
 * written down. `jitterlab schema` prints it as JSON Schema (scenarios/scenario.schema.json is a
 * committed copy) so editors complete and check scenario files. Unknown keys are errors.
 */
import { z } from 'zod';
import { integerIn, numberIn } from '../core/number-range.ts';
import { BrowserReceiverSchema } from '../browser/config.ts';
import { ChannelConfigSchema, PhaseSchema } from '../channel/config.ts';
import { CodecConfigSchema } from '../codec/config.ts';
import { JitterBufferConfigSchema } from '../jitter-buffer/config.ts';
import { AdaptationConfigSchema } from '../sender/adaptation/config.ts';
import { CrossTrafficSchema } from '../sender/adaptation/cross-traffic.ts';

export const SCENARIO_SCHEMA_VERSION = 1;

/**
 * Caps that keep loading bounded in time and memory. YAML parsing (the `yaml` library, with line
 * positions) costs seconds and hundreds of MB per MiB on a 2-core machine, so a file may have
 * 256 KiB: 70 times the largest shipped scenario, room for thousands of phases. Each variant is
 * a whole simulated receiver with its own report files. Long time-varying traces belong in replay
 * or link-trace files, grids of settings in `sweep:`.
 */
export const MAX_SCENARIO_BYTES = 256 * 1024;
export const MAX_VARIANTS = 256;

export const SourceSchema = z
  .strictObject({
    file: z.string().default('fixtures/speech-48k.wav').describe('WAV file (relative to the scenario file, or to the project root when not found there).'),
    loop: z.boolean().default(true).describe('Loop the file when the call is longer; false pads with silence.'),
    offsetS: numberIn(0, 86400).default(0).describe('Start this many seconds into the file.'),
    gainDb: numberIn(-60, 20).default(0).describe('Gain applied to the source (dB).'),
  })
  .prefault({});

export const RtpConfigSchema = z
  .strictObject({
    payloadType: integerIn(0, 127).default(111).describe('Opus dynamic payload type.'),
    ssrc: integerIn(0, 0xffffffff).nullable().default(null).describe('null = random from the seed (RFC 3550 section 8).'),
    initialSeq: integerIn(0, 65535).nullable().default(null).describe('null = random from the seed (RFC 3550 section 5.1).'),
    initialTimestamp: integerIn(0, 0xffffffff).nullable().default(null).describe('null = random from the seed.'),
  })
  .prefault({});

export const RedConfigSchema = z.strictObject({
  generations: integerIn(1, 3).default(1).describe('Redundant copies of earlier frames per packet (RFC 2198).'),
  payloadType: integerIn(0, 127).default(63),
});

export const ParityFecConfigSchema = z.strictObject({
  layout: z.enum(['row', '2d']).default('row').describe('row: 1-D parity over L consecutive packets; 2d: rows of L and columns of D (FlexFEC, RFC 8627).'),
  L: integerIn(2, 48).default(5),
  D: integerIn(1, 48).default(1),
  payloadType: integerIn(0, 127).default(49),
});

export const RtxConfigSchema = z
  .strictObject({
    payloadType: integerIn(0, 127).default(97).describe('RFC 4588 RTX payload type.'),
    historyMs: numberIn(0, 60000).default(1000).describe('How long the sender keeps packets for retransmission.'),
  })
  .prefault({});

const senderShape = {
  codec: CodecConfigSchema,
  rtp: RtpConfigSchema,
  red: RedConfigSchema.nullable().default(null).describe('RFC 2198 redundancy; null = off.'),
  parityFec: ParityFecConfigSchema.nullable().default(null).describe('XOR parity FEC (RFC 5109 / FlexFEC); null = off.'),
  rtx: RtxConfigSchema,
  adaptation: AdaptationConfigSchema.nullable().default(null).describe('Sender adaptation to RTCP feedback (GCC-style bandwidth estimation, Opus bitrate / FEC control); null = off.'),
};
export const SenderSchema = z.strictObject(senderShape).prefault({});

export const NackConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  maxRetries: integerIn(1, 10).default(3).describe('NACKs sent at most per missing packet.'),
  retryIntervalMs: numberIn(1, 10000).nullable().default(null).describe('Wait before re-sending a NACK; null = 1.5 x RTT (min 20 ms).'),
});

const receiverShape = {
  jitterBuffer: JitterBufferConfigSchema.default({ type: 'fixed', delayMs: 60, capacityFrames: 200 }).describe('Jitter buffer algorithm and options.'),
  plc: z.enum(['opus', 'silence', 'repeat', 'pitch']).default('opus').describe('Concealment of missing frames: libopus PLC, silence, repeat with fade, or G.711 App. I-style pitch repetition.'),
  fec: z.boolean().default(true).describe('Recover a missing frame from the next packet\'s Opus in-band FEC when it is buffered.'),
  nack: NackConfigSchema.nullable().default(null).describe('RFC 4585 generic NACK + RFC 4588 RTX over the reverse channel; null = off.'),
  clockDriftPpm: numberIn(-1000, 1000).default(0).describe('Receiver playout clock drift against the sender (ppm); positive: the receiver\'s clock runs slow (its ticks are longer), so the buffer fills.'),
  deviceBufferMs: numberIn(0, 200).default(10).describe('Audio output device buffering, counted in mouth-to-ear delay.'),
  rtcpIntervalMs: numberIn(100, 60000).default(1000).describe('Interval of RTCP reports (receiver and sender) over the reverse channel.'),
  browser: BrowserReceiverSchema.nullable()
    .default(null)
    .describe('A real browser as this receiver: headless Chromium over WebRTC, fed the same network in real time (its own jitter buffer, decoder, FEC and concealment; the keys it decides itself are refused). null = our receiver.'),
};
export const ReceiverSchema = z.strictObject(receiverShape).prefault({});

export const VariantSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').describe('Variant name (used in reports and file names).'),
  description: z.string().default(''),
  sender: z
    .strictObject({
      ...senderShape,
      codec: CodecConfigSchema.unwrap().partial(),
    })
    .partial()
    .optional()
    .describe('Sender keys that differ from the scenario\'s sender (codec keys merge; other keys replace).'),
  receiver: z.strictObject(receiverShape).partial().optional().describe('Receiver keys that differ from the scenario\'s receiver (each key replaces).'),
});

export const ExpectationSchema = z.strictObject({
  min: z.number().optional(),
  max: z.number().optional(),
  regressBy: z
    .union([z.number().min(0), z.string().regex(/^\d+(\.\d+)?%$/, 'a number or a percentage like "10%"')])
    .optional()
    .describe('Allowed worsening against the baseline: absolute, or relative ("10%").'),
});

export const SweepSchema = z.strictObject({
  vary: z
    .record(z.string(), z.union([z.array(z.union([z.number(), z.string(), z.boolean()])), z.string()]))
    .describe('Key path → list of values, or "start:stop:step".'),
  seeds: integerIn(1, 1000).default(1),
  measure: z.string().default('mosEmodel').describe('Measure drawn in the heatmaps.'),
});

export const ReportConfigSchema = z
  .strictObject({
    html: z.boolean().default(true),
    pcap: z.boolean().default(false).describe('Also write call.pcap (IPv4/UDP/RTP with arrival times, plus SIP/SDP) for Wireshark.'),
    visqol: z.boolean().default(true).describe('Compute the ViSQOL signal score (costs time on long calls).'),
  })
  .prefault({});

export const ScenarioSchema = z.strictObject({
  $schema: z.string().optional().describe('Path of the JSON Schema, for editors.'),
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').optional().describe('Scenario name; default: the file name.'),
  description: z.string().default(''),
  seed: integerIn(0, 2 ** 32 - 1).default(1).describe('The one seed every random draw derives from.'),
  durationS: numberIn(0.1, 86400).default(20).describe('Length of the call (s).'),
  slotMs: numberIn(1, 1000).nullable().default(null).describe('Time slot of exogenous network draws (ms); null = the codec frame length.'),
  source: SourceSchema,
  sender: SenderSchema,
  channel: ChannelConfigSchema.prefault({}).describe('The media path, A to B (all channel models; channel-models.md section 9).'),
  reverseChannel: ChannelConfigSchema.nullable().default(null).describe('B to A (RTCP, NACK); null = the same settings as channel, with its own draws.'),
  crossTraffic: CrossTrafficSchema,
  phases: z.array(PhaseSchema).default([]).describe('Time-varying channel overrides.'),
  receiver: ReceiverSchema,
  variants: z.array(VariantSchema).max(MAX_VARIANTS).default([]).describe(`Receivers/senders to compare on the same network realization (at most ${MAX_VARIANTS}; a grid of settings belongs in sweep:).`),
  expect: z.record(z.string(), ExpectationSchema).default({}).describe('Expected measures for `jitterlab check` (e.g. mosEmodel: {min: 3.8}).'),
  sweep: SweepSchema.nullable().default(null),
  report: ReportConfigSchema,
});

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ScenarioParsed = z.output<typeof ScenarioSchema>;
export type SenderConfig = z.output<typeof SenderSchema>;
export type ReceiverConfig = z.output<typeof ReceiverSchema>;
export type Expectation = z.output<typeof ExpectationSchema>;
