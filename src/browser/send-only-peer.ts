/**
 * The Node end of a WebRTC call: a werift peer connection with one send-only Opus transceiver.
 * Node writes the RTP packets it built itself; werift keeps their payload, sequence number,
 * timestamp and marker, rewrites only SSRC and payload type, and protects them with SRTP
 * (DTLS-SRTP keys). On loopback (the default: browser receivers, and live pages opened on this
 * host) its candidates and the browser's are filtered to 127.0.0.1 and werift pairs only
 * loopback candidates; otherwise it offers its host candidates (no STUN or TURN: a browser must
 * reach one of this host's addresses directly).
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { JitterlabError } from '../core/errors.ts';
import { LOOPBACK, loopbackCandidates, loopbackOnly } from './sdp-loopback.ts';

export interface SendOnlyPeerOptions {
  payloadType: number;
  /** Only 127.0.0.1 candidates on both sides (default true). */
  loopbackOnly?: boolean;
  /** Offer the receiver Opus in-band FEC (RFC 7587 useinbandfec). */
  inbandFec: boolean;
  dtx: boolean;
}

export class SendOnlyPeer {
  private readonly pc: RTCPeerConnection;
  private readonly track = new MediaStreamTrack({ kind: 'audio' });
  private connectedAt: Promise<void>;
  private readonly loopback: boolean;
  state = 'new';

  constructor(opts: SendOnlyPeerOptions) {
    this.loopback = opts.loopbackOnly ?? true;
    // RFC 7587 section 7: the Opus media type is always opus/48000/2 in SDP, whatever is sent.
    const fmtp = [`minptime=10`, `useinbandfec=${opts.inbandFec ? 1 : 0}`, `usedtx=${opts.dtx ? 1 : 0}`].join(';');
    const loopback = this.loopback
      ? {
          iceAdditionalHostAddresses: [LOOPBACK],
          iceInterfaceAddresses: { udp4: LOOPBACK },
          iceFilterCandidatePair: (pair: { localCandidate: { host: string }; remoteCandidate: { host: string } }) => pair.localCandidate.host === LOOPBACK && pair.remoteCandidate.host === LOOPBACK,
          // The browser also sends checks from its other interfaces to our 127.0.0.1 candidate (the
          // kernel routes them over lo); answering them would let such a pair win on its side.
          iceFilterStunResponse: (_msg: unknown, addr: readonly [string, number]) => addr[0] === LOOPBACK,
        }
      : {};
    this.pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: opts.payloadType, parameters: fmtp })] },
      headerExtensions: { audio: [] },
      iceUseIpv6: false,
      ...loopback,
    });
    this.pc.addTransceiver(this.track, { direction: 'sendonly' });
    this.connectedAt = new Promise<void>((resolve, reject) => {
      this.pc.connectionStateChange.subscribe((s) => {
        this.state = s;
        if (s === 'connected') resolve();
        else if (s === 'failed' || s === 'closed') reject(new JitterlabError('io', `browser receiver: WebRTC connection ${s} before media started`));
      });
    });
    this.connectedAt.catch(() => undefined);
  }

  /** The offer, once ICE gathering is complete, with loopback candidates only. */
  async offer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await new Promise<void>((resolve) => {
      if (this.pc.iceGatheringState === 'complete') return resolve();
      this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
    });
    if (!this.loopback) return this.pc.localDescription!.sdp;
    const sdp = loopbackOnly(this.pc.localDescription!.sdp);
    if (loopbackCandidates(sdp) === 0) throw new JitterlabError('io', 'browser receiver: werift gathered no 127.0.0.1 candidate');
    return sdp;
  }

  async accept(answerSdp: string): Promise<void> {
    if (!this.loopback) return this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    const sdp = loopbackOnly(answerSdp);
    if (loopbackCandidates(sdp) === 0) throw new JitterlabError('io', 'browser receiver: the browser offered no 127.0.0.1 candidate (is --allow-loopback-in-peer-connection set?)');
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Resolves when DTLS is up (packets written before are discarded); rejects after `timeoutMs`. */
  connected(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JitterlabError('io', `browser receiver: no WebRTC connection after ${timeoutMs / 1000} s (state ${this.state}, ICE ${this.pc.iceConnectionState})`)), timeoutMs);
    });
    return Promise.race([this.connectedAt, timeout]).finally(() => clearTimeout(timer));
  }

  /** Send one RTP packet (our bytes; werift sets SSRC and payload type). */
  write(packet: Uint8Array): void {
    this.track.writeRtp(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
  }

  async close(): Promise<void> {
    await this.pc.close().catch(() => undefined);
  }
}
