/**
 * Access control of the live server: a shared token (compared in constant time) on the
 * WebSocket upgrade and the HTTP API, and an Origin allow-list. Requests without an Origin
 * header come from non-browser clients (curl, tests, Prometheus) and are judged on the token
 * alone; a browser always sends Origin on WebSocket upgrades and cross-origin requests, so a
 * foreign page cannot use a visitor's browser against the server (cross-site WebSocket hijacking).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WS_TOKEN_PREFIX } from './protocol.ts';

export { WS_PROTOCOL, wsTokenProtocol } from './protocol.ts';

export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  // Equal-length digests: timingSafeEqual needs equal lengths and must not leak the token's.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}


/**
 * The token of a request: `Authorization: Bearer <t>`; else, on a WebSocket upgrade, a
 * `jitterlab-token.<hex>` subprotocol (a browser cannot set headers on a WebSocket, and the
 * token then stays out of every URL); else the `token` query parameter (curl, scripts).
 */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(h.trim());
    if (m) return m[1];
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const v = p.trim();
      if (v.startsWith(WS_TOKEN_PREFIX) && /^[0-9a-f]*$/i.test(v.slice(WS_TOKEN_PREFIX.length))) return Buffer.from(v.slice(WS_TOKEN_PREFIX.length), 'hex').toString('utf8');
    }
  }
  return url.searchParams.get('token');
}

export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly any: boolean;

  constructor(origins: readonly string[]) {
    this.any = origins.includes('*');
    this.allowed = new Set(origins.filter((o) => o !== '*').map((o) => o.replace(/\/+$/, '').toLowerCase()));
  }

  /** The server's own origins for a bind address and port. */
  static defaults(host: string, port: number): string[] {
    const hosts = new Set([host, 'localhost', '127.0.0.1', '[::1]']);
    return [...hosts].map((h) => `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}`);
  }

  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    return this.any || this.allowed.has(origin.toLowerCase());
  }

  list(): string[] {
    return this.any ? ['*'] : [...this.allowed];
  }
}
