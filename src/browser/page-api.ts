/**
 * What Node and the receiver page (src/browser/page/) exchange through playwright: the page's
 * functions and the shapes of their results. Values cross as JSON.
 */

/**
 * The inbound-rtp counters the page samples (W3C webrtc-stats RTCInboundRtpStreamStats names;
 * jitterlab's own receivers report the same ones, src/receiver/w3c-counters.ts).
 */
export const INBOUND_COUNTERS = [
  'packetsReceived',
  'packetsLost',
  'packetsDiscarded',
  'bytesReceived',
  'headerBytesReceived',
  'jitter',
  'jitterBufferDelay',
  'jitterBufferTargetDelay',
  'jitterBufferMinimumDelay',
  'jitterBufferEmittedCount',
  'totalSamplesReceived',
  'totalSamplesDuration',
  'concealedSamples',
  'silentConcealedSamples',
  'concealmentEvents',
  'insertedSamplesForDeceleration',
  'removedSamplesForAcceleration',
  'fecPacketsReceived',
  'fecPacketsDiscarded',
  'nackCount',
] as const;

/** One getStats() inbound-rtp (audio) sample: `timestamp` (epoch ms) and the W3C counters present. */
export interface PageStatSample {
  timestamp: number;
  [counter: string]: number;
}

export interface PageDrain {
  stats: PageStatSample[];
  /** Captured output since the last drain: 48 kHz mono Int16, little-endian, base64. */
  pcmBase64: string;
  samples: number;
  /** Wall time (epoch ms) of the first captured sample, or null before capture starts. */
  captureStartEpochMs: number | null;
  errors: string[];
  connectionState: string;
}

export interface SelectedPair {
  local: string;
  remote: string;
}

export interface ReceiverPageApi {
  /** Answer Node's offer; resolves with the answer SDP once ICE gathering is complete and the track plays. */
  answer(offerSdp: string, opts: { capture: boolean; statsIntervalMs: number }): Promise<string>;
  drain(): PageDrain;
  /** The selected ICE candidate pair (from the transport's selectedCandidatePairId). */
  selectedPair(): Promise<SelectedPair | null>;
  stop(): Promise<void>;
}
