import { randomBytes } from 'node:crypto';
import type { CommandModule } from 'yargs';
import { UsageError } from '../core/errors.ts';
import { MAX_DEFAULT_WORKERS } from '../live/worker-count.ts';
import { MAX_RECORDING_MB } from '../live/recording-quota.ts';
import { checkRedisUrl } from '../core/redis-url.ts';
import { DEFAULT_REDIS_HEARTBEAT_MS, DEFAULT_REDIS_TTL_MS } from '../live/redis/presence-timing.ts';
import type { PublicRead } from '../live/http-app.ts';

interface ServeArgs {
  scenario?: string;
  port: number;
  host: string;
  'rtp-port': number;
  rtp: boolean;
  forward?: string;
  token?: string;
  'allow-origin'?: string[];
  public: PublicRead;
  'max-room-members': number;
  'max-connections': number;
  'max-rtp-streams': number;
  'rtp-idle': number;
  'record-rtp': boolean;
  'max-recordings': number;
  'max-active-recordings': number;
  'max-recording-mb': number;
  'recording-budget-mb': number;
  workers?: number;
  redis?: string;
}

function checkCount(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${v}`);
}

function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new UsageError(`--forward must be host:port, got '${s}'`);
  return { host: m[1], port };
}

function checkPort(name: string, p: number, allowZero: boolean): void {
  if (!Number.isInteger(p) || p < (allowZero ? 0 : 1) || p > 65535) throw new UsageError(`--${name} must be a port number, got ${p}`);
}

/** Wall-clock session names for recordings: <room>-<name>-<yyyymmdd-hhmmss>[-n]. */
function wallClockSessionNames(): (room: string, m: { id: number; name: string }) => string {
  const used = new Set<string>();
  return (room, m) => {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    const base = `${room}-${m.name}-${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
    used.add(name);
    return name;
  };
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Live server: talk through a simulated network in the browser, and an RTP impairment proxy on UDP',
  builder: (y) =>
    y
      .option('scenario', { type: 'string', describe: 'default preset (scenario file); the page also offers scenarios/*.yaml' })
      .option('port', { type: 'number', default: 8080, describe: 'HTTP/WebSocket port' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind (HTTP and RTP)' })
      .option('rtp-port', { type: 'number', default: 5004, describe: 'UDP port for RTP/Opus in (RTCP on port + 1)' })
      .option('rtp', { type: 'boolean', default: true, describe: 'run the RTP ingress (--no-rtp to disable)' })
      .option('forward', { type: 'string', describe: 'forward impaired RTP to host:port (RTCP to port + 1)' })
      .option('token', { type: 'string', describe: 'shared access token (default: $JITTERLAB_TOKEN, else a random one is printed)' })
      .option('allow-origin', { type: 'string', array: true, describe: "extra allowed browser Origin(s), e.g. https://lab.example:8443, or '*'" })
      .option('public', {
        choices: ['none', 'metrics', 'read'] as const,
        default: 'none' as const,
        describe: 'what answers without the token besides /healthz and the page: none, /metrics, or /metrics and GET /api/*',
      })
      .option('max-room-members', { type: 'number', default: 8, describe: 'members a room may hold (listening paths grow as N x (N - 1))' })
      .option('max-connections', { type: 'number', default: 32, describe: 'WebSocket connections at once' })
      .option('max-rtp-streams', { type: 'number', default: 64, describe: 'RTP streams at once (one sender address may hold a quarter of them)' })
      .option('rtp-idle', { type: 'number', default: 3, describe: 'seconds without packets after which an RTP stream ends' })
      .option('record-rtp', { type: 'boolean', default: false, describe: 'record every RTP stream from its first packet' })
      .option('max-recordings', { type: 'number', default: 100, describe: 'recordings this run may start' })
      .option('max-active-recordings', { type: 'number', default: 4, describe: 'recordings running at once' })
      .option('max-recording-mb', { type: 'number', default: 2048, describe: `audio one recording may write; it stops and is saved there (at most ${MAX_RECORDING_MB})` })
      .option('recording-budget-mb', { type: 'number', default: 8192, describe: 'audio all recordings of this run may write' })
      .option('workers', { type: 'number', describe: `worker threads running the legs (default: one per core, at most ${MAX_DEFAULT_WORKERS}; 0 = on the main thread)` })
      .option('redis', { type: 'string', describe: 'share rooms with other instances through this Redis: redis://host:port[/db]' })
      .check((a) => {
        checkPort('port', a.port, true);
        checkPort('rtp-port', a['rtp-port'], true);
        checkCount('max-room-members', a['max-room-members'], 1, 64);
        checkCount('max-connections', a['max-connections'], 1, 10_000);
        checkCount('max-rtp-streams', a['max-rtp-streams'], 1, 4096);
        checkCount('max-recordings', a['max-recordings'], 0, 1_000_000);
        checkCount('max-active-recordings', a['max-active-recordings'], 0, 1000);
        checkCount('max-recording-mb', a['max-recording-mb'], 1, MAX_RECORDING_MB);
        checkCount('recording-budget-mb', a['recording-budget-mb'], 1, 100_000_000);
        if (a.workers !== undefined) checkCount('workers', a.workers, 0, 64);
        if (!(a['rtp-idle'] >= 0.2 && a['rtp-idle'] <= 600)) throw new UsageError(`--rtp-idle must be 0.2 to 600 seconds, got ${a['rtp-idle']}`);
        if (a.forward !== undefined) parseHostPort(a.forward);
        if (a.redis !== undefined) checkRedisUrl(a.redis, '--redis');
        if (a.token !== undefined && a.token.length < 8) throw new UsageError('--token must be at least 8 characters');
        return true;
      }) as never,
  handler: async (args) => {
    const envToken = process.env.JITTERLAB_TOKEN;
    const token = args.token ?? (envToken && envToken.length > 0 ? envToken : randomBytes(18).toString('base64url'));
    const names = wallClockSessionNames();
    // The live server's modules (ws, ioredis, the engines) load with this command only.
    const { startLiveServer } = await import('../live/server.ts');
    const server = await startLiveServer({
      token,
      host: args.host,
      port: args.port,
      rtpPort: args.rtp ? args['rtp-port'] : null,
      forward: args.forward ? parseHostPort(args.forward) : null,
      allowOrigins: args['allow-origin'] ?? [],
      scenarioFile: args.scenario ?? null,
      sessionName: names,
      rtpSessionName: (ssrc) => names('rtp', { id: 0, name: ssrc.toString(16).padStart(8, '0') }),
      publicRead: args.public,
      maxRoomMembers: args['max-room-members'],
      maxConnections: args['max-connections'],
      maxRtpStreams: args['max-rtp-streams'],
      rtpIdleMs: args['rtp-idle'] * 1000,
      recordRtp: args['record-rtp'],
      recordingLimits: {
        maxPerRun: args['max-recordings'],
        maxActive: args['max-active-recordings'],
        maxBytes: args['max-recording-mb'] * 2 ** 20,
        budgetBytes: args['recording-budget-mb'] * 2 ** 20,
      },
      log: (line) => process.stdout.write(`${line}\n`),
      workers: args.workers,
      redis: args.redis ? { url: args.redis } : null,
    });
    for (const s of server.catalog.skipped) process.stderr.write(`jitterlab serve: preset skipped: ${s}\n`);
    const out = process.stdout;
    out.write(`jitterlab live server\n`);
    out.write(`  page:     ${server.url}/?token=${encodeURIComponent(token)}\n`);
    out.write(`  presets:  ${server.catalog.presetNames().join(', ')} (default ${server.catalog.defaultPreset})\n`);
    out.write(`  buffers:  ${server.catalog.bufferTypes().join(', ')}\n`);
    const engines = server.engines.engines;
    out.write(`  legs:     ${engines[0].thread === 'main' ? 'on the main thread (--workers 0)' : `${engines.length} worker thread${engines.length > 1 ? 's' : ''} (--workers)`}\n`);
    out.write(`  limits:   ${args['max-room-members']} members per room, ${args['max-connections']} connections; recordings ${args['max-active-recordings']} at once, ${args['max-recordings']} per run, ${args['max-recording-mb']} MB each, ${args['recording-budget-mb']} MB in all\n`);
    const who = { none: 'token holders', metrics: 'anyone (--public metrics)', read: 'anyone (--public read)' }[args.public];
    out.write(`  health:   ${server.url}/healthz   metrics: ${server.url}/metrics (${who}; GET /api/*: ${args.public === 'read' ? 'anyone' : 'token holders'})\n`);
    if (server.redis) {
      const leaveS = (DEFAULT_REDIS_TTL_MS + DEFAULT_REDIS_HEARTBEAT_MS) / 1000;
      out.write(`  rooms:    shared through ${server.redis.url} (instance slot ${server.redis.slot}); members of an instance that stops answering leave within ${leaveS} s\n`);
    }
    if (server.rtpPort !== null) {
      out.write(`  RTP in:   udp://${args.host}:${server.rtpPort} (RTCP ${server.rtcpPort}), e.g.\n`);
      out.write(`            ffmpeg -re -i speech.wav -c:a libopus -f rtp rtp://${args.host}:${server.rtpPort}\n`);
      if (args.forward) out.write(`  forward:  impaired RTP to udp://${args.forward}\n`);
      out.write(`  streams:  at most ${args['max-rtp-streams']}; each ends after ${args['rtp-idle']} s without packets, on RTCP BYE or its final sender report${args['record-rtp'] ? '; every stream is recorded' : ''}\n`);
    }
    if (!['127.0.0.1', 'localhost', '::1'].includes(args.host) && !(args['allow-origin'] ?? []).length) {
      out.write(`  note:     browsers on other machines send their own Origin: add --allow-origin http://<this host's name>:${server.port}\n`);
    }
    out.write('Ctrl-C to stop.\n');
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        out.write('\nstopping (saving recordings)...\n');
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
