/**
 * The receiver's block mode (a buffer with an output block, as NetEq's 10 ms): one tick per
 * block, half a block out of phase, next() at least once per tick ('hold' plays on from the sync
 * buffer), concealment in blocks with one frame slot per frame's worth, the buffer's own waiting
 * time in jitterBufferDelay, the result of a time-stretch passed back, and whole frames for
 * callers that tick per frame. Real libopus payloads; a scripted buffer.
 */
import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import { createFixed } from '../../src/jitter-buffer/fixed.ts';
import type { Decision, InsertResult, JbFrame, JitterBuffer, PlayoutContext } from '../../src/jitter-buffer/types.ts';
import { Receiver, type ReceiverOptions } from '../../src/receiver/receiver.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';

const PT = 111;
const enc = new OpusFrameEncoder(CodecConfigSchema.parse({ fec: false }));
// A 200 Hz tone (5 ms period): periodic enough for WSOLA to stretch by one pitch period.
const tone = new Int16Array(960);
for (let i = 0; i < 960; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 200 * i) / 48000));
const payloads = Array.from({ length: 10 }, () => enc.encode(tone));

function rtp(seq: number, ts: number, payload: Uint8Array): Uint8Array {
  return serializeRtp({ version: 2, padding: 0, marker: false, payloadType: PT, sequenceNumber: seq, timestamp: ts, ssrc: 7, csrcs: [], extension: null, payload });
}

/** A buffer that plays a fixed script of decisions (one per call) and records what it was told. */
class ScriptedBlocks implements JitterBuffer {
  readonly kind = 'scripted';
  readonly outputBlockMs = 10;
  readonly frames: JbFrame[] = [];
  readonly calls: Array<{ nowMs: number } & PlayoutContext> = [];
  private k = 0;

  constructor(private readonly script: Array<(frames: JbFrame[]) => Decision>) {}

  insert(frame: JbFrame): InsertResult {
    this.frames.push(frame);
    return { status: 'buffered' };
  }

  next(nowMs: number, ctx: PlayoutContext): Decision {
    this.calls.push({ nowMs, ...ctx });
    const step = this.script[this.k++];
    return step ? step(this.frames) : { op: 'hold' };
  }

  state() {
    return { targetDelayMs: 40, levelMs: 0 };
  }
}

function receiver(jb: JitterBuffer, events: ReceiverOptions['events'] = {}): Receiver {
  return new Receiver({ sampleRate: 48000, frameMs: 20, mediaPayloadType: PT, jitterBuffer: () => jb, plc: 'opus', useInbandFec: false, events });
}

describe('receiver block mode', () => {
  it('ticks per block, half a block out of phase; a frame buffer keeps one tick per frame at phase 0', () => {
    const rx = receiver(new ScriptedBlocks([]));
    expect([rx.tickMs, rx.tickPhaseMs, rx.blockSamples]).toEqual([10, 5, 480]);
    const fixed = new Receiver({ sampleRate: 48000, frameMs: 20, mediaPayloadType: PT, jitterBuffer: (h) => createFixed({ type: 'fixed', delayMs: 40, capacityFrames: 200 }, h), plc: 'opus', useInbandFec: false });
    expect([fixed.tickMs, fixed.tickPhaseMs, fixed.blockSamples]).toEqual([20, 0, 960]);
  });

  it('asks once per tick, plays on from the sync buffer on hold, and passes the last op and stretch back', () => {
    const ops: string[] = [];
    const jb = new ScriptedBlocks([
      () => ({ op: 'idle' }),
      (f) => ({ op: 'normal', frame: f[0], waitingMs: 30 }),
      () => ({ op: 'hold' }),
      (f) => ({ op: 'accelerate', frame: f[1], waitingMs: 20 }),
      () => ({ op: 'expand' }),
      () => ({ op: 'expand' }),
      (f) => ({ op: 'normal', frame: f[2] }),
    ]);
    const rx = receiver(jb, { onTick: (_t, pcm, _s, op) => ops.push(pcm ? op : 'null') });
    for (let i = 0; i < 3; i++) rx.onPacket(rtp(100 + i, 48000 + 960 * i, payloads[i]), 1 + 20 * i);
    const blocks: Array<number | null> = [];
    for (let k = 0; k < 8; k++) blocks.push(rx.step(5 + 10 * k)?.length ?? null);
    expect(blocks).toEqual([null, 480, 480, 480, 480, 480, 480, 480]);
    expect(ops).toEqual(['null', 'normal', 'normal', 'accelerate', 'expand', 'expand', 'normal', 'normal']);
    // One call per tick here: every op filled the block (the last tick's script is 'hold').
    expect(jb.calls.map((c) => c.nowMs)).toEqual([5, 15, 25, 35, 45, 55, 65, 75]);
    expect(jb.calls.map((c) => c.syncBufferMs)).toEqual([0, 0, 10, 0, 5, 0, 0, 10]);
    // 'hold' is not an op: the call after it still sees the op before it.
    expect(jb.calls[3].lastOp).toBe('normal');
    // The accelerate removed one 5 ms pitch period; the next call is told so, the one after not.
    const c = rx.finalCounters();
    expect(c.removedSamplesForAcceleration).toBe(240);
    expect(jb.calls[4].lastStretchMs).toBe(5);
    expect(jb.calls[5].lastStretchMs).toBe(0);
    // 5 ms lacked at tick 45, 10 ms at 55: concealed in those amounts.
    expect(c.concealedSamples).toBe(240 + 480);
    // The buffer's own waiting times (30 and 20 ms) count; without one, arrival to decode (65 - 41).
    expect(c.jitterBufferDelay).toBeCloseTo((0.03 + 0.02 + 0.024) * 960, 9);
    expect(c.totalSamplesReceived).toBe(7 * 480);
  });

  it('conceals in blocks: 10 ms per expand, one concealed frame slot per frame’s worth', () => {
    const slots: string[] = [];
    const script: Array<(f: JbFrame[]) => Decision> = [(f) => ({ op: 'normal', frame: f[0] }), () => ({ op: 'hold' })];
    for (let i = 0; i < 5; i++) script.push(() => ({ op: 'expand' }));
    script.push((f) => ({ op: 'normal', frame: f[1] }));
    const jb = new ScriptedBlocks(script);
    const rx = receiver(jb, { onFrame: (ts, outcome) => slots.push(`${(ts - 48000) / 960}:${outcome}`) });
    rx.onPacket(rtp(100, 48000, payloads[0]), 1);
    rx.onPacket(rtp(104, 48000 + 4 * 960, payloads[1]), 2);
    for (let k = 0; k < 8; k++) rx.step(5 + 10 * k);
    const c = rx.finalCounters();
    expect(c.concealedSamples).toBe(5 * 480);
    expect(c.concealmentEvents).toBe(1);
    // 50 ms of concealment: slots 1, 2 and 3 begin concealed (the third only half), then frame 4.
    expect(slots).toEqual(['0:normal', '1:concealed', '2:concealed', '3:concealed', '4:normal']);
  });

  it('gives a caller that ticks per frame (live) the two blocks of the frame', () => {
    const jb = new ScriptedBlocks([(f) => ({ op: 'normal', frame: f[0] }), () => ({ op: 'hold' }), (f) => ({ op: 'normal', frame: f[1] }), () => ({ op: 'hold' })]);
    const blocks: number[] = [];
    const rx = receiver(jb, { onTick: (t) => blocks.push(t) });
    rx.onPacket(rtp(100, 48000, payloads[0]), 1);
    rx.onPacket(rtp(101, 48960, payloads[1]), 2);
    const a = rx.tick(20)!.slice();
    const b = rx.tick(40)!.slice();
    expect([a.length, b.length]).toEqual([960, 960]);
    expect(blocks).toEqual([10, 20, 30, 40]);
    expect(rx.finalCounters().totalSamplesReceived).toBe(1920);
    expect(a.some((x) => x !== 0) && b.some((x) => x !== 0)).toBe(true);
  });
});
