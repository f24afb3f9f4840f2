/**
 * Mouth-to-ear latency as a budget of its parts (ITU-T G.114 planning): packetization (one
 * frame), codec algorithmic delay (lookahead), network one-way delay, jitter-buffer wait, and the
 * playout device buffer. Each part is a mean over the frames played from their own packet.
 */
export interface LatencyBudget {
  packetizationMs: number;
  codecMs: number;
  networkMs: number;
  jitterBufferMs: number;
  playoutMs: number;
  mouthToEarMs: number;
}

export function latencyBudget(p: { frameMs: number; lookaheadMs: number; meanNetworkMs: number | null; meanJitterBufferMs: number | null; deviceBufferMs: number }): LatencyBudget {
  const parts = {
    packetizationMs: p.frameMs,
    codecMs: p.lookaheadMs,
    networkMs: p.meanNetworkMs ?? 0,
    jitterBufferMs: p.meanJitterBufferMs ?? 0,
    playoutMs: p.deviceBufferMs,
  };
  return { ...parts, mouthToEarMs: parts.packetizationMs + parts.codecMs + parts.networkMs + parts.jitterBufferMs + parts.playoutMs };
}
