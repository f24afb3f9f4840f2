/**
 * A worked custom jitter buffer for jitterlab: plain ES module JavaScript, no build step.
 *
 * Point a scenario at it with
 *
 *   receiver:
 *     jitterBuffer: { module: ./my-buffer.js, options: { percentile: 0.95 } }
 *
 * The module exports `createJitterBuffer(options, host)` returning an object with
 * `kind`, `insert(frame, nowMs)`, `next(nowMs, ctx)` and `state(nowMs)`: the interface documented
 * in src/jitter-buffer/types.ts. The buffer is policy only: it stores frames and tells the
 * receiver what to do at each playout tick (play a frame, conceal, play comfort noise, decode
 * in-band FEC); the receiver decodes, conceals and counts the W3C statistics.
 *
 * The algorithm: percentile playout (in the manner of Moon, Kurose and Towsley's online
 * algorithm). Every frame's relative delay d = arrival − media time is kept over the last
 * `windowPackets` frames; at the start of each talkspurt (RTP marker bit, after DTX silence) the
 * playout offset becomes the `percentile` quantile of d plus `marginMs`, so that about
 * (1 − percentile) of the frames would come too late. Inside a talkspurt the offset stays put:
 * the delay changes only in silence, where adding or dropping comfort noise is inaudible.
 */

const DEFAULTS = {
  percentile: 0.95,
  windowPackets: 500,
  marginMs: 0,
  initialDelayMs: 60,
  minDelayMs: 20,
  maxDelayMs: 400,
  capacityFrames: 100,
};

/** An Opus DTX frame is a TOC byte with at most one more byte (RFC 6716 section 3.2.1). */
const isDtx = (frame) => frame.payload.length <= 2;

function checkOptions(o) {
  for (const [k, v] of Object.entries(o)) {
    if (!(k in DEFAULTS)) throw new Error(`my-buffer: unknown option '${k}'`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`my-buffer: option '${k}' must be a number >= 0`);
  }
  if (o.percentile > 1) throw new Error('my-buffer: percentile must be in 0..1');
}

/** The q-quantile (0..1) of the values, by the nearest-rank rule. */
function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

export function createJitterBuffer(options, host) {
  checkOptions(options);
  const o = { ...DEFAULTS, ...options };
  const msPerTs = 1000 / host.clockRate;
  const frameTs = Math.round((host.frameMs * host.clockRate) / 1000);
  /** Held frames, sorted by (extended) timestamp. */
  let frames = [];
  /** Timestamps already played (to tell duplicates from late frames). */
  const played = new Set();
  const delays = [];
  /** Playout offset: the frame with timestamp ts plays at ts × msPerTs + offsetMs. */
  let offsetMs = null;
  let playTs = null;
  let lastPlayed = null;

  const find = (ts) => frames.find((f) => f.timestamp === ts);
  const minDelay = () => Math.min(...delays);

  /** Re-choose the offset from the delays seen (talkspurt start). */
  function adapt() {
    const lo = minDelay();
    const want = quantile(delays, o.percentile) + o.marginMs;
    offsetMs = Math.min(lo + o.maxDelayMs, Math.max(lo + o.minDelayMs, want));
  }

  function take(frame, op) {
    frames = frames.filter((f) => f !== frame);
    played.add(frame.timestamp);
    if (played.size > 2048) played.delete(played.values().next().value);
    lastPlayed = frame;
    playTs = frame.timestamp + frame.durationTs;
    return { op, frame };
  }

  return {
    kind: 'percentile-example',

    insert(frame, nowMs) {
      if (played.has(frame.timestamp) || find(frame.timestamp)) return { status: 'duplicate' };
      if (playTs !== null && frame.timestamp < playTs) return { status: 'late' };
      delays.push(nowMs - frame.timestamp * msPerTs);
      if (delays.length > o.windowPackets) delays.shift();
      if (offsetMs === null) offsetMs = delays[0] + o.initialDelayMs;
      if (frames.length >= o.capacityFrames) {
        const dropped = frames.shift();
        host.onDiscard(dropped, 'overflow', nowMs);
      }
      frames.push(frame);
      frames.sort((a, b) => a.timestamp - b.timestamp);
      return { status: 'buffered' };
    },

    next(nowMs, ctx) {
      if (playTs === null) {
        // Pre-roll: start when the first frame's playout time has come.
        if (frames.length === 0 || nowMs < frames[0].timestamp * msPerTs + offsetMs) return { op: 'idle' };
        playTs = frames[0].timestamp;
      }
      for (const stale of frames.filter((f) => f.timestamp < playTs)) host.onDiscard(stale, 'late', nowMs);
      frames = frames.filter((f) => f.timestamp >= playTs);

      const due = find(playTs);
      if (due) return take(due, 'normal');

      const nextHeld = frames[0];
      // Silence: the sender paused (DTX); the next frame held follows the last one played without
      // a sequence gap, or nothing is held after a DTX frame.
      const silence =
        lastPlayed !== null &&
        (nextHeld ? nextHeld.seq === lastPlayed.seq + 1 : isDtx(lastPlayed) || ctx.lastOp === 'comfortNoise');
      if (silence) {
        if (nextHeld) {
          // A new talkspurt is waiting: adapt, then start it at its playout time, shortening or
          // lengthening the silence.
          if (ctx.lastOp !== 'comfortNoise' || nextHeld.marker) adapt();
          if (nowMs >= nextHeld.timestamp * msPerTs + offsetMs) return take(nextHeld, 'normal');
          if (playTs + frameTs < nextHeld.timestamp) playTs += frameTs;
          return { op: 'comfortNoise' };
        }
        playTs += frameTs;
        return { op: 'comfortNoise' };
      }
      // A loss: decode the next frame's in-band FEC if it has it, else conceal.
      const step = playTs;
      playTs += frameTs;
      if (host.useInbandFec && nextHeld && nextHeld.timestamp === step + frameTs && nextHeld.hasFec) return { op: 'fec', frame: nextHeld };
      return { op: 'expand' };
    },

    state(nowMs) {
      void nowMs;
      const held = frames.length === 0 ? 0 : frames[frames.length - 1].timestamp + frames[frames.length - 1].durationTs - frames[0].timestamp;
      const target = offsetMs === null || delays.length === 0 ? o.initialDelayMs : offsetMs - minDelay();
      return { targetDelayMs: target, levelMs: held * msPerTs };
    },
  };
}
