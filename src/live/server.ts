/**
 * `jitterlab serve`: the live server. One process, one timer wheel (every playout tick, channel
 * delivery, RTCP report, heartbeat and stats push), one HTTP server (page, health, metrics,
 * API, WebSocket upgrades) and optionally the UDP RTP ingress. The limits (members per room,
 * connections, RTP streams, recordings) are options with the defaults below.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { OpusFrameDecoder } from '../codec/opus-decoder.ts';
import { OpusFrameEncoder } from '../codec/opus-encoder.ts';
import type { CodecConfig } from '../codec/config.ts';
import { RealClock } from '../core/clock.ts';
import { IoError } from '../core/errors.ts';
import { SeedTree } from '../core/rng.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';
import { OriginPolicy } from './access.ts';
import { LiveCatalog } from './catalog.ts';
import { createRequestHandler, type PublicRead } from './http-app.ts';
import { LatenessRecorder } from './lateness.ts';
import { LiveMetrics } from './live-metrics.ts';
import type { MemberInfo } from './protocol.ts';
import { RoomHub } from './room-hub.ts';
import { RedisRooms } from './redis/redis-rooms.ts';
import { RtpIngress } from './rtp-ingress.ts';
import { RtpStreamControl } from './rtp-control.ts';
import { DEFAULT_RECORDING_LIMITS, RecordingQuota, type RecordingLimits } from './recording-quota.ts';
import type { RtpStream } from './rtp-stream.ts';
import { ssrcHex } from './rtp-stream.ts';
import { TimerWheel } from './timer-wheel.ts';
import { buildWebBundle } from './web-bundle.ts';
import { WsGateway } from './ws-gateway.ts';

export interface LiveServerOptions {
  token: string;
  host?: string;
  /** HTTP port; 0 = any free port. */
  port?: number;
  /** UDP RTP port (RTCP on port + 1); 0 = any free port; null = no RTP ingress. */
  rtpPort?: number | null;
  forward?: { host: string; port: number } | null;
  allowOrigins?: string[];
  /** Default preset (also offered when outside the scenarios folder). */
  scenarioFile?: string | null;
  scenariosDir?: string;
  /** Recordings go to <reportsDir>/<session>/. */
  reportsDir?: string;
  maxMessageBytes?: number;
  maxBodyBytes?: number;
  /** Bytes a WebSocket peer may leave unread before it is dropped (default 512 KiB, ~5 s of audio). */
  sendQueueLimitBytes?: number;
  heartbeatMs?: number;
  statsIntervalMs?: number;
  /** An RTP stream without packets for this long ends (default 3000). */
  rtpIdleMs?: number;
  /** RTP streams at once (default 64); one sender address may hold a quarter of them. */
  maxRtpStreams?: number;
  maxRtpStreamsPerSource?: number;
  /** Members per room (default 8) and WebSocket connections (default 32). */
  maxRoomMembers?: number;
  maxConnections?: number;
  recordingLimits?: Partial<RecordingLimits>;
  /** Record every RTP stream from its first packet. */
  recordRtp?: boolean;
  /** What answers without the token besides /healthz and the page (default 'none'). */
  publicRead?: PublicRead;
  sessionName?: (room: string, member: MemberInfo) => string;
  /** Recording folder of an RTP stream (default rtp-<ssrc>-<instance>-<n>). */
  rtpSessionName?: (ssrc: number) => string;
  onRtpAudio?: (ssrc: number, pcm: Int16Array, dueMs: number) => void;
  /** Lines for the terminal: RTP streams starting and ending, recordings saved. */
  log?: (line: string) => void;
  /** Share rooms with other instances through this Redis (redis://host:port[/db]); null: alone. */
  redis?: { url: string; heartbeatMs?: number; ttlMs?: number } | null;
}

export interface LiveServer {
  url: string;
  port: number;
  rtpPort: number | null;
  rtcpPort: number | null;
  metrics: LiveMetrics;
  hub: RoomHub;
  ingress: RtpIngress | null;
  catalog: LiveCatalog;
  clock: TimerWheel;
  lateness: LatenessRecorder;
  rtp: RtpStreamControl;
  /** The rooms shared through Redis, when --redis is given. */
  redis: RedisRooms | null;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(new IoError(`http://${host}:${port}`, `cannot listen: ${e.message}`));
    server.once('error', onErr);
    server.listen(port, host, () => {
      server.off('error', onErr);
      resolve();
    });
  });
}

/**
 * The first Opus encoder and decoder of a process load their native libraries (a few hundred ms
 * here): done at start, not inside the first stream's packet handler, where it would stall every
 * other stream and /healthz.
 */
function warmUpCodecs(codec: CodecConfig): void {
  new OpusFrameEncoder(codec).encode(new Int16Array((codec.sampleRate * codec.frameMs) / 1000));
  new OpusFrameDecoder(48000, 960).destroy();
}

export async function startLiveServer(o: LiveServerOptions): Promise<LiveServer> {
  const host = o.host ?? '127.0.0.1';
  const real = new RealClock();
  const clock = new TimerWheel(real);
  const lateness = new LatenessRecorder();
  clock.lateness = lateness;
  const metrics = new LiveMetrics();
  clock.onError = (e) => {
    metrics.internalErrors.inc();
    process.stderr.write(`jitterlab serve: ${(e as Error).message ?? String(e)}\n`);
  };
  const catalog = await LiveCatalog.load(o.scenariosDir ?? join(PROJECT_ROOT, 'scenarios'), o.scenarioFile ?? null);
  const bundle = await buildWebBundle();
  const instance = randomBytes(3).toString('hex');
  let sessions = 0;
  const log = o.log ?? (() => undefined);
  // Before anything listens: a Redis that is not there is one error line, not a half-started server.
  const redis = o.redis ? await RedisRooms.start({ ...o.redis, clock, registry: metrics.registry, maxMembersPerRoom: o.maxRoomMembers ?? 8, describe: `${host}:${o.port ?? 8080} ${instance}`, log }) : null;
  const reportsDir = o.reportsDir ?? join(PROJECT_ROOT, 'reports', 'live');
  const recordingQuota = new RecordingQuota({ ...DEFAULT_RECORDING_LIMITS, ...(o.recordingLimits ?? {}) });
  const hub = new RoomHub({
    clock,
    catalog,
    metrics,
    reportsDir,
    sessionName: o.sessionName ?? ((room, m) => `${room}-${m.name}-${instance}-${++sessions}`),
    statsIntervalMs: o.statsIntervalMs ?? 500,
    emodel: true,
    maxMembersPerRoom: o.maxRoomMembers ?? 8,
    recordingQuota,
    log,
    ...(redis ? { link: redis } : {}),
  });
  redis?.attach(hub);
  const rtpSessionName = o.rtpSessionName ?? ((ssrc: number) => `rtp-${ssrcHex(ssrc).slice(2)}-${instance}-${++sessions}`);
  const rtp = new RtpStreamControl({
    catalog,
    clock,
    metrics,
    quota: recordingQuota,
    reportsDir,
    sessionName: (s: RtpStream) => rtpSessionName(s.ssrc),
    recordAll: o.recordRtp ?? false,
    log,
  });
  const defaultCfg = rtp.config();
  warmUpCodecs(defaultCfg.codec);
  let ingress: RtpIngress | null = null;
  const http = createServer();
  try {
    if (o.rtpPort !== null && o.rtpPort !== undefined) {
      ingress = await RtpIngress.start({
        host,
        port: o.rtpPort,
        clock,
        metrics,
        legConfig: () => rtp.config(),
        forward: o.forward ?? null,
        idleMs: o.rtpIdleMs ?? 3000,
        maxStreams: o.maxRtpStreams ?? 64,
        maxStreamsPerSource: o.maxRtpStreamsPerSource,
        rtcpSsrc: new SeedTree(defaultCfg.seed).stream('live.rtcp').nextUint32(),
        onAudio: o.onRtpAudio,
        log,
        autoRecord: (s) => rtp.autoRecord(s),
        onRecordingSaved: (s, r) => rtp.saved(s, r),
      });
      rtp.ingress = ingress;
    }
    await listen(http, o.port ?? 8080, host);
  } catch (e) {
    hub.close();
    await redis?.close();
    clock.stop();
    await ingress?.close();
    throw e;
  }
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : (o.port ?? 8080);
  const origins = new OriginPolicy([...OriginPolicy.defaults(host, port), ...(o.allowOrigins ?? [])]);
  const gateway = new WsGateway({
    token: o.token,
    origins,
    hub,
    metrics,
    clock,
    maxMessageBytes: o.maxMessageBytes ?? 64 * 1024,
    sendQueueLimitBytes: o.sendQueueLimitBytes ?? 512 * 1024,
    heartbeatMs: o.heartbeatMs ?? 10_000,
    maxConnections: o.maxConnections ?? 32,
  });
  const ing = ingress;
  metrics.bindGauges({
    rooms: () => hub.roomSizes(),
    streams: () => ({ ws: hub.legCount(), rtp: ing?.streamCount ?? 0 }),
    connections: () => gateway.connections,
    lateness,
  });
  http.on('request', createRequestHandler({
    token: o.token,
    publicRead: o.publicRead ?? 'none',
    origins,
    hub,
    catalog,
    metrics,
    bundle,
    maxBodyBytes: o.maxBodyBytes ?? 16 * 1024,
    uptimeMs: () => real.now(),
    rtp: ing ? rtp : null,
  }));
  http.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed = false;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    rtpPort: ingress?.port ?? null,
    rtcpPort: ingress?.rtcpPort ?? null,
    metrics,
    hub,
    ingress,
    catalog,
    clock,
    lateness,
    rtp,
    redis,
    close: async () => {
      if (closed) return;
      closed = true;
      gateway.close();
      hub.close();
      await redis?.close();
      await ingress?.close();
      clock.stop();
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
    },
  };
}
