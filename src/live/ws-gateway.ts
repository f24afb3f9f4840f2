/**
 * The WebSocket side of the live server: upgrade checks (path, Origin, token, room name, the
 * connection cap), one member per connection, a room member limit (the connection is accepted,
 * told why in an error event and closed with code 4001, so the page can show it), binary audio
 * frames and JSON control messages, pings every second that double as acknowledgements of what
 * the peer has read (bounded-peer.ts: a reader that stops is dropped once a bounded amount is
 * unread) and as a heartbeat (no pong for two heartbeat periods: dropped), a per-peer frame rate limit,
 * and message size limits. Invalid input gets an error event and is counted; it never throws out
 * of a handler.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TimerHandle } from '../core/clock.ts';
import { tokenMatches, tokenOf, WS_PROTOCOL, type OriginPolicy } from './access.ts';
import { BoundedPeer } from './bounded-peer.ts';
import { parseClientMessage } from './client-messages.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { AUDIO_IN, CLOSE_ROOM_FULL, decodeAudioFrame, FRAME_MS, type ListenMode, type ServerEvent } from './protocol.ts';
import type { MemberHandle, RoomRouter } from './room-router.ts';
import type { TimerWheel } from './timer-wheel.ts';

export interface GatewayOptions {
  token: string;
  origins: OriginPolicy;
  hub: RoomRouter;
  metrics: LiveMetrics;
  clock: TimerWheel;
  maxMessageBytes: number;
  /** Bytes a peer may leave unread (not acknowledged by a pong) before it is dropped. */
  sendQueueLimitBytes: number;
  /** A peer that answers no ping for twice this long is dropped. */
  heartbeatMs: number;
  maxConnections: number;
}

interface Peer {
  ws: WebSocket;
  member: MemberHandle;
  bounded: BoundedPeer;
  lastPongMs: number;
  /** Bytes sent when each of the last pings went out, by ping number modulo PING_RING. */
  pingBytes: Float64Array;
  pingSeq: Int32Array;
  /** Token bucket of audio frames: refills at the frame rate, holds one second. */
  credit: number;
  creditAt: number;
}

const ROOM_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const BURST_FRAMES = 1000 / FRAME_MS;
const PING_RING = 16;

function refuse(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  socket.destroy();
}

export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly peers = new Set<Peer>();
  private readonly heartbeat: TimerHandle;
  private upgrading = 0;
  private pingNo = 0;

  constructor(private readonly o: GatewayOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: o.maxMessageBytes,
      perMessageDeflate: false,
      // The page asks for 'jitterlab' (its token rides as a second subprotocol, access.ts).
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    const every = Math.min(1000, o.heartbeatMs / 2);
    this.heartbeat = o.clock.every(every, o.clock.now() + every, (due) => this.beat(o.clock.now() - due > every), { catchUp: false });
  }

  get connections(): number {
    return this.peers.size;
  }

  /** The HTTP server's 'upgrade' event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://x');
    const m = this.o.metrics;
    if (url.pathname !== '/ws') {
      m.rejected.inc({ reason: 'path' });
      return refuse(socket, 404, 'Not Found');
    }
    if (!this.o.origins.allows(req.headers.origin)) {
      m.rejected.inc({ reason: 'origin' });
      return refuse(socket, 403, 'Forbidden origin');
    }
    if (!tokenMatches(this.o.token, tokenOf(req, url))) {
      m.rejected.inc({ reason: 'token' });
      return refuse(socket, 401, 'Unauthorized');
    }
    const room = url.searchParams.get('room') ?? 'lobby';
    if (!ROOM_RE.test(room)) {
      m.rejected.inc({ reason: 'room' });
      return refuse(socket, 400, 'Bad room name');
    }
    if (this.peers.size + this.upgrading >= this.o.maxConnections) {
      m.rejected.inc({ reason: 'connections' });
      return refuse(socket, 503, `Too many connections (${this.o.maxConnections}, --max-connections)`);
    }
    if (!this.o.hub.hasEngine()) {
      m.rejected.inc({ reason: 'no-leg-engine' });
      return refuse(socket, 503, 'No leg engine running (see /healthz)');
    }
    const name = (url.searchParams.get('name') ?? 'guest').replace(/[^\p{L}\p{N} _.-]/gu, '').slice(0, 32) || 'guest';
    const listen: ListenMode = url.searchParams.get('listen') === 'webrtc' ? 'webrtc' : 'server';
    // A page on this host gets loopback-only WebRTC; another host gets this host's addresses.
    const loopback = /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress ?? '');
    this.upgrading++;
    let settled = false;
    const settle = () => {
      if (!settled) this.upgrading--;
      settled = true;
    };
    socket.once('close', settle);
    // With rooms shared across instances, who is in the room elsewhere is looked up first (the
    // member limit counts every instance); ws refuses a socket that closed meanwhile.
    void this.o.hub
      .prepareRoom(room)
      .then(() =>
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          settle();
          this.accept(ws, room, name, { listen, loopback });
        }),
      )
      .catch(() => socket.destroy());
  }

  private accept(ws: WebSocket, room: string, name: string, how: { listen: ListenMode; loopback: boolean }): void {
    const m = this.o.metrics;
    const full = this.o.hub.roomFull(room);
    if (full) {
      m.rejected.inc({ reason: 'room-full' });
      ws.send(JSON.stringify({ type: 'error', code: 'room-full', message: full } satisfies ServerEvent));
      ws.close(CLOSE_ROOM_FULL, full.slice(0, 120));
      ws.on('error', () => undefined);
      return;
    }
    let peer: Peer | null = null;
    const bounded = new BoundedPeer(ws, this.o.sendQueueLimitBytes, () => {
      m.sendQueueDrops.inc();
      ws.terminate();
      if (peer) this.drop(peer, 'slow-reader');
    });
    const member = this.o.hub.join(
      room,
      name,
      {
        send: (data) => ws.readyState === ws.OPEN && bounded.send(data),
        close: (code, reason) => ws.close(code, reason),
      },
      how,
    );
    const now = this.o.clock.now();
    peer = { ws, member, bounded, lastPongMs: now, pingBytes: new Float64Array(PING_RING), pingSeq: new Int32Array(PING_RING).fill(-1), credit: BURST_FRAMES, creditAt: now };
    const p = peer;
    this.peers.add(p);
    ws.on('pong', (data: Buffer) => {
      p.lastPongMs = this.o.clock.now();
      if (data.length !== 4) return;
      const no = data.readInt32BE(0);
      const k = no % PING_RING;
      if (no >= 0 && p.pingSeq[k] === no) p.bounded.acknowledge(p.pingBytes[k]);
    });
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(p, data, isBinary);
      } catch (e) {
        this.invalid(p, 'internal', (e as Error).message);
      }
    });
    ws.on('error', (e: Error & { code?: string }) => {
      // ws reports protocol violations (e.g. a message over maxPayload) here, then closes.
      m.invalidMessages.inc({ reason: e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'oversized' : 'protocol' });
    });
    ws.on('close', () => this.drop(p, 'closed'));
  }

  private toBytes(data: RawData): Uint8Array {
    if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  private onMessage(p: Peer, data: RawData, isBinary: boolean): void {
    const bytes = this.toBytes(data);
    if (!isBinary) {
      const r = parseClientMessage(Buffer.from(bytes).toString('utf8'));
      if (!r.ok) return this.invalid(p, r.reason, r.detail);
      this.o.hub.onMessage(p.member, r.msg);
      return;
    }
    const f = decodeAudioFrame(bytes);
    if (!f.ok) return this.invalid(p, f.reason, `audio frame: ${f.reason} (${bytes.length} bytes)`);
    if (f.type !== AUDIO_IN) return this.invalid(p, 'unknown-type', 'only audio-in frames may be sent');
    const now = this.o.clock.now();
    p.credit = Math.min(BURST_FRAMES, p.credit + (now - p.creditAt) / FRAME_MS);
    p.creditAt = now;
    if (p.credit < 1) return this.invalid(p, 'rate', 'audio frames faster than real time');
    p.credit -= 1;
    this.o.hub.onAudio(p.member, f.pcm);
  }

  private invalid(p: Peer, reason: string, message: string): void {
    this.o.metrics.invalidMessages.inc({ reason });
    p.member.event({ type: 'error', code: reason, message } satisfies ServerEvent);
  }

  private drop(p: Peer, reason: string): void {
    if (!this.peers.delete(p)) return;
    this.o.hub.leave(p.member, reason);
  }

  /**
   * Ping every peer (the ping number as payload); drop those silent for two heartbeat periods.
   * A beat that runs a whole period late follows a stall of this process: pongs that arrived
   * meanwhile wait unread behind it, so nobody is judged on this beat.
   */
  private beat(stalled: boolean): void {
    const now = this.o.clock.now();
    const no = this.pingNo;
    this.pingNo = (this.pingNo + 1) & 0x7fffffff;
    const payload = Buffer.alloc(4);
    payload.writeInt32BE(no, 0);
    for (const p of [...this.peers]) {
      if (!stalled && now - p.lastPongMs > 2 * this.o.heartbeatMs) {
        this.o.metrics.heartbeatDrops.inc();
        p.ws.terminate();
        this.drop(p, 'heartbeat');
        continue;
      }
      const k = no % PING_RING;
      p.pingSeq[k] = no;
      p.pingBytes[k] = p.bounded.sentBytes;
      try {
        p.ws.ping(payload);
      } catch {
        this.drop(p, 'closed');
      }
    }
  }

  close(): void {
    this.heartbeat.cancel();
    for (const p of [...this.peers]) {
      p.ws.close(1001, 'server shutdown');
      this.drop(p, 'server-shutdown');
    }
    this.wss.close();
  }
}
