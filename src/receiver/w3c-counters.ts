/**
 * The receiver's statistics, named and defined as W3C webrtc-stats RTCInboundRtpStreamStats
 * names them (https://w3c.github.io/webrtc-stats/#inboundrtpstats-dict*; see
 * shared/research/jitter-buffers.md section 1 for the NetEq mapping). Delays are in seconds,
 * sums are per emitted sample, sample counts are at the decoder's output rate.
 */
export interface W3cInboundCounters {
  /** RTP packets received (RFC 3550 6.4.1, duplicates included), retransmissions included (W3C). */
  packetsReceived: number;
  /**
   * RFC 3550 cumulative number of packets lost of the media SSRC: expected - packets received on
   * that SSRC (negative with duplicates). Retransmissions, on the RTX SSRC, do not lower it.
   */
  packetsLost: number;
  /** Packets discarded by the jitter buffer because late or early (RFC 7002); duplicates excluded. */
  packetsDiscarded: number;
  /** Not W3C: duplicate packets received (RFC 3550 counts them in packetsReceived). */
  packetsDuplicated: number;
  /** Payload bytes received, retransmissions included (their original payload). */
  bytesReceived: number;
  /** RTP header and padding bytes received, retransmissions included (with their 2-byte OSN). */
  headerBytesReceived: number;
  /** RFC 3550 interarrival jitter, seconds. */
  jitter: number;
  jitterBufferDelay: number;
  jitterBufferTargetDelay: number;
  jitterBufferMinimumDelay: number;
  jitterBufferEmittedCount: number;
  totalSamplesReceived: number;
  totalSamplesDuration: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  concealmentEvents: number;
  /** Not W3C: comfort noise played for sender DTX silence (NetEq's generated_noise_samples); not in concealedSamples. */
  comfortNoiseSamples: number;
  insertedSamplesForDeceleration: number;
  removedSamplesForAcceleration: number;
  /** FEC packets received: Opus in-band FEC, RED redundant blocks and XOR parity packets. */
  fecPacketsReceived: number;
  /** Of those, the ones that did not produce a played frame. */
  fecPacketsDiscarded: number;
  /** RFC 4588 retransmissions received (on the RTX SSRC): a subset of packetsReceived. */
  retransmittedPacketsReceived: number;
  /** Payload bytes of those retransmissions (the original payload, without the OSN): a subset of bytesReceived. */
  retransmittedBytesReceived: number;
  /** RFC 4585 generic NACK packets sent by this receiver. */
  nackCount: number;
}

export function emptyCounters(): W3cInboundCounters {
  return {
    packetsReceived: 0,
    packetsLost: 0,
    packetsDiscarded: 0,
    packetsDuplicated: 0,
    bytesReceived: 0,
    headerBytesReceived: 0,
    jitter: 0,
    jitterBufferDelay: 0,
    jitterBufferTargetDelay: 0,
    jitterBufferMinimumDelay: 0,
    jitterBufferEmittedCount: 0,
    totalSamplesReceived: 0,
    totalSamplesDuration: 0,
    concealedSamples: 0,
    silentConcealedSamples: 0,
    concealmentEvents: 0,
    comfortNoiseSamples: 0,
    insertedSamplesForDeceleration: 0,
    removedSamplesForAcceleration: 0,
    fecPacketsReceived: 0,
    fecPacketsDiscarded: 0,
    retransmittedPacketsReceived: 0,
    retransmittedBytesReceived: 0,
    nackCount: 0,
  };
}
