import { UsageError } from './errors.ts';

/** A Redis URL as shown in messages and logs: its password replaced by ***, no trailing slash. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * A usage error unless `url` is redis:// or rediss:// with a host and an optional database
 * number: `[user:password@]host[:port][/db]`. One check and one message for every option that
 * takes a Redis URL (`option`: --queue, --redis); the message never shows the password.
 */
export function checkRedisUrl(url: string, option: string): void {
  const bad = (why: string): never => {
    throw new UsageError(`${option}: expected redis://host:port[/db], got "${redactRedisUrl(url)}" (${why})`);
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`scheme ${u.protocol.replace(/:$/, '')} is not redis`);
  if (u.hostname === '') bad('no host');
  if (!/^(\/\d{0,5})?$/.test(u.pathname)) bad(`database "${u.pathname.slice(1)}" is not a number`);
}
