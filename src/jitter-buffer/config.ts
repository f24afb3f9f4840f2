/**
 * Scenario schema of the jitter buffer: one entry per algorithm with its options and defaults
 * (constants from shared/research/jitter-buffers.md), or a user module.
 */
import { z } from 'zod';
import { integerIn, numberIn } from '../core/number-range.ts';

/** Buffer delays (ms): 10 s is far beyond any conversational target (G.114: 400 ms one way). */
const ms = numberIn(0, 10000);
/** Frames or packets held: 10000 frames is 100 s of 10 ms audio, memory a buffer can hold. */
const frames = integerIn(1, 10000);

export const FixedJbSchema = z.strictObject({
  type: z.literal('fixed'),
  delayMs: ms.default(60).describe('Playout delay after the first packet arrives (ms).'),
  capacityFrames: frames.default(200).describe('Frames held at most; more are discarded (overflow).'),
});

export const AdaptiveJbSchema = z.strictObject({
  type: z.literal('adaptive'),
  rttWeight: numberIn(0, 10).default(0.8).describe('target = rttWeight x RTT + jitterWeight x jitter.'),
  jitterWeight: numberIn(0, 20).default(3),
  initialDelayMs: ms.default(60),
  minDelayMs: ms.default(20),
  maxDelayMs: ms.default(500),
  capacityFrames: frames.default(200),
});

export const RamjeeJbSchema = z.strictObject({
  type: z.literal('ramjee'),
  algorithm: z.union([z.literal(1), z.literal(4)]).default(4).describe('Ramjee et al. 1994: 1 = EWMA, 4 = spike detection.'),
  alpha: numberIn(0, 1).default(0.998002),
  variationFactor: numberIn(0, 20).default(4).describe('p = t + d + factor x v.'),
  initialDelayMs: ms.default(60),
  minDelayMs: ms.default(0),
  maxDelayMs: ms.default(1000),
  capacityFrames: frames.default(200),
});

export const NetEqJbSchema = z.strictObject({
  type: z.literal('neteq'),
  quantile: numberIn(0, 1).default(0.95),
  forgetFactor: numberIn(0, 1).default(0.983),
  startForgetWeight: numberIn(0, 100).default(2),
  resampleIntervalMs: numberIn(0, 60000).default(500),
  reorderOptimizer: z.boolean().default(true),
  reorderForgetFactor: numberIn(0, 1).default(0.9993),
  msPerLossPercent: numberIn(0, 1000).default(20),
  startDelayMs: ms.default(80),
  minDelayMs: ms.default(0),
  maxDelayMs: ms.default(10000),
  maxPacketsInBuffer: frames.default(200),
  timeStretch: z.boolean().default(true).describe('Accelerate / preemptive expand inside talkspurts (WSOLA).'),
  enableFastAccelerate: z.boolean().default(false),
});

export const PjsipJbSchema = z.strictObject({
  type: z.literal('pjsip'),
  initPrefetchFrames: integerIn(0, 10000).default(0),
  minPrefetchFrames: integerIn(0, 10000).default(1),
  maxPrefetchFrames: integerIn(0, 10000).nullable().default(null).describe('null = 4/5 of capacity.'),
  maxDelayMs: ms.default(500).describe('Capacity of the buffer, in ms.'),
  discard: z.enum(['progressive', 'static', 'none']).default('progressive'),
});

export const OracleJbSchema = z.strictObject({
  type: z.literal('oracle'),
  lateLossRate: numberIn(0, 1).default(0.01).describe('Late-loss rate the oracle allows (Moon, Kurose, Towsley 1998).'),
});

export const ModuleJbSchema = z.strictObject({
  module: z.string().describe('Path of an ES module (relative to the scenario file) exporting `createJitterBuffer(options, host)`.'),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const BuiltinJbSchema = z.discriminatedUnion('type', [
  FixedJbSchema,
  AdaptiveJbSchema,
  RamjeeJbSchema,
  NetEqJbSchema,
  PjsipJbSchema,
  OracleJbSchema,
]);

export const JitterBufferConfigSchema = z.union([BuiltinJbSchema, ModuleJbSchema]);
export type JitterBufferConfig = z.output<typeof JitterBufferConfigSchema>;
export type BuiltinJbConfig = z.output<typeof BuiltinJbSchema>;
