/**
 * The Redis a queued sweep runs through (`--queue redis://host:port[/db]`): the URL checked up
 * front (a wrong URL is a usage error, exit 2), and a connection that is known to answer before
 * anything is queued (an unreachable server is one line, exit 1, not a hang). After that the
 * client reconnects on its own; the planner and the workers decide how long an outage may last.
 */
import { Redis } from 'ioredis';
import { JitterlabError } from '../core/errors.ts';
import { checkRedisUrl, redactRedisUrl } from '../core/redis-url.ts';

const CONNECT_TIMEOUT_MS = 5000;
/** How often a lost connection is tried again. */
const RECONNECT_MS = 250;

/** The URL as given, checked: redis:// or rediss://, a host, an optional port and database number. */
export function parseQueueUrl(url: string): string {
  checkRedisUrl(url, '--queue');
  return url;
}

/** The URL without its password, for messages. */
export const shownUrl = redactRedisUrl;

/** The reason of a failed Redis call, in one line. */
export function redisReason(e: unknown): string {
  const x = e as { code?: string; message?: string };
  return (x.message ?? String(e)).split('\n')[0];
}

/**
 * A client connected to `url` that has answered a PING; reconnects every 250 ms when the
 * connection is lost. `blocking`: for BullMQ workers (their commands wait for a reconnection
 * instead of failing).
 */
export async function connectRedis(url: string, o: { blocking?: boolean } = {}): Promise<Redis> {
  parseQueueUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: o.blocking ? null : 1,
    retryStrategy: () => RECONNECT_MS,
  });
  // Errors surface as failed commands, handled by their callers; an unhandled 'error' event would
  // end the process. The first one says why a connection failed (connect() itself only says it closed).
  let why: unknown = null;
  client.on('error', (e) => (why ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new JitterlabError('io', `cannot reach Redis at ${shownUrl(url)}: ${redisReason(why ?? e)}`);
  }
  return client;
}
