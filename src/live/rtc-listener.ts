/**
 * A listener who hears through their own browser's NetEq: each of their legs (one per speaker)
 * gets a WebRTC connection to their page, and the leg's impaired packets are written to it at
 * their arrival instants instead of being decoded on the server. Signalling rides the member's
 * WebSocket (`rtc-offer` → `rtc-answer`, `rtc-close`); a page on this host is kept on loopback.
 */
import type { SendOnlyPeer } from '../browser/send-only-peer.ts';
import type { ServerEvent } from './protocol.ts';

const CONNECT_TIMEOUT_MS = 20_000;

export interface RtcLegSpec {
  payloadType: number;
  inbandFec: boolean;
  dtx: boolean;
}

/** werift is loaded on the first WebRTC listener only. */
let peerModule: Promise<typeof import('../browser/send-only-peer.ts')> | null = null;

export class RtcListener {
  private readonly peers = new Map<number, SendOnlyPeer>();
  /** Packets written to connections, and dropped (before a connection was up, or unparseable). */
  written = 0;
  dropped = 0;

  constructor(
    private readonly event: (e: ServerEvent) => void,
    private readonly loopbackOnly: boolean,
  ) {}

  get size(): number {
    return this.peers.size;
  }

  /** A connection for the leg from speaker `leg`; the offer goes to the page. */
  open(leg: number, spec: RtcLegSpec): void {
    this.close(leg);
    const ticket = ++this.tickets;
    this.wanted.set(leg, ticket);
    peerModule ??= import('../browser/send-only-peer.ts');
    peerModule
      .then(async ({ SendOnlyPeer }) => {
        // The leg may have been closed (or reopened) while werift loaded.
        if (this.wanted.get(leg) !== ticket) return;
        const peer = new SendOnlyPeer({ payloadType: spec.payloadType, inbandFec: spec.inbandFec, dtx: spec.dtx, loopbackOnly: this.loopbackOnly });
        this.peers.set(leg, peer);
        const sdp = await peer.offer();
        if (this.peers.get(leg) === peer) this.event({ type: 'rtc-offer', leg, sdp });
      })
      .catch((e: unknown) => this.fail(leg, this.peers.get(leg) ?? null, e));
  }

  /** The newest open() per leg: a stale one that finishes loading does nothing. */
  private readonly wanted = new Map<number, number>();
  private tickets = 0;

  /** The page's answer for a leg's connection. */
  answer(leg: number, sdp: string): void {
    const peer = this.peers.get(leg);
    if (!peer) {
      this.event({ type: 'error', code: 'rtc-unknown-leg', message: `no WebRTC connection is open for speaker ${leg}` });
      return;
    }
    peer
      .accept(sdp)
      .then(() => peer.connected(CONNECT_TIMEOUT_MS))
      .catch((e: unknown) => this.fail(leg, peer, e));
  }

  /** An impaired packet of a leg, at its arrival instant. */
  write(leg: number, bytes: Uint8Array): void {
    const peer = this.peers.get(leg);
    if (!peer || peer.state !== 'connected') {
      this.dropped++;
      return;
    }
    try {
      peer.write(bytes);
      this.written++;
    } catch {
      // werift refuses what it cannot parse (a corrupted header): the browser would have too.
      this.dropped++;
    }
  }

  close(leg: number): void {
    this.wanted.delete(leg);
    const peer = this.peers.get(leg);
    if (!peer) return;
    this.peers.delete(leg);
    void peer.close();
    this.event({ type: 'rtc-close', leg });
  }

  closeAll(): void {
    for (const leg of new Set([...this.peers.keys(), ...this.wanted.keys()])) this.close(leg);
  }

  private fail(leg: number, peer: SendOnlyPeer | null, e: unknown): void {
    if (peer && this.peers.get(leg) !== peer) return;
    this.peers.delete(leg);
    void peer?.close();
    this.event({ type: 'error', code: 'rtc-failed', message: `WebRTC connection for speaker ${leg}: ${(e as Error).message ?? String(e)}` });
  }
}
