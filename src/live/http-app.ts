/**
 * HTTP routes of the live server: the page, /healthz, /metrics (Prometheus text), and the API
 * (GET /api/rooms, GET /api/presets, GET /api/rtp; POST /api/settings, /api/rtp/settings,
 * /api/rtp/record). Who may read: /healthz and the page's files, anyone who reaches the port;
 * /metrics and the GET API, token holders unless `publicRead` opens them (--public); the POST
 * API and the WebSocket, token holders always. A browser request from a foreign Origin is
 * refused on /metrics and the API. Bodies are limited in size; every refusal is counted by reason.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { JitterlabError } from '../core/errors.ts';
import { tokenMatches, tokenOf, type OriginPolicy } from './access.ts';
import type { LiveCatalog, SettingsPatch } from './catalog.ts';
import type { LiveMetrics } from './live-metrics.ts';
import type { CounterSnapshot } from './prometheus.ts';
import type { RoomRouter } from './room-router.ts';
import type { WebBundle } from './web-bundle.ts';

/** What answers without the token: nothing more, /metrics, or /metrics and the GET API. */
export type PublicRead = 'none' | 'metrics' | 'read';

export interface RtpControl {
  /** Running streams (the first `limit`), then recently ended ones; `total` counts all. */
  streams(limit: number | null): Promise<{ streams: unknown[]; total: number }>;
  /** New settings for RTP streams (one SSRC, or all and the ones to come). */
  settings(ssrc: number | null, patch: SettingsPatch): { applied: number; settings: unknown } | { error: string };
  /** Start or stop recording a running stream. */
  record(ssrc: number, on: boolean): Promise<{ ok: true; dir: string; files?: string[] } | { error: string; status: number }>;
}

export interface HttpAppOptions {
  token: string;
  publicRead: PublicRead;
  origins: OriginPolicy;
  hub: RoomRouter;
  catalog: LiveCatalog;
  metrics: LiveMetrics;
  /** The leg engines' counters (other threads), added to this thread's on /metrics. */
  engineCounters(): Promise<CounterSnapshot[]>;
  bundle: WebBundle;
  maxBodyBytes: number;
  uptimeMs(): number;
  /** Leg engines whose thread runs, of all: /healthz fails (503) when none does. */
  engines(): { running: number; total: number };
  rtp: RtpControl | null;
}

const patchFields = {
  preset: z.string().max(200).optional(),
  buffer: z.string().max(100).nullable().optional(),
  lossPct: z.number().finite().min(0).max(100).nullable().optional(),
  jitterMs: z.number().finite().min(0).max(2000).nullable().optional(),
};
const SettingsBody = z.strictObject({ room: z.string().max(64), member: z.number().int().positive().nullable().default(null), ...patchFields });
const RtpSettingsBody = z.strictObject({ ssrc: z.number().int().min(0).max(0xffffffff).nullable().default(null), ...patchFields });
const RtpRecordBody = z.strictObject({ ssrc: z.number().int().min(0).max(0xffffffff), on: z.boolean() });

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

  /** A JSON body checked against `schema`, or null after a refusal was sent. */
  const body = async <T>(req: IncomingMessage, res: ServerResponse, schema: z.ZodType<T>): Promise<T | null> => {
    let text: string;
    try {
      text = await readBody(req, o.maxBodyBytes);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        refuse(res, 413, 'size', `body over ${o.maxBodyBytes} bytes`);
        return null;
      }
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      refuse(res, 400, 'bad-request', 'body is not JSON');
      return null;
    }
    const b = schema.safeParse(raw);
    if (!b.success) {
      refuse(res, 400, 'bad-request', `${b.error.issues[0].path.join('.')}: ${b.error.issues[0].message}`);
      return null;
    }
    return b.data;
  };

  /** Origin and token checks; false after a refusal was sent. */
  const allowed = (req: IncomingMessage, res: ServerResponse, url: URL, open: boolean): boolean => {
    if (!o.origins.allows(req.headers.origin)) {
      refuse(res, 403, 'origin', 'origin not allowed');
      return false;
    }
    if (!open && !tokenMatches(o.token, tokenOf(req, url))) {
      refuse(res, 401, 'token', 'missing or wrong token');
      return false;
    }
    return true;
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!allowed(req, res, url, req.method === 'GET' && o.publicRead === 'read')) return;
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /api/rooms':
        return json(res, 200, { rooms: await o.hub.roomInfo() });
      case 'GET /api/presets':
        return json(res, 200, { presets: o.catalog.presetNames(), buffers: o.catalog.bufferTypes(), default: o.catalog.defaultPreset });
      case 'GET /api/rtp': {
        // ?limit=N: the first N (running streams come first).
        const limit = Number(url.searchParams.get('limit') ?? Number.POSITIVE_INFINITY);
        return json(res, 200, o.rtp ? await o.rtp.streams(Number.isInteger(limit) && limit >= 0 ? limit : null) : { streams: [], total: 0 });
      }
      case 'POST /api/settings': {
        const b = await body(req, res, SettingsBody);
        if (!b) return;
        const { room, member, ...patch } = b;
        const r = await o.hub.applyToRoom(room, member, patch);
        if ('error' in r) return refuse(res, 404, 'bad-request', r.error);
        return json(res, 200, r);
      }
      case 'POST /api/rtp/settings': {
        const b = await body(req, res, RtpSettingsBody);
        if (!b) return;
        if (!o.rtp) return refuse(res, 404, 'bad-request', 'no RTP ingress (--no-rtp)');
        const { ssrc, ...patch } = b;
        const r = o.rtp.settings(ssrc, patch);
        if ('error' in r) return refuse(res, 404, 'bad-request', r.error);
        return json(res, 200, r);
      }
      case 'POST /api/rtp/record': {
        const b = await body(req, res, RtpRecordBody);
        if (!b) return;
        if (!o.rtp) return refuse(res, 404, 'bad-request', 'no RTP ingress (--no-rtp)');
        const r = await o.rtp.record(b.ssrc, b.on);
        if ('error' in r) return refuse(res, r.status, 'bad-request', r.error);
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
        // No Referer from the page: its first address may still carry the token.
        return send(res, 200, 'text/html; charset=utf-8', o.bundle.html, { 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer' });
      case '/app.js':
        return send(res, 200, 'text/javascript; charset=utf-8', o.bundle.appJs);
      case '/worklet.js':
        return send(res, 200, 'text/javascript; charset=utf-8', o.bundle.workletJs);
      case '/healthz': {
        // No engine left to run a leg: a load balancer or supervisor should take this instance out (or restart it).
        const engines = o.engines();
        const up = engines.running > 0;
        return json(res, up ? 200 : 503, { status: up ? 'ok' : 'no-leg-engine', uptimeS: Math.round(o.uptimeMs() / 100) / 10, rooms: o.hub.roomSizes().length, legs: o.hub.legCount(), engines });
      }
      case '/metrics':
        if (!allowed(req, res, url, o.publicRead !== 'none')) return;
        return done(o.engineCounters().then((engines) => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', m.render(engines))));
      default:
        m.rejected.inc({ reason: 'not-found' });
        return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    }
  };
}
