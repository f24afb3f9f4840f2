/**
 * The receiver's (B's) side of the adaptation loop: the transport-wide feedback it sends every
 * `twccIntervalMs`, and the RFC 3611 VoIP Metrics block it adds to its receiver reports.
 * RR / RRTR and their scheduling are src/sim/receiver-rtcp-agent.ts and src/sim/feedback.ts;
 * this class only adds what adaptation needs on top.
 */
import type { CodecConfig } from '../../codec/config.ts';
import { readTransportSeq } from '../../rtp/header-extension.ts';
import { tryParseRtp } from '../../rtp/packet.ts';
import { serializeRtcp } from '../../rtp/rtcp.ts';
import type { XrVoipMetricsBlock } from '../../rtp/rtcp-xr.ts';
import { SeqUnwrapper } from '../../rtp/wrap.ts';
import { TwccRecorder } from './twcc-recorder.ts';
import { VoipMetricsRecorder } from './voip-metrics-recorder.ts';

export interface ReceiverFeedbackOptions {
  /** B's SSRC (sender SSRC of its RTCP). */
  ssrc: number;
  mediaSsrc: number;
  codec: CodecConfig;
  transportCcId: number;
  deviceBufferMs: number;
  /** RFC 3611 4.7.6 PLC code (src/rtp/rtcp-xr.ts values: 3 standard, 2 enhanced, 1 disabled). */
  plcCode: number;
  adaptiveJitterBuffer: boolean;
}

export interface ReceiverView {
  /** Jitter buffer target delay now (ms). */
  jitterBufferMs: number;
  /** Largest jitter buffer delay seen (ms). */
  jitterBufferMaxMs: number;
  /** RTT known at the receiver (RRTR/DLRR), or null. */
  rttMs: number | null;
}

export class ReceiverFeedback {
  private readonly twcc: TwccRecorder;
  private readonly voip: VoipMetricsRecorder;
  private readonly mediaSeqs = new SeqUnwrapper();
  private payloadBytes = 0;
  private payloadSinceMs: number | null = null;
  private observedKbps: number | null = null;
  twccPacketsSent = 0;

  constructor(private readonly o: ReceiverFeedbackOptions) {
    this.twcc = new TwccRecorder(o.ssrc, o.mediaSsrc);
    this.voip = new VoipMetricsRecorder(o.codec.frameMs);
  }

  /** An RTP packet arrives at B at `arrivalMs` (before the receiver parses it: the bytes as received). */
  onRtp(bytes: Uint8Array, arrivalMs: number): void {
    const parsed = tryParseRtp(bytes);
    if (!parsed.ok) return;
    const p = parsed.packet;
    const tw = readTransportSeq(p, this.o.transportCcId);
    if (tw !== null) this.twcc.onPacket(tw, arrivalMs);
    if (p.ssrc !== this.o.mediaSsrc) return;
    this.voip.onReceived(this.mediaSeqs.unwrap(p.sequenceNumber));
    if (this.payloadSinceMs === null) this.payloadSinceMs = arrivalMs;
    this.payloadBytes += p.payload.length;
  }

  /** The jitter buffer dropped a received media packet (late or discarded); `seq` 16 bit or extended. */
  onDiscarded(seq: number): void {
    this.voip.onDiscarded(this.mediaSeqs.peek(seq & 0xffff));
  }

  /** The transport-wide feedback to send now, as one RTCP compound, or null when nothing is new. */
  twccFeedback(): Uint8Array | null {
    const fbs = this.twcc.feedback();
    if (fbs.length === 0) return null;
    this.twccPacketsSent += fbs.length;
    return serializeRtcp(fbs);
  }

  /** The VoIP Metrics block for the next receiver report (null before any media). */
  voipMetrics(nowMs: number, view: ReceiverView): XrVoipMetricsBlock | null {
    if (this.voip.expected === 0) return null;
    if (this.payloadSinceMs !== null && nowMs - this.payloadSinceMs > 0) {
      this.observedKbps = (this.payloadBytes * 8) / (nowMs - this.payloadSinceMs);
      this.payloadBytes = 0;
      this.payloadSinceMs = nowMs;
    }
    return this.voip.block({
      ssrc: this.o.mediaSsrc,
      codec: this.o.codec,
      observedBitrateKbps: this.observedKbps,
      // One-way delay as half the RTT the receiver measured (RRTR/DLRR): the ends' clocks are not synchronised.
      networkDelayMs: view.rttMs === null ? null : view.rttMs / 2,
      rttMs: view.rttMs,
      jitterBufferMs: view.jitterBufferMs,
      jitterBufferMaxMs: view.jitterBufferMaxMs,
      deviceBufferMs: this.o.deviceBufferMs,
      plc: this.o.plcCode,
      adaptiveJitterBuffer: this.o.adaptiveJitterBuffer,
    });
  }
}
