/**
 * Scenario keys of a browser receiver: `receiver: { browser: { ... } }` makes that variant's
 * receiver a headless Chromium (its own NetEq, decoder, FEC and concealment) fed in real time.
 */
import { z } from 'zod';
import { integerIn, numberIn } from '../core/number-range.ts';

export const BrowserReceiverSchema = z
  .strictObject({
    executable: z.string().min(1).nullable().default(null).describe('Chromium to start; null = $JITTERLAB_CHROMIUM, else /usr/bin/chromium, else chromium on PATH.'),
    flags: z.array(z.string().regex(/^--[a-z0-9-]+(=.*)?$/i, 'a command-line switch like --foo or --foo=bar')).max(64).default([]).describe('Extra Chromium command-line switches (e.g. --force-fieldtrials=...).'),
    capture: z.boolean().default(true).describe('Capture the decoded audio (AudioWorklet) as degraded.wav and score it; false = counters only.'),
    statsIntervalMs: integerIn(50, 100).default(50).describe('getStats() sampling interval in the page (ms): the resolution of the timeline and of where concealment falls. Chromium answers getStats() from a cache younger than 50 ms, so shorter intervals give nothing new.'),
    connectTimeoutS: numberIn(1, 120).default(20).describe('Give up when the WebRTC connection is not up after this long.'),
    realtime: z.boolean().default(true).describe('Run under SCHED_FIFO (chrt) when root, so packets leave on time.'),
    trustLimitP99Ms: numberIn(0.1, 100).default(3).describe('Release lateness p99 (ms) above which the variant\'s figures are marked untrusted.'),
    trustLimitStallMs: numberIn(10, 1000).default(20).describe('A stall of the browser\'s own audio output longer than this (ms) marks the variant\'s figures untrusted (NetEq reads it as a delay spike).'),
  })
  .describe('A real browser as the receiver (WebRTC over loopback).');

export type BrowserReceiverConfig = z.output<typeof BrowserReceiverSchema>;

export function browserDefaults(): BrowserReceiverConfig {
  return BrowserReceiverSchema.parse({});
}
