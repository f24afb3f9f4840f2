/**
 * HTTP routes of the live server: the page, /healthz, /metrics (Prometheus text), and the
 * token-guarded API (GET /api/rooms, GET /api/presets, GET /api/rtp, POST /api/settings).
 * Bodies are limited in size; every refusal is counted by reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { JitterlabError } from '../core/errors.ts';
import { tokenMatches, tokenOf, type OriginPolicy } from './access.ts';
import type { LiveCatalog } from './catalog.ts';
import type { LiveMetrics } from './live-metrics.ts';
import type { RoomHub } from './room-hub.ts';
import type { WebBundle } from './web-bundle.ts';

export interface HttpAppOptions {
  token: string;
  origins: OriginPolicy;
  hub: RoomHub;
  catalog: LiveCatalog;
  metrics: LiveMetrics;
  bundle: WebBundle;
  maxBodyBytes: number;
  uptimeMs(): number;
  rtpStreams(): unknown[];
}

const SettingsBody = z.strictObject({
  room: z.string().max(64),
  member: z.number().int().positive().nullable().default(null),
  preset: z.string().max(200).optional(),
  buffer: z.string().max(100).nullable().optional(),
  lossPct: z.number().finite().min(0).max(100).nullable().optional(),
  jitterMs: z.number().finite().min(0).max(2000).nullable().optional(),
});

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; media-src 'self'";

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

class BodyTooLarge extends JitterlabError {
  constructor() {
    super('io', 'request body too large');
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        req.destroy();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createRequestHandler(o: HttpAppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const m = o.metrics;
  const refuse = (res: ServerResponse, status: number, reason: string, message: string) => {
    m.rejected.inc({ reason });
    json(res, status, { error: message });
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!o.origins.allows(req.headers.origin)) return refuse(res, 403, 'origin', 'origin not allowed');
    if (!tokenMatches(o.token, tokenOf(req, url))) return refuse(res, 401, 'token', 'missing or wrong token');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /api/rooms':
        return json(res, 200, { rooms: o.hub.roomInfo() });
      case 'GET /api/presets':
        return json(res, 200, { presets: o.catalog.presetNames(), buffers: o.catalog.bufferTypes(), default: o.catalog.defaultPreset });
      case 'GET /api/rtp':
        return json(res, 200, { streams: o.rtpStreams() });
      case 'POST /api/settings': {
        let text: string;
        try {
          text = await readBody(req, o.maxBodyBytes);
        } catch (e) {
          if (e instanceof BodyTooLarge) return refuse(res, 413, 'size', `body over ${o.maxBodyBytes} bytes`);
          throw e;
        }
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          return refuse(res, 400, 'bad-request', 'body is not JSON');
        }
        const b = SettingsBody.safeParse(raw);
        if (!b.success) return refuse(res, 400, 'bad-request', `${b.error.issues[0].path.join('.')}: ${b.error.issues[0].message}`);
        const { room, member, ...patch } = b.data;
        const r = o.hub.applyToRoom(room, member, patch);
        if ('error' in r) return refuse(res, 404, 'bad-request', r.error);
        return json(res, 200, r);
      }
      default:
        return refuse(res, url.pathname.startsWith('/api/') && ['GET', 'POST'].includes(req.method ?? '') ? 404 : 405, 'route', `no route ${route}`);
    }
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const done = (p: Promise<void> | void) => {
      Promise.resolve(p).catch((e: Error) => {
        if (!res.headersSent) json(res, 500, { error: e.message });
        else res.destroy();
      });
    };
    if (url.pathname.startsWith('/api/')) return done(api(req, res, url));
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method', 'method not allowed');
    switch (url.pathname) {
      case '/':
      case '/index.html':
        return send(res, 200, 'text/html; charset=utf-8', o.bundle.html, { 'Content-Security-Policy': CSP });
      case '/app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', o.bundle.appJs);
      case '/worklet.js':
        return send(res, 200, 'text/javascript; charset=utf-8', o.bundle.workletJs);
      case '/healthz':
        return json(res, 200, { status: 'ok', uptimeS: Math.round(o.uptimeMs() / 100) / 10, rooms: o.hub.roomSizes().length, legs: o.hub.legCount() });
      case '/metrics':
        return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', m.render());
      default:
        m.rejected.inc({ reason: 'not-found' });
        return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    }
  };
}
