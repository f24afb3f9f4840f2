/**
 * One call into a real browser, in real time: Chromium is started, answers a werift offer over
 * loopback, and each packet of the simulated network's output is written to the connection at its
 * arrival instant. The page samples getStats() and captures the played audio; both are collected
 * while the call runs, between releases.
 */
import type { Browser, Page } from 'playwright-core';
import { JitterlabError } from '../core/errors.ts';
import { findChromium, launchChromium } from './chromium.ts';
import type { BrowserReceiverConfig } from './config.ts';
import { SendOnlyPeer } from './send-only-peer.ts';
import type { PageDrain, PageStatSample, ReceiverPageApi, SelectedPair } from './page-api.ts';
import { receiverPageHtml } from './page-bundle.ts';
import { enterRealtime, type RealtimeState } from './realtime-priority.ts';
import { releaseInRealTime, type ReleaseLog } from './realtime-release.ts';

export interface BrowserCall {
  /** Release instants (ms of call time, non-decreasing) of the packets below. */
  atMs: Float64Array;
  packets: Uint8Array[];
  payloadType: number;
  inbandFec: boolean;
  dtx: boolean;
}

export interface TimedStatSample extends PageStatSample {
  /** Call time of the sample (ms; 0 = the call's first instant). */
  tMs: number;
}

export interface BrowserCallResult {
  stats: TimedStatSample[];
  /** What the browser played, 48 kHz mono, from the start of capture. */
  pcm: Int16Array;
  /** Call time of the first captured sample (ms), when capture ran. */
  captureStartMs: number | null;
  release: ReleaseLog;
  selectedPair: SelectedPair | null;
  realtime: RealtimeState;
  browserVersion: string;
  /** Offer to DTLS connected (ms). */
  connectMs: number;
  /** Packets werift refused to send (unparseable after corruption). */
  unsendable: number;
  pageErrors: string[];
}

export interface CallProgress {
  (doneMs: number, totalMs: number): void;
}

const PAGE_URL = 'http://127.0.0.1/jitterlab-receiver.html';
/** Lead between the connection coming up and the call's first instant. */
const LEAD_MS = 300;
/** Collect from the page at least this often (the page keeps at most this much in memory). */
const DRAIN_EVERY_MS = 250;
/** After the last packet: stop once the browser has emitted nothing new for this long. */
const QUIET_MS = 200;
const MAX_TAIL_MS = 5000;

/** Run the call; every resource (browser, peer, scheduling) is released whatever happens. */
export async function runBrowserCall(call: BrowserCall, cfg: BrowserReceiverConfig, progress?: CallProgress): Promise<BrowserCallResult> {
  const exe = findChromium(cfg.executable);
  const rt = enterRealtime(cfg.realtime);
  let browser: Browser | null = null;
  let peer: SendOnlyPeer | null = null;
  try {
    browser = await launchChromium(exe, cfg.flags);
    // Before the page exists: the renderer forks from a zygote that already has the share.
    rt.boostBrowser();
    let gone: string | null = null;
    browser.on('disconnected', () => (gone ??= 'browser receiver: the browser exited during the call'));
    const page = await openReceiverPage(browser, () => gone);
    page.on('crash', () => (gone ??= 'browser receiver: the receiver page crashed during the call'));
    peer = new SendOnlyPeer({ payloadType: call.payloadType, inbandFec: call.inbandFec, dtx: call.dtx });
    const t0c = performance.now();
    await connect(peer, page, cfg);
    const connectMs = performance.now() - t0c;
    const session = new DrainState(page);
    const t0 = performance.now() + LEAD_MS;
    session.t0Epoch = performance.timeOrigin + t0;
    let unsendable = 0;
    const total = call.atMs.length ? call.atMs[call.atMs.length - 1] : 0;
    const release = await releaseInRealTime(
      { atMs: call.atMs },
      t0,
      {
        send: (i) => {
          try {
            peer!.write(call.packets[i]);
          } catch {
            unsendable++;
          }
        },
        // Collecting from the page waits on the browser: it runs beside the releases, never
        // in front of one (one collection at a time).
        idle: (nowMs) => {
          if (nowMs - session.lastDrainMs < DRAIN_EVERY_MS || session.draining) return;
          session.lastDrainMs = nowMs;
          session.drainInBackground();
          progress?.(nowMs, total);
        },
        aborted: () => gone,
      },
      () => performance.now(),
    );
    await session.settled();
    await drainUntilQuiet(session, () => gone);
    const selectedPair = await page.evaluate(() => (window as unknown as { jitterlabReceiver: ReceiverPageApi }).jitterlabReceiver.selectedPair());
    await page.evaluate(() => (window as unknown as { jitterlabReceiver: ReceiverPageApi }).jitterlabReceiver.stop());
    await session.drain();
    progress?.(total, total);
    return {
      stats: session.stats,
      pcm: session.pcm(),
      captureStartMs: session.captureStartEpochMs === null ? null : session.captureStartEpochMs - session.t0Epoch,
      release,
      selectedPair,
      realtime: rt.state,
      browserVersion: browser.version(),
      connectMs,
      unsendable,
      pageErrors: session.errors,
    };
  } catch (e) {
    if (e instanceof JitterlabError) throw e;
    // Aborts carry a message that already says what it is about.
    const first = (e as Error).message.split('\n')[0].replace(/^browser receiver: /, '');
    throw new JitterlabError('io', `browser receiver: ${first}`);
  } finally {
    // Normal scheduling again before the browser's processes exit and are reaped.
    rt.restore();
    await peer?.close();
    await browser?.close().catch(() => undefined);
  }
}

async function openReceiverPage(browser: Browser, gone: () => string | null): Promise<Page> {
  const html = await receiverPageHtml();
  const page = await browser.newPage();
  // The page is served from memory; the address only makes it a secure context (AudioWorklet needs one).
  await page.route(PAGE_URL, (r) => r.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(PAGE_URL);
  const ok = await page.evaluate(() => typeof (window as unknown as { jitterlabReceiver?: unknown }).jitterlabReceiver === 'object');
  if (!ok) throw new JitterlabError('internal', `browser receiver: the receiver page did not load${gone() ? ` (${gone()})` : ''}`);
  return page;
}

async function connect(peer: SendOnlyPeer, page: Page, cfg: BrowserReceiverConfig): Promise<void> {
  const timeoutMs = cfg.connectTimeoutS * 1000;
  const offer = await peer.offer();
  let timer: NodeJS.Timeout | undefined;
  const answer = await Promise.race([
    page.evaluate(([o, opts]) => (window as unknown as { jitterlabReceiver: ReceiverPageApi }).jitterlabReceiver.answer(o, opts), [offer, { capture: cfg.capture, statsIntervalMs: cfg.statsIntervalMs }] as const),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new JitterlabError('io', `browser receiver: the page did not answer the offer within ${cfg.connectTimeoutS} s`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  await peer.accept(answer);
  await peer.connected(timeoutMs);
}

/** What has been collected from the page so far. */
class DrainState {
  stats: TimedStatSample[] = [];
  errors: string[] = [];
  captureStartEpochMs: number | null = null;
  t0Epoch = 0;
  lastDrainMs = -Infinity;
  private readonly chunks: Int16Array[] = [];

  private inFlight: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly page: Page) {}

  get draining(): boolean {
    return this.inFlight !== null;
  }

  drainInBackground(): void {
    this.inFlight = this.drain().then(
      () => {
        this.inFlight = null;
      },
      (e: unknown) => {
        this.failure ??= e;
        this.inFlight = null;
      },
    );
  }

  /** Wait for a collection under way; rethrow what one failed with. */
  async settled(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure;
  }

  async drain(): Promise<void> {
    const d: PageDrain = await this.page.evaluate(() => (window as unknown as { jitterlabReceiver: ReceiverPageApi }).jitterlabReceiver.drain());
    for (const s of d.stats) this.stats.push({ ...s, tMs: s.timestamp - this.t0Epoch });
    if (d.samples) {
      const buf = Buffer.from(d.pcmBase64, 'base64');
      this.chunks.push(new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)));
    }
    this.captureStartEpochMs ??= d.captureStartEpochMs;
    this.errors.push(...d.errors);
  }

  pcm(): Int16Array {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Int16Array(n);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }

  lastEmitted(): number {
    return this.stats.length ? (this.stats[this.stats.length - 1].jitterBufferEmittedCount ?? 0) : 0;
  }
}

/** After the last packet, keep collecting until the browser has played out what it had (its emitted count stops moving). */
async function drainUntilQuiet(s: DrainState, gone: () => string | null): Promise<void> {
  const start = performance.now();
  let last = -1;
  let quietSince = performance.now();
  while (performance.now() - start < MAX_TAIL_MS) {
    await new Promise((r) => setTimeout(r, 50));
    if (gone()) throw new JitterlabError('io', gone()!);
    await s.drain();
    const e = s.lastEmitted();
    if (e !== last) {
      last = e;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= QUIET_MS) return;
  }
}
