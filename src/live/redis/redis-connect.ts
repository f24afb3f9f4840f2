/**
 * `--redis redis://[user:password@]host[:port][/db]` (rediss:// for TLS): checking the URL, and the
 * start-up probe that turns an unreachable server, a wrong host or port, something that is not
 * Redis, a refused password or a bad database number into one line, before the server
 * starts. After the probe the long-lived connections retry on their own (redis-rooms.ts).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { IoError, UsageError } from '../../core/errors.ts';
import { checkRedisUrl as checkRedisUrlAs, redactRedisUrl } from '../../core/redis-url.ts';

export { redactRedisUrl };

/** A usage error unless `url` is a redis:// or rediss:// URL with a host and an optional database number. */
export function checkRedisUrl(url: string): void {
  checkRedisUrlAs(url, '--redis');
}

/** Options of every connection: fail commands at once while disconnected (media is not queued for later). */
export function liveRedisOptions(extra: RedisOptions = {}): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    commandTimeout: 3000,
    // Reconnect forever, at most every 2 s: a Redis restart is followed within seconds.
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
    ...extra,
  };
}

/** Connects once (no retries) and PINGs; an IoError that says what went wrong otherwise. */
export async function probeRedis(url: string, timeoutMs = 3000): Promise<void> {
  checkRedisUrl(url);
  const shown = redactRedisUrl(url);
  const r = new Redis(url, liveRedisOptions({ retryStrategy: () => null, connectTimeout: timeoutMs, commandTimeout: timeoutMs, reconnectOnError: () => false }));
  // connect() rejects with a bare "Connection is closed": the socket's own error says why.
  let cause: Error | null = null;
  r.on('error', (e: Error) => (cause ??= e));
  let timer: NodeJS.Timeout | undefined;
  // A server that accepts the connection and never answers: the whole probe has one deadline.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([
      (async () => {
        await r.connect();
        const pong = await r.ping();
        if (pong !== 'PONG') throw new Error(`answered PING with '${pong}'`);
      })(),
      deadline,
    ]);
  } catch (e) {
    throw new IoError(shown, `Redis is not reachable: ${oneLine(cause ?? (e as Error))}`);
  } finally {
    clearTimeout(timer);
    r.disconnect();
  }
}

/** Connects a long-lived client (it retries on its own afterwards); an IoError if the first attempt fails. */
export async function connectRedis(url: string, extra: RedisOptions = {}): Promise<Redis> {
  const r = new Redis(url, liveRedisOptions(extra));
  let cause: Error | null = null;
  r.on('error', (e: Error) => (cause ??= e));
  try {
    await r.connect();
  } catch (e) {
    r.disconnect();
    throw new IoError(redactRedisUrl(url), `Redis is not reachable: ${oneLine(cause ?? (e as Error))}`);
  }
  r.removeAllListeners('error');
  // Errors while serving show as a lost connection (redis-rooms.ts), not as an unhandled event.
  r.on('error', () => undefined);
  return r;
}

function oneLine(e: Error): string {
  const msg = (e.message || String(e)).replace(/\s+/g, ' ').trim();
  // ioredis's parser error asks to be reported; what it means here is a server that is not Redis.
  const proto = /^Protocol error, got (".*?") as reply type byte/.exec(msg);
  return proto ? `it does not answer in the Redis protocol (its reply starts with ${proto[1]})` : msg;
}
