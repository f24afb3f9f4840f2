/**
 * Scenario schema of `sender.adaptation`: the RTCP feedback loop, the bandwidth estimators
 * (draft-ietf-rmcat-gcc-02) and the codec control. Rates are on the wire (RTP + UDP/IP
 * overhead, what the bottleneck carries), in kbit/s, unless the key says "codec".
 */
import { z } from 'zod';
import { integerIn, numberIn } from '../../core/number-range.ts';

/** Wire-rate estimates (kbit/s): up to 100 Mbit/s, far above any Opus call (510 kbit/s at most). */
const rate = numberIn(1, 100000);

export const LossBasedConfigSchema = z
  .strictObject({
    lowLoss: numberIn(0, 1).default(0.02).describe('Below this loss fraction the loss-based estimate increases (gcc-02 section 6: 2%).'),
    highLoss: numberIn(0, 1).default(0.1).describe('Above this loss fraction it decreases by (1 - 0.5 loss) (gcc-02 section 6: 10%).'),
    increaseFactor: numberIn(1, 2).default(1.08).describe('Multiplicative increase per report at low loss (gcc-02 says 1.05; libwebrtc uses 1.08).'),
  })
  .prefault({});

export const DelayBasedConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Run the delay-based estimator on transport-wide feedback.'),
    burstMs: numberIn(0, 100).default(5).describe('Packets sent within this time form one group (gcc-02 section 5.2, burst_time).'),
    windowGroups: integerIn(2, 500).default(20).describe('Trendline filter window in packet groups.'),
    smoothing: numberIn(0, 0.999).default(0.9).describe('Exponential smoothing of the accumulated delay before the trendline fit.'),
    gain: numberIn(0.01, 1000).default(4).describe('Trendline slope gain (threshold_gain).'),
    // gcc-02 section 5.4 gives K_u = 0.01, K_d = 0.00018 for its Kalman-filter gradient. With the
    // trendline's larger, smoother m(i) and one group per 20-60 ms audio packet, those let the
    // threshold climb with a slowly growing queue and decay over tens of seconds, so a standing
    // queue of ~1 s went undetected (scenarios/adaptation-capacity-drop.yaml). The defaults are the
    // constants GCC implementations pair with the trendline filter (libwebrtc: 0.0087 / 0.039);
    // set kUp 0.01, kDown 0.00018 for gcc-02's values.
    kUp: numberIn(0, 1).default(0.0087).describe('Adaptive threshold gain when |m| > threshold (gcc-02 section 5.4 K_u; gcc-02 value 0.01).'),
    kDown: numberIn(0, 1).default(0.039).describe('Adaptive threshold gain when |m| < threshold (K_d; gcc-02 value 0.00018, for its Kalman filter).'),
    initialThresholdMs: numberIn(0.1, 1000).default(12.5).describe('Initial overuse threshold del_var_th (ms).'),
    overuseTimeMs: numberIn(0, 10000).default(10).describe('Overuse must last this long before it is signalled (overuse_time_th).'),
    beta: numberIn(0.5, 1).default(0.85).describe('Multiplicative decrease to beta x acknowledged rate on overuse (gcc-02 section 5.5).'),
    rateWindowMs: numberIn(100, 5000).default(500).describe('Window of the acknowledged (incoming) rate R_hat (gcc-02 section 5.5: 0.5..1 s).'),
  })
  .prefault({});

export const FecControlConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Drive Opus in-band FEC and OPUS_SET_PACKET_LOSS_PERC from the reported loss.'),
    onAboveLoss: numberIn(0, 1).default(0.02).describe('Turn in-band FEC on when the smoothed loss rises above this.'),
    offBelowLoss: numberIn(0, 1).default(0.005).describe('Turn it off when the smoothed loss falls below this (hysteresis).'),
    minExpectedLoss: numberIn(0, 1).default(0).describe('Floor of the expected-loss setting while FEC is on.'),
    maxExpectedLoss: numberIn(0, 1).default(0.3).describe('Cap of the expected-loss setting.'),
    smoothing: numberIn(0, 0.999).default(0.5).describe('Weight of the previous smoothed loss at each report (EWMA).'),
  })
  .prefault({});

export const RedControlConfigSchema = z.strictObject({
  onAboveLoss: numberIn(0, 1).default(0.1).describe('Switch RED (sender.red) on above this smoothed loss.'),
  offBelowLoss: numberIn(0, 1).default(0.03).describe('Switch it off below this smoothed loss.'),
});

export const AdaptationConfigSchema = z.strictObject({
  minKbps: numberIn(6, 510).default(6).describe('Lowest codec bitrate the controller sets (kbit/s, Opus payload).'),
  maxKbps: numberIn(6, 510).default(64).describe('Highest codec bitrate the controller sets (kbit/s, Opus payload).'),
  startKbps: rate.nullable().default(null).describe('Initial wire-rate estimate (kbit/s); null = the codec bitrate plus packet overhead.'),
  minChangeFraction: numberIn(0, 1).default(0.05).describe('Ignore codec bitrate changes smaller than this fraction of the current bitrate.'),
  twccIntervalMs: numberIn(10, 1000).default(100).describe('Transport-wide feedback interval (receiver to sender).'),
  transportCcId: integerIn(1, 14).default(5).describe('RFC 8285 one-byte extension ID of the transport-wide sequence number.'),
  timelineIntervalMs: numberIn(20, 10000).default(250).describe('Sampling period of the adaptation timeline in results.json.'),
  lossBased: LossBasedConfigSchema,
  delayBased: DelayBasedConfigSchema,
  fec: FecControlConfigSchema,
  red: RedControlConfigSchema.nullable().default(null).describe('Switch RED on/off by loss (needs sender.red); null = RED as configured.'),
});
export type AdaptationConfig = z.output<typeof AdaptationConfigSchema>;
export type DelayBasedConfig = z.output<typeof DelayBasedConfigSchema>;
export type LossBasedConfig = z.output<typeof LossBasedConfigSchema>;
export type FecControlConfig = z.output<typeof FecControlConfigSchema>;
export type RedControlConfig = z.output<typeof RedControlConfigSchema>;

/** A full configuration with every default (for tests and programmatic use). */
export function adaptationDefaults(over: z.input<typeof AdaptationConfigSchema> = {}): AdaptationConfig {
  return AdaptationConfigSchema.parse(over);
}
