/**
 * The send side of a browser member: captured 20 ms PCM frames → the real Opus encoder → the
 * simulator's MediaSender (RFC 7587 packetizer, DTX rule, marker bit). Frame indices count the
 * frames received, so the RTP timestamp advances 960 per frame like a capture clock.
 */
import type { CodecConfig } from '../codec/config.ts';
import { OpusFrameEncoder } from '../codec/opus-encoder.ts';
import { MediaSender, type OutgoingPacket, type RtpInit } from '../sender/media-sender.ts';

export class Speaker {
  private encoder: OpusFrameEncoder;
  private readonly sender: MediaSender;
  private frameIndex = 0;
  private codecKey: string;

  constructor(
    codec: CodecConfig,
    readonly rtp: RtpInit,
  ) {
    this.encoder = new OpusFrameEncoder(codec);
    this.codecKey = JSON.stringify(codec);
    this.sender = new MediaSender(rtp, (48000 * codec.frameMs) / 1000);
  }

  /** A new encoder for a new preset's codec settings; the RTP stream continues. */
  setCodec(codec: CodecConfig): void {
    const key = JSON.stringify(codec);
    if (key === this.codecKey) return;
    this.encoder = new OpusFrameEncoder(codec);
    this.codecKey = key;
  }

  get framesIn(): number {
    return this.frameIndex;
  }

  /** Encode one captured frame and packetize it (none when DTX suppresses it). */
  packetsFor(pcm: Int16Array): OutgoingPacket[] {
    const payload = this.encoder.encode(pcm);
    return this.sender.packetsForFrame(this.frameIndex++, payload);
  }
}
