/**
 * `jitterlab serve`: the live server. The main thread holds the sockets: one HTTP server (page,
 * health, metrics, API, WebSocket upgrades) and optionally the UDP RTP ingress, validation, and a
 * timer wheel for heartbeats and idle checks. The legs (channels, jitter buffers, decoding,
 * concealment, playout ticks, RTCP reports, recordings) run on leg engines, one per worker thread
 * (engine.ts, engine-pool.ts), so they use every core and never hold up /healthz or the sockets.
 * With --redis, the link to the other instances (redis/redis-rooms.ts) is on the main thread too,
 * beside the room router, which passes remote speakers to the engine that runs their room.
 * The limits (members per room, connections, RTP streams, recordings) are options with the
 * defaults below.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { opusAddonPath } from '../codec/opus-native.ts';
import { RealClock } from '../core/clock.ts';
import { IoError } from '../core/errors.ts';
import { SeedTree } from '../core/rng.ts';
import { PROJECT_ROOT } from '../scenario/load.ts';
import { OriginPolicy } from './access.ts';
import { LiveCatalog } from './catalog.ts';
import { liveEngineBundle } from './engine-bundle.ts';
import { EnginePool } from './engine-pool.ts';
import { createRequestHandler, type PublicRead } from './http-app.ts';
import { LatenessRecorder } from './lateness.ts';
import { LiveMetrics } from './live-metrics.ts';
import type { MemberInfo } from './protocol.ts';
import { RoomRouter } from './room-router.ts';
import { RedisRooms } from './redis/redis-rooms.ts';
import { RtpIngress } from './rtp-ingress.ts';
import { RtpStreamControl } from './rtp-control.ts';
import { DEFAULT_RECORDING_LIMITS, RecordingQuota, type RecordingLimits } from './recording-quota.ts';
import { ssrcHex } from './rtp-stream.ts';
import { TimerWheel } from './timer-wheel.ts';
import { buildWebBundle } from './web-bundle.ts';
import { WsGateway } from './ws-gateway.ts';
import { defaultWorkers } from './worker-count.ts';

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
  /** Worker threads running the legs (default: one per core, at most 8); 0 = on the main thread. */
  workers?: number;
  /** Share rooms with other instances through this Redis (redis://host:port[/db]); null: alone. */
  redis?: { url: string; heartbeatMs?: number; ttlMs?: number } | null;
}

export interface LiveServer {
  url: string;
  port: number;
  rtpPort: number | null;
  rtcpPort: number | null;
  metrics: LiveMetrics;
  hub: RoomRouter;
  ingress: RtpIngress | null;
  catalog: LiveCatalog;
  /** The main thread's wheel (heartbeats, idle checks); the legs run on the engines' own. */
  clock: TimerWheel;
  /** Playout-tick lateness of every engine. */
  lateness: LatenessRecorder;
  rtp: RtpStreamControl;
  engines: EnginePool;
  /** The rooms shared through Redis (on the main thread, next to the router), when --redis is given. */
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

/** The libopus addon's path, found once here for every engine (node-pre-gyp's lookup costs each thread 0.1-0.4 s), or null. */
function knownOpusAddon(): string | null {
  try {
    return opusAddonPath();
  } catch {
    return null;
  }
}

export async function startLiveServer(o: LiveServerOptions): Promise<LiveServer> {
  const host = o.host ?? '127.0.0.1';
  const real = new RealClock();
  const clock = new TimerWheel(real);
  const lateness = new LatenessRecorder();
  const metrics = new LiveMetrics();
  clock.onError = (e) => {
    metrics.internalErrors.inc();
    process.stderr.write(`jitterlab serve: ${(e as Error).message ?? String(e)}\n`);
  };
  const scenariosDir = o.scenariosDir ?? join(PROJECT_ROOT, 'scenarios');
  const catalog = await LiveCatalog.load(scenariosDir, o.scenarioFile ?? null);
  const workers = o.workers ?? defaultWorkers();
  const [bundle, engineBundle] = await Promise.all([buildWebBundle(), workers > 0 ? liveEngineBundle() : Promise.resolve(null)]);
  const instance = randomBytes(3).toString('hex');
  let sessions = 0;
  const log = o.log ?? (() => undefined);
  // Before anything starts: a Redis that is not there is one error line, not a half-started server.
  const redis = o.redis ? await RedisRooms.start({ ...o.redis, clock, registry: metrics.registry, maxMembersPerRoom: o.maxRoomMembers ?? 8, describe: `${host}:${o.port ?? 8080} ${instance}`, log }) : null;
  const reportsDir = o.reportsDir ?? join(PROJECT_ROOT, 'reports', 'live');
  const recordingQuota = new RecordingQuota({ ...DEFAULT_RECORDING_LIMITS, ...(o.recordingLimits ?? {}) });
  const rtpSessionName = o.rtpSessionName ?? ((ssrc: number) => `rtp-${ssrcHex(ssrc).slice(2)}-${instance}-${++sessions}`);
  const rtp = new RtpStreamControl({ catalog, sessionName: rtpSessionName, recordAll: o.recordRtp ?? false });
  const defaultCfg = rtp.config();
  let ingress: RtpIngress | null = null;
  let hub: RoomRouter | null = null;
  const engines = await EnginePool.start({
    workers,
    bundle: engineBundle,
    tsx: catalog.namesTypeScriptModule(),
    lateness,
    init: {
      scenariosDir,
      scenarioFile: o.scenarioFile ?? null,
      originMonotonicMs: real.originMonotonicMs,
      quota: { limits: recordingQuota.limits, shared: recordingQuota.shared },
      reportsDir,
      statsIntervalMs: o.statsIntervalMs ?? 500,
      emodel: true,
      forward: o.forward ?? null,
      rtcpSsrc: new SeedTree(defaultCfg.seed).stream('live.rtcp').nextUint32(),
      rtpAudio: o.onRtpAudio !== undefined,
      opusAddon: knownOpusAddon(),
      shareRooms: redis !== null,
    },
    onMessage: (engine, m) => {
      if (m.k === 'log') log(m.line);
      else if (m.k === 'send' || m.k === 'close' || m.k === 'speaker' || m.k === 'spoke') hub?.fromEngine(m);
      else ingress?.fromEngine(engine, m);
    },
    onFailure: (engine, message) => {
      metrics.internalErrors.inc();
      process.stderr.write(`jitterlab serve: leg engine ${engine.index} failed: ${message}\n`);
      hub?.engineFailed(engine);
      ingress?.engineFailed(engine);
    },
    onRestart: (index, engine, why) => {
      process.stderr.write(`jitterlab serve: leg engine ${index} ${engine ? 'started again' : `stays down: ${why}`}\n`);
    },
  });
  const rooms = new RoomRouter({
    engines,
    maxMembersPerRoom: o.maxRoomMembers ?? 8,
    sessionName: o.sessionName ?? ((room, m) => `${room}-${m.name}-${instance}-${++sessions}`),
    metrics,
    ...(redis ? { link: redis } : {}),
  });
  redis?.attach(rooms);
  hub = rooms;
  const http = createServer();
  try {
    if (o.rtpPort !== null && o.rtpPort !== undefined) {
      ingress = await RtpIngress.start({
        host,
        port: o.rtpPort,
        clock,
        metrics,
        engines,
        streamSettings: () => rtp.streamSettings(),
        forward: o.forward ?? null,
        idleMs: o.rtpIdleMs ?? 3000,
        maxStreams: o.maxRtpStreams ?? 64,
        maxStreamsPerSource: o.maxRtpStreamsPerSource,
        onAudio: o.onRtpAudio,
        log,
        autoRecord: (ssrc) => rtp.autoRecord(ssrc),
      });
      rtp.ingress = ingress;
    }
    await listen(http, o.port ?? 8080, host);
  } catch (e) {
    rooms.close();
    await redis?.close();
    await ingress?.close();
    await engines.close();
    clock.stop();
    throw e;
  }
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : (o.port ?? 8080);
  const origins = new OriginPolicy([...OriginPolicy.defaults(host, port), ...(o.allowOrigins ?? [])]);
  const gateway = new WsGateway({
    token: o.token,
    origins,
    hub: rooms,
    metrics,
    clock,
    maxMessageBytes: o.maxMessageBytes ?? 64 * 1024,
    sendQueueLimitBytes: o.sendQueueLimitBytes ?? 512 * 1024,
    heartbeatMs: o.heartbeatMs ?? 10_000,
    maxConnections: o.maxConnections ?? 32,
  });
  const ing = ingress;
  metrics.bindGauges({
    rooms: () => rooms.roomSizes(),
    streams: () => ({ ws: rooms.legCount(), rtp: ing?.streamCount ?? 0 }),
    connections: () => gateway.connections,
    lateness,
  });
  http.on('request', createRequestHandler({
    token: o.token,
    publicRead: o.publicRead ?? 'none',
    origins,
    hub: rooms,
    catalog,
    metrics,
    engineCounters: () => engines.counters(),
    bundle,
    maxBodyBytes: o.maxBodyBytes ?? 16 * 1024,
    uptimeMs: () => real.now(),
    engines: () => ({ running: engines.running, total: engines.engines.length }),
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
    hub: rooms,
    ingress,
    catalog,
    clock,
    lateness,
    rtp,
    engines,
    redis,
    close: async () => {
      if (closed) return;
      closed = true;
      gateway.close();
      rooms.close();
      await redis?.close();
      await ingress?.close();
      // The engines end every stream and save every recording before they stop.
      await engines.close();
      clock.stop();
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
    },
  };
}
