/**
 * The receive path's mechanism: RTP bytes → parser → (recovery stages) → jitter buffer → Opus
 * decoder / concealment / time-stretching → sync buffer → one frame per playout tick (or one
 * output block, for a buffer that decides per block: NetEq's 10 ms). The jitter buffer is the policy (what to do next); everything here executes its decisions and counts
 * what happened with W3C webrtc-stats definitions. Time is passed in: the same class runs in the
 * simulator (virtual clock) and in the live server (real timers).
 */
import type { Concealer } from '../concealment/types.ts';
import { createConcealer } from '../concealment/index.ts';
import { accelerate, preemptiveExpand } from '../concealment/wsola.ts';
import { OpusFrameDecoder } from '../codec/opus-decoder.ts';
import type { Decision, FrameOrigin, JbFrame, JitterBuffer, JitterBufferHost, JitterBufferState, PlayoutContext } from '../jitter-buffer/types.ts';
import type { JitterBufferMaker } from '../jitter-buffer/registry.ts';
import { Rfc3550Jitter } from '../metrics/rfc3550-jitter.ts';
import type { RecoveryStage } from '../recovery/types.ts';
import type { RtpPacket } from '../rtp/header.ts';
import { RtpParseError } from '../rtp/errors.ts';
import { parseRtp } from '../rtp/packet.ts';
import { opusInfoHasFec, tryParseOpusPacket, type OpusPacketInfo } from '../rtp/opus-toc.ts';
import { SeqRestartDetector } from '../rtp/seq-restart.ts';
import { SeqUnwrapper, TimestampUnwrapper } from '../rtp/wrap.ts';
import { SyncBuffer } from './sync-buffer.ts';
import { PlayoutTail, TAIL_COMFORT_NOISE, TAIL_CONCEALED, TAIL_OPENED_EVENT, TAIL_SILENT } from './playout-tail.ts';
import { SeenWindow } from '../core/seen-window.ts';
import { emptyCounters, type W3cInboundCounters } from './w3c-counters.ts';

export type PlcKind = 'opus' | 'silence' | 'repeat' | 'pitch';

/** What produced a tick's audio: the last op executed ('hold' only plays on from it). */
export type TickOp = Exclude<Decision['op'], 'hold'>;

/** How one frame slot of the call was played. */
export type FrameOutcome = 'normal' | 'fec' | 'concealed' | 'dtx';

export interface ReceiverEvents {
  /**
   * A frame slot was consumed at playout: `extTs` is the extended RTP timestamp of the slot;
   * `playoutMs` is when its first sample is played: the tick time plus the audio still waiting
   * ahead of it in the sync buffer (left over by time-stretching).
   */
  onFrame?(extTs: number, outcome: FrameOutcome, origin: JbFrame['origin'] | null, playoutMs: number, arrivalMs: number | null): void;
  /** A received packet was not played: late, duplicate, discarded by the buffer, or malformed. */
  onPacketDropped?(extSeq: number | null, reason: 'late' | 'duplicate' | 'discarded' | 'malformed', nowMs: number): void;
  /** Every playout tick: the emitted frame or block (null before playout starts) and the buffer's state. */
  onTick?(nowMs: number, pcm: Int16Array | null, state: JitterBufferState, op: TickOp): void;
}

export interface ReceiverOptions {
  sampleRate: number;
  frameMs: number;
  mediaPayloadType: number;
  jitterBuffer: JitterBufferMaker;
  plc: PlcKind;
  useInbandFec: boolean;
  recovery?: RecoveryStage[];
  rttMs?: () => number | null;
  trace?: JitterBufferHost['trace'];
  events?: ReceiverEvents;
}

const CLOCK_RATE = 48000; // RFC 7587: the Opus RTP clock is 48 kHz whatever the codec rate

export class Receiver {
  readonly counters: W3cInboundCounters = emptyCounters();
  readonly jb: JitterBuffer;
  readonly frameSamples: number;
  readonly frameTs: number;
  /**
   * Length of one playout tick (ms) and its samples: the buffer's output block when it has one
   * (JitterBuffer.outputBlockMs), else the frame. `step` plays one tick, `tick` one frame.
   */
  readonly tickMs: number;
  readonly blockSamples: number;
  /**
   * Offset of the playout ticks from the media clock's frame boundaries (ms): half a block in
   * block mode, since a receiver's audio device is not phase-locked to the sender's packet clock
   * and a buffer that stamps arrivals with its tick count (NetEq) would otherwise see every
   * packet of a jitter-free path land exactly on a tick; 0 otherwise.
   */
  readonly tickPhaseMs: number;
  /**
   * Received packets dropped as unusable: RTP that fails to parse, an unexpected payload type,
   * an Opus payload that breaks RFC 6716 section 3.4 framing or is longer than a frame, or a
   * sequence number RFC 3550 A.1 rejects (a jump of MAX_DROPOUT or more, e.g. a corrupted header).
   */
  malformedPackets = 0;
  fecFramesUsed = 0;
  /** Frames played from each recovery mechanism ("frames it saved"). */
  readonly recoveredBy = { fec: 0, red: 0, parity: 0, rtx: 0 };
  /** Frames a mechanism rebuilt after their playout time (the repair came too late to help). */
  readonly recoveredLate = { red: 0, parity: 0, rtx: 0 };
  private readonly decoder: OpusFrameDecoder;
  private readonly concealer: Concealer | null;
  private readonly sync: SyncBuffer;
  private readonly seqUnwrap = new SeqUnwrapper();
  private readonly tsUnwrap = new TimestampUnwrapper();
  private readonly jitter = new Rfc3550Jitter(CLOCK_RATE);
  private readonly out: Int16Array<ArrayBuffer>;
  private readonly scratch: Int16Array<ArrayBuffer>;
  /** Whether the buffer decides per output block (tickMs < or = frame, next() every tick). */
  private readonly blockMode: boolean;
  /** Samples concealed so far within the current frame slot (block mode conceals in blocks). */
  private concealPos = 0;
  /** Samples removed (> 0) or inserted (< 0) by the last executed op, if it was a time-stretch. */
  private lastStretchSamples = 0;
  /** A frame assembled from blocks, for `tick` in block mode. */
  private frameOut: Int16Array<ArrayBuffer> | null = null;
  private lastOp: TickOp | null = null;
  private inConcealment = false;
  private started = false;
  private highestExtSeq: number | null = null;
  private baseExtSeq: number | null = null;
  private readonly seenSeqs = new SeenWindow(4096);
  private readonly seqCheck = new SeqRestartDetector();
  private nextSlotTs: number | null = null;
  private lastState: JitterBufferState = { targetDelayMs: 0, levelMs: 0 };
  private readonly tail: PlayoutTail;

  constructor(private readonly opts: ReceiverOptions) {
    this.frameSamples = (opts.sampleRate * opts.frameMs) / 1000;
    this.frameTs = (CLOCK_RATE * opts.frameMs) / 1000;
    this.decoder = new OpusFrameDecoder(opts.sampleRate, this.frameSamples);
    this.concealer = opts.plc === 'opus' ? null : createConcealer(opts.plc, opts.sampleRate);
    this.sync = new SyncBuffer(this.frameSamples * 8);
    this.scratch = new Int16Array(this.frameSamples);
    this.tail = new PlayoutTail(this.frameTs);
    const host: JitterBufferHost = {
      frameMs: opts.frameMs,
      clockRate: CLOCK_RATE,
      useInbandFec: opts.useInbandFec,
      onDiscard: (frame, reason, nowMs) => {
        if (frame.origin !== 'primary') return;
        this.counters.packetsDiscarded++;
        opts.events?.onPacketDropped?.(frame.seq, reason === 'late' ? 'late' : 'discarded', nowMs);
      },
      rttMs: opts.rttMs ?? (() => null),
      trace: opts.trace ?? null,
    };
    this.jb = opts.jitterBuffer(host);
    const block = this.jb.outputBlockMs;
    this.blockMode = block !== undefined && block > 0 && block <= opts.frameMs && Number.isInteger(opts.frameMs / block);
    this.tickMs = this.blockMode ? block! : opts.frameMs;
    this.blockSamples = (opts.sampleRate * this.tickMs) / 1000;
    this.tickPhaseMs = this.blockMode ? this.tickMs / 2 : 0;
    this.out = new Int16Array(this.blockSamples);
  }

  /** RTP bytes arrive from the network at `nowMs`. Malformed input is counted and dropped. */
  onPacket(bytes: Uint8Array, nowMs: number): void {
    let packet: RtpPacket;
    try {
      packet = parseRtp(bytes);
    } catch (e) {
      if (!(e instanceof RtpParseError)) throw e;
      this.malformedPackets++;
      this.opts.events?.onPacketDropped?.(null, 'malformed', nowMs);
      return;
    }
    this.dispatch(packet, nowMs, 'primary', false, bytes.length);
  }

  /**
   * Routes one packet of the media stream or of a recovery mechanism. `origin` says how it got
   * here ('primary' = from the network), `unwrapped` that it came out of a RED packet (so it is
   * not a packet as sent on the wire). Packets rebuilt by a stage come back through here.
   */
  private dispatch(p: RtpPacket, nowMs: number, origin: FrameOrigin, unwrapped: boolean, wireSize: number | null): void {
    const stages = this.opts.recovery ?? [];
    const isMedia = p.payloadType === this.opts.mediaPayloadType;
    const own = isMedia ? undefined : stages.find((s) => s.accepts(p.payloadType));
    if (!isMedia && !own) {
      this.malformedPackets++;
      this.opts.events?.onPacketDropped?.(null, 'malformed', nowMs);
      return;
    }
    // Packets of the media sequence space: plain media, or RED-encapsulated media.
    const mediaStream = isMedia || own?.kind === 'red';
    const wire = mediaStream && origin === 'primary' && !unwrapped && wireSize !== null;
    // RFC 3550 A.1: a packet MAX_DROPOUT or more ahead of the highest sequence number (and not a
    // late one within MAX_MISORDER) is not counted; a corrupted header must not add 30 000
    // "lost" packets. One far ahead is dropped; one far behind still reaches the buffer (late).
    // A.1's restart (the next packet continues the jump) is accepted: the sender restarted.
    let counted = true;
    if (wire && this.seqCheck.check(p.sequenceNumber) === 'drop') {
      if (this.highestExtSeq !== null && this.seqUnwrap.peek(p.sequenceNumber) > this.highestExtSeq) {
        this.dropMalformed(nowMs);
        return;
      }
      counted = false;
    }
    let opus: OpusPacketInfo | null = null;
    if (isMedia) {
      opus = this.playableOpus(p.payload);
      if (opus === null) {
        if (wire) this.dropMalformed(nowMs);
        return;
      }
    }
    if (wire && counted) this.countReceived(p, wireSize);
    if (isMedia && opus !== null) this.insertMedia(p, opus, nowMs, origin, counted);
    if (mediaStream) {
      for (const stage of stages) {
        for (const r of stage.onMedia(p, nowMs, { origin, wire: !unwrapped })) this.dispatch(r.packet, nowMs, r.origin, false, null);
      }
    }
    if (own) {
      const before = own.stats();
      const rebuilt = own.onPacket(p, nowMs, origin);
      const after = own.stats();
      if (after.malformed > before.malformed) {
        this.malformedPackets++;
        this.opts.events?.onPacketDropped?.(null, 'malformed', nowMs);
      }
      if (own.kind === 'rtx' && wireSize !== null && after.packetsReceived > before.packetsReceived) {
        this.countRetransmission(after.bytesReceived - before.bytesReceived, wireSize);
      }
      for (const r of rebuilt) this.dispatch(r.packet, nowMs, r.origin, own.kind === 'red', null);
    }
  }

  private dropMalformed(nowMs: number): void {
    this.malformedPackets++;
    this.opts.events?.onPacketDropped?.(null, 'malformed', nowMs);
  }

  /**
   * The payload split into Opus frames, or null when libopus would refuse it: framing that breaks
   * RFC 6716 section 3.4 (opus_decode returns OPUS_INVALID_PACKET), or a duration longer than the
   * frame clock (OPUS_BUFFER_TOO_SMALL for one frame of output). A corrupted TOC byte does both.
   */
  private playableOpus(payload: Uint8Array): OpusPacketInfo | null {
    const info = tryParseOpusPacket(payload);
    return info !== null && info.durationMs <= this.opts.frameMs ? info : null;
  }

  private countReceived(p: RtpPacket, size: number): void {
    const c = this.counters;
    c.packetsReceived++;
    c.bytesReceived += p.payload.length;
    c.headerBytesReceived += size - p.payload.length;
  }

  /**
   * An RFC 4588 retransmission from the network: W3C packetsReceived, bytesReceived and
   * headerBytesReceived include retransmissions, retransmittedPackets/BytesReceived are their
   * subsets. Its payload bytes are the original payload's; the 2-byte OSN goes with the header
   * bytes, so headerBytesReceived + bytesReceived stays the RTP bytes received.
   */
  private countRetransmission(payloadBytes: number, size: number): void {
    const c = this.counters;
    c.packetsReceived++;
    c.bytesReceived += payloadBytes;
    c.headerBytesReceived += size - payloadBytes;
    c.retransmittedPacketsReceived++;
    c.retransmittedBytesReceived += payloadBytes;
  }

  private insertMedia(p: RtpPacket, opus: OpusPacketInfo, nowMs: number, origin: JbFrame['origin'], counted: boolean): void {
    const extSeq = this.seqUnwrap.unwrap(p.sequenceNumber);
    const extTs = this.tsUnwrap.unwrap(p.timestamp);
    // A second copy of a packet already received (W3C: duplicates are never packetsDiscarded,
    // and an FEC packet counts once however many copies arrive).
    const duplicate = origin === 'primary' && this.seenSeqs.has(extSeq);
    if (origin === 'primary') {
      if (duplicate) {
        this.counters.packetsDuplicated++;
      } else {
        this.seenSeqs.add(extSeq);
        if (counted) {
          if (this.baseExtSeq === null || extSeq < this.baseExtSeq) this.baseExtSeq = extSeq;
          if (this.highestExtSeq === null || extSeq > this.highestExtSeq) this.highestExtSeq = extSeq;
        }
      }
      // RFC 3550 A.8: jitter over packets in arrival order, from their own timestamps.
      this.jitter.update(nowMs, extTs);
    }
    const hasFec = this.opts.useInbandFec && opusInfoHasFec(opus);
    if (hasFec && origin === 'primary' && !duplicate) this.counters.fecPacketsReceived++;
    const frame: JbFrame = { seq: extSeq, timestamp: extTs, durationTs: this.frameTs, marker: p.marker, payload: p.payload, arrivalMs: nowMs, origin, hasFec };
    const r = this.jb.insert(frame, nowMs);
    if (origin !== 'primary') {
      // A repair is not a received packet: W3C packetsDiscarded and the packet records stay about
      // the primaries; a repair that came too late is counted per mechanism instead.
      if (r.status === 'late') this.recoveredLate[origin]++;
      return;
    }
    if (r.status === 'duplicate' || (duplicate && r.status !== 'buffered')) {
      // The buffer may call a second copy 'late' when the first one was late too (nothing was
      // played at that timestamp): it is still a duplicate, not a second discard.
      this.opts.events?.onPacketDropped?.(extSeq, 'duplicate', nowMs);
    } else if (r.status === 'late') {
      this.counters.packetsDiscarded++;
      this.opts.events?.onPacketDropped?.(extSeq, 'late', nowMs);
    } else if (r.status === 'discarded') {
      this.counters.packetsDiscarded++;
      this.opts.events?.onPacketDropped?.(extSeq, 'discarded', nowMs);
    }
  }

  /** One playout tick of `tickMs`: a block (or frame) of audio, or null before playout starts. */
  step(nowMs: number): Int16Array | null {
    return this.blockMode ? this.tickBlock(nowMs) : this.tick(nowMs);
  }

  /**
   * One frame of audio (or nothing before playout starts). In block mode the frame is the blocks
   * of the ticks ending at `nowMs`, one tickMs apart (for callers that play whole frames).
   */
  tick(nowMs: number): Int16Array | null {
    if (this.blockMode) return this.tickFrameOfBlocks(nowMs);
    const rate = this.opts.sampleRate;
    let op: TickOp = this.lastOp ?? 'idle';
    while (this.sync.length < this.frameSamples) {
      const d = this.jb.next(nowMs, { syncBufferMs: (this.sync.length * 1000) / rate, lastOp: this.lastOp });
      if (d.op === 'hold') break; // only meaningful in block mode
      op = d.op;
      if (d.op === 'idle') break;
      this.execute(d, nowMs);
      this.lastOp = d.op;
    }
    this.lastState = this.jb.state(nowMs);
    if (op === 'idle' && this.sync.length < this.frameSamples) {
      this.opts.events?.onTick?.(nowMs, null, this.lastState, 'idle');
      return null;
    }
    this.started = true;
    this.sync.pop(this.out);
    const c = this.counters;
    c.totalSamplesReceived += this.frameSamples;
    c.totalSamplesDuration += this.frameSamples / rate;
    this.opts.events?.onTick?.(nowMs, this.out, this.lastState, op);
    return this.out;
  }

  private tickFrameOfBlocks(nowMs: number): Int16Array | null {
    const k = this.frameSamples / this.blockSamples;
    if (k === 1) return this.tickBlock(nowMs);
    this.frameOut ??= new Int16Array(this.frameSamples);
    let any = false;
    for (let j = 0; j < k; j++) {
      const b = this.tickBlock(nowMs - (k - 1 - j) * this.tickMs);
      if (b) this.frameOut.set(b, j * this.blockSamples);
      else this.frameOut.fill(0, j * this.blockSamples, (j + 1) * this.blockSamples);
      any ||= b !== null;
    }
    return any ? this.frameOut : null;
  }

  /**
   * One block in block mode: the buffer is asked at least once (it may answer 'hold': the sync
   * buffer already holds the block), then again only while the sync buffer lacks a block.
   */
  private tickBlock(nowMs: number): Int16Array | null {
    let op: TickOp = this.lastOp ?? 'idle';
    let idle = false;
    for (let calls = 0; calls < 16; calls++) {
      const d = this.jb.next(nowMs, this.context());
      if (d.op === 'idle' || d.op === 'hold') {
        idle = d.op === 'idle';
        break;
      }
      this.execute(d, nowMs);
      this.lastOp = d.op;
      op = d.op;
      if (this.sync.length >= this.blockSamples) break;
    }
    this.lastState = this.jb.state(nowMs);
    if (idle && this.sync.length === 0) {
      this.opts.events?.onTick?.(nowMs, null, this.lastState, 'idle');
      return null;
    }
    this.started = true;
    this.sync.pop(this.out);
    const c = this.counters;
    c.totalSamplesReceived += this.blockSamples;
    c.totalSamplesDuration += this.blockSamples / this.opts.sampleRate;
    this.opts.events?.onTick?.(nowMs, this.out, this.lastState, op);
    return this.out;
  }

  private context(): PlayoutContext {
    const rate = this.opts.sampleRate;
    return { syncBufferMs: (this.sync.length * 1000) / rate, lastOp: this.lastOp, lastStretchMs: (this.lastStretchSamples * 1000) / rate };
  }

  get playoutStarted(): boolean {
    return this.started;
  }

  private slot(extTs: number | null): number {
    const ts = extTs ?? this.nextSlotTs ?? 0;
    this.nextSlotTs = ts + this.frameTs;
    return ts;
  }

  private emitDecoded(d: { frame: JbFrame; waitingMs?: number }, pcm: Int16Array, nowMs: number, usedFec: boolean): void {
    const c = this.counters;
    const n = pcm.length;
    const state = this.jb.state(nowMs);
    const waited = d.waitingMs ?? nowMs - d.frame.arrivalMs;
    c.jitterBufferDelay += (waited / 1000) * n;
    c.jitterBufferTargetDelay += (state.targetDelayMs / 1000) * n;
    c.jitterBufferMinimumDelay += ((state.minimumDelayMs ?? state.targetDelayMs) / 1000) * n;
    c.jitterBufferEmittedCount += n;
    void usedFec;
  }

  private decodeInto(frame: JbFrame, out: Int16Array<ArrayBuffer>): Int16Array<ArrayBuffer> {
    this.decoder.decode(frame.payload, out);
    if (this.concealer) this.concealer.onDecoded(out);
    return out;
  }

  /** Samples to conceal now in block mode: what the block lacks, in whole 2.5 ms (Opus PLC sizes), at most a frame. */
  private concealLength(): number {
    const quantum = this.opts.sampleRate / 400;
    const need = Math.max(1, this.blockSamples - this.sync.length);
    return Math.min(this.frameSamples, Math.ceil(need / quantum) * quantum);
  }

  private execute(d: Exclude<Decision, { op: 'idle' | 'hold' }>, nowMs: number): void {
    const c = this.counters;
    const ev = this.opts.events;
    // This frame's audio goes behind what the sync buffer already holds; the tick plays from nowMs.
    const playMs = nowMs + (this.sync.length * 1000) / this.opts.sampleRate;
    this.lastStretchSamples = 0;
    if (d.op !== 'expand') this.concealPos = 0;
    switch (d.op) {
      case 'normal': {
        const pcm = this.decodeInto(d.frame, this.scratch);
        this.emitDecoded(d, pcm, nowMs, false);
        this.sync.push(pcm);
        this.inConcealment = false;
        this.tail.clear();
        if (d.frame.origin !== 'primary') this.recoveredBy[d.frame.origin]++;
        // The slot is taken whether or not anyone listens (nextPlayoutTs and the tail need it).
        const ts = this.slot(d.frame.timestamp);
        ev?.onFrame?.(ts, 'normal', d.frame.origin, playMs, d.frame.arrivalMs);
        return;
      }
      case 'accelerate':
      case 'preemptiveExpand': {
        const pcm = this.decodeInto(d.frame, this.scratch);
        this.emitDecoded(d, pcm, nowMs, false);
        if (d.op === 'accelerate') {
          const r = accelerate(pcm, this.opts.sampleRate, d.fast ? { fast: true } : undefined);
          c.removedSamplesForAcceleration += r.removedSamples;
          this.lastStretchSamples = r.removedSamples;
          this.sync.push(r.output);
        } else {
          const r = preemptiveExpand(pcm, this.opts.sampleRate);
          c.insertedSamplesForDeceleration += r.insertedSamples;
          this.lastStretchSamples = -r.insertedSamples;
          this.sync.push(r.output);
        }
        this.inConcealment = false;
        this.tail.clear();
        if (d.frame.origin !== 'primary') this.recoveredBy[d.frame.origin]++;
        // The slot is taken whether or not anyone listens (nextPlayoutTs and the tail need it).
        const ts = this.slot(d.frame.timestamp);
        ev?.onFrame?.(ts, 'normal', d.frame.origin, playMs, d.frame.arrivalMs);
        return;
      }
      case 'fec': {
        const pcm = this.decoder.decodeFec(d.frame.payload, this.scratch);
        if (this.concealer) this.concealer.onDecoded(pcm);
        this.emitDecoded(d, pcm, nowMs, true);
        this.sync.push(pcm);
        this.inConcealment = false;
        this.tail.clear();
        this.fecFramesUsed++;
        this.recoveredBy.fec++;
        const ts = this.slot(d.frame.timestamp - this.frameTs);
        ev?.onFrame?.(ts, 'fec', d.frame.origin, playMs, d.frame.arrivalMs);
        return;
      }
      case 'expand':
      case 'comfortNoise': {
        const n = this.blockMode && d.op === 'expand' ? this.concealLength() : this.frameSamples;
        let pcm: Int16Array<ArrayBuffer>;
        if (this.concealer === null) pcm = n === this.frameSamples ? this.decoder.conceal(this.scratch) : this.decoder.conceal(this.scratch, n).subarray(0, n);
        else if (d.op === 'comfortNoise') pcm = this.scratch.fill(0);
        else pcm = this.concealer.conceal(n) as Int16Array<ArrayBuffer>;
        this.sync.push(pcm);
        if (d.op === 'comfortNoise') {
          // Sender DTX: comfort noise for silence that was never sent is not concealment (NetEq
          // counts it as generated noise, not in concealedSamples), so it is counted apart.
          c.comfortNoiseSamples += n;
          this.inConcealment = false;
          const ts = this.slot(null);
          this.tail.push(ts, TAIL_COMFORT_NOISE);
          ev?.onFrame?.(ts, 'dtx', null, playMs, null);
          return;
        }
        let silent = true;
        for (let i = 0; i < pcm.length; i++) {
          if (pcm[i] !== 0) {
            silent = false;
            break;
          }
        }
        c.concealedSamples += n;
        if (silent) c.silentConcealedSamples += n;
        if (!this.inConcealment) c.concealmentEvents++;
        // A frame slot is concealed when its concealment begins (blocks: once per frame's worth).
        if (this.concealPos === 0) {
          const ts = this.slot(null);
          this.tail.push(ts, TAIL_CONCEALED | (silent ? TAIL_SILENT : 0) | (this.inConcealment ? 0 : TAIL_OPENED_EVENT));
          ev?.onFrame?.(ts, 'concealed', null, playMs, null);
        }
        this.inConcealment = true;
        this.concealPos += n;
        if (this.concealPos >= this.frameSamples) this.concealPos -= this.frameSamples;
        return;
      }
    }
  }

  /**
   * Packets received on the media SSRC itself (RFC 3550 6.4.1, duplicates included): W3C
   * packetsReceived without the retransmissions, which arrive on the RTX SSRC.
   */
  private receivedOnMediaSsrc(): number {
    return this.counters.packetsReceived - this.counters.retransmittedPacketsReceived;
  }

  /**
   * Final counters: RFC 3550 expected/lost and jitter, and FEC packets never used.
   *
   * packetsLost is RFC 3550 6.4.1's cumulative number lost of the media SSRC, expected minus the
   * packets received on that SSRC: what this receiver's RTCP report blocks carry and what the
   * sender reads back as remote-inbound packetsLost. Retransmissions travel on their own SSRC
   * (RFC 4588, report blocks per stream, section 6.2), so they count in packetsReceived (as W3C
   * defines it) but do not lower packetsLost: packetsLost + packetsReceived = expected +
   * retransmittedPacketsReceived.
   */
  finalCounters(): W3cInboundCounters {
    const c = { ...this.counters };
    const expected = this.highestExtSeq === null || this.baseExtSeq === null ? 0 : this.highestExtSeq - this.baseExtSeq + 1;
    c.packetsLost = expected - this.receivedOnMediaSsrc();
    c.jitter = this.jitter.jitterMs / 1000;
    // W3C fecPacketsReceived counts every FEC packet: Opus in-band FEC, RED redundant blocks and
    // parity packets; the discarded ones are those that did not yield a played frame.
    let used = this.fecFramesUsed;
    for (const stage of this.opts.recovery ?? []) {
      if (stage.kind === 'rtx') continue;
      c.fecPacketsReceived += stage.stats().packetsReceived;
      used += this.recoveredBy[stage.kind];
    }
    c.fecPacketsDiscarded = Math.max(0, c.fecPacketsReceived - used);
    return c;
  }

  /**
   * Final counters of a stream that ended with the frame at 32-bit RTP timestamp `lastTs`: the
   * slots played after it (concealment or comfort noise for audio that was never sent) are taken
   * back, as if the call had ended when playout passed its last frame, as the simulator ends it.
   * A live stream learns where its last frame was only afterwards (src/live/leg.ts).
   */
  countersEndingAt(lastTs: number): W3cInboundCounters {
    const c = this.finalCounters();
    const r = this.tail.after(lastTs);
    if (r.slots === 0) return c;
    const n = this.frameSamples;
    c.totalSamplesReceived -= r.slots * n;
    c.totalSamplesDuration -= (r.slots * n) / this.opts.sampleRate;
    c.concealedSamples -= r.concealed * n;
    c.silentConcealedSamples -= r.silentConcealed * n;
    c.comfortNoiseSamples -= r.comfortNoise * n;
    c.concealmentEvents -= r.events;
    return c;
  }

  /** 32-bit RTP timestamp of the next frame slot to be played, or null before playout starts. */
  get nextPlayoutTs(): number | null {
    if (this.nextSlotTs === null) return null;
    return ((this.nextSlotTs % 0x100000000) + 0x100000000) % 0x100000000;
  }

  /**
   * What an RFC 3550 receiver report needs (section 6.4.1, appendix A.3): highest extended
   * sequence number, packets expected and received so far, and the interarrival jitter in
   * timestamp units. null before the first media packet.
   */
  receptionState(): { extHighestSeq: number; expected: number; received: number; jitterTs: number } | null {
    if (this.highestExtSeq === null || this.baseExtSeq === null) return null;
    return {
      extHighestSeq: this.highestExtSeq,
      expected: this.highestExtSeq - this.baseExtSeq + 1,
      received: this.receivedOnMediaSsrc(),
      jitterTs: (this.jitter.jitterMs * CLOCK_RATE) / 1000,
    };
  }

  get jitterMs(): number {
    return this.jitter.jitterMs;
  }

  destroy(): void {
    this.decoder.destroy();
  }
}
