/**
 * The simulated UDP channel: public interface of src/channel.
 */
export { Channel, channelStreamName, type ChannelImpairment, type ChannelOptions } from './channel.ts';
export type { ChannelDecision, ChannelPacket, ChannelPath, ChannelStats, Delivery, DropCause, Lane } from './types.ts';
export {
  ChannelConfigSchema,
  ChannelOverrideSchema,
  PhaseSchema,
  channelSchema,
  type ChannelConfig,
  type ChannelOverride,
  type Phase,
  type PhaseInput,
} from './config.ts';
export { applyOverride, effectiveChannelConfig, phaseBoundariesMs, phasesForDirection, phaseWeight, type Direction } from './phases.ts';
export { LANE_CODE, laneCode, slotOf } from './slot-clock.ts';
export { bernoulliLoss, bernoulliMeanBurst } from './bernoulli.ts';
export { gilbertFromRateBurst, gilbertLoss, gilbertMeanBurst, type GilbertParams } from './gilbert.ts';
export { geMeanLossRun, geStationaryBad, geStationaryLoss, type GeParams } from './gilbert-elliott.ts';
export { markov4Loss, markov4MeanBurst, markov4MeanStayLost, markov4Stationary, type Markov4Params } from './markov4.ts';
export {
  loadDistTable,
  parseDistTable,
  standardJitterFromLatent,
  standardJitterQuantile,
  NETEM_DIST_SCALE,
  type DistTable,
  type JitterDistribution,
} from './jitter-distribution.ts';
export { jitterCopula, latentCorrelation, type JitterCopula } from './jitter-correlation.ts';
export { loadMahimahiTrace, parseMahimahiTrace, MahimahiTrace, MAHIMAHI_OPPORTUNITY_BYTES } from './mahimahi-trace.ts';
export { serializationMs, wireBytes } from './bottleneck-link.ts';
export { routeFlapOffsetMs } from './route-flap.ts';
export { normalCdf, normalQuantile } from './gaussian.ts';
