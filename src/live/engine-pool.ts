/**
 * The live server's leg engines, seen from the main thread: one per worker thread (--workers,
 * default the number of cores), or one on the main thread itself (--workers 0, the layout before
 * issue 17, kept for comparison and for hosts without worker threads). Each engine is reached
 * through the same batched messages either way (an in-thread MessageChannel for the inline
 * engine), so both run the same code.
 *
 * New streams and rooms go to the engine with the fewest legs. Questions (stream figures, room
 * settings, counters) are requests answered in order with the engine's other traffic.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { JitterlabError } from '../core/errors.ts';
import { LiveEngine } from './engine.ts';
import type { Answers, EngineInit, FromEngine, Query, ToEngine } from './engine-protocol.ts';
import type { LatenessRecorder } from './lateness.ts';
import { Mailbox } from './mailbox.ts';
import type { CounterSnapshot } from './prometheus.ts';

const WORKER_URL = new URL('./engine-worker.ts', import.meta.url);

/**
 * Code each worker runs: import the engine module (the bundle, or the TypeScript through tsx's
 * ESM API: a `--import tsx` execArgv does not reach a worker's loader on Node 20), register tsx
 * when a preset names a TypeScript jitter-buffer module (after the bundle, as the CLI launcher
 * does, so the bundle is not transformed again), then start.
 */
function bootstrap(bundle: URL | null, tsx: boolean): string {
  const esm = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const cjs = JSON.stringify(import.meta.resolve('tsx/cjs/api'));
  const registerTsx = `(await import(${esm})).register(); (await import(${cjs})).register();`;
  const entry = JSON.stringify((bundle ?? WORKER_URL).href);
  return bundle
    ? `(async () => { const m = await import(${entry}); ${tsx ? registerTsx : ''} m.main(); })();`
    : `(async () => { ${registerTsx} const m = await import(${entry}); m.main(); })();`;
}

interface Transport {
  post(batch: ToEngine[], transfer: Transferable[]): void;
  /** Event-loop utilisation of the engine's thread (workers only). */
  elu(): { idle: number; active: number; utilization: number } | null;
  terminate(): Promise<void>;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

export class EngineHandle {
  /** Legs placed on this engine: its load when new streams and rooms are placed. */
  legs = 0;
  private readonly box: Mailbox<ToEngine>;
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private dead: string | null = null;

  constructor(
    readonly index: number,
    private readonly transport: Transport,
    /** 'worker' or 'main' (the inline engine). */
    readonly thread: 'worker' | 'main',
  ) {
    this.box = new Mailbox<ToEngine>((batch, transfer) => transport.post(batch, transfer), (block, n) => ({ k: 'pk', block, n }));
  }

  send(m: ToEngine, transfer?: Transferable[]): void {
    this.box.push(m, transfer);
  }

  /** An RTP packet of stream `id` that arrived at `atMs`, batched with the others of this turn. */
  packet(id: number, atMs: number, bytes: Uint8Array): void {
    this.box.packet(id, atMs, bytes);
  }

  request<Q extends Query>(query: Q): Promise<Answers[Q['q']]> {
    if (this.dead) return Promise.reject(new JitterlabError('internal', `leg engine ${this.index} failed: ${this.dead}`));
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ k: 'req', req, query });
    });
  }

  /** A reply from the engine. */
  answered(req: number, value: unknown, error: string | undefined): void {
    const p = this.pending.get(req);
    if (!p) return;
    this.pending.delete(req);
    if (error !== undefined) p.reject(new JitterlabError('internal', error));
    else p.resolve(value);
  }

  /** The engine's thread died: every question waiting fails. */
  failed(message: string): void {
    this.dead = message;
    for (const p of this.pending.values()) p.reject(new JitterlabError('internal', `leg engine ${this.index} failed: ${message}`));
    this.pending.clear();
  }

  get isDead(): boolean {
    return this.dead !== null;
  }

  elu(): { idle: number; active: number; utilization: number } | null {
    return this.transport.elu();
  }

  flush(): void {
    this.box.flush();
  }

  terminate(): Promise<void> {
    this.box.close();
    return this.transport.terminate();
  }
}

export interface EnginePoolOptions {
  /** Worker threads; 0 = one engine on the main thread. */
  workers: number;
  init: Omit<EngineInit, 'index'>;
  /** The pre-built worker (liveEngineBundle()), or null to load the TypeScript through tsx. */
  bundle: URL | null;
  /** Register tsx in the workers (a preset names a TypeScript module). */
  tsx: boolean;
  lateness: LatenessRecorder;
  /** Everything an engine sends but replies, readiness and lateness. */
  onMessage(engine: EngineHandle, m: FromEngine): void;
  /** An engine's thread failed after it started (its streams and rooms are gone). */
  onFailure(engine: EngineHandle, message: string): void;
  /** A failed engine's slot runs again, on a fresh thread (`engine`), or will not (`engine` null: it failed too often). */
  onRestart?(index: number, engine: EngineHandle | null, why: string): void;
}

/**
 * A worker engine that fails is started again in its slot, so one bad stream (a jitter-buffer
 * module that ends its thread) costs its own streams, not a core for the rest of the server's
 * life. A slot that failed RESTART_LIMIT times within RESTART_WINDOW_MS stays down: something
 * fails at every start, and restarting it forever would only burn the CPU the others need.
 */
export const RESTART_LIMIT = 3;
export const RESTART_WINDOW_MS = 60_000;

/**
 * How long /metrics waits for an engine's fresh counters before it shows the last ones the engine
 * sent (each engine sends them every second unasked): a busy engine never holds /metrics up.
 */
const COUNTERS_WAIT_MS = 50;

export class EnginePool {
  /** Counters of engines that failed, as they last sent them: the totals /metrics shows never go back. */
  private readonly retired: CounterSnapshot[] = [];
  /** The engine of each slot (a failed one until its replacement is ready). */
  readonly engines: EngineHandle[] = [];
  /** Each slot's latest counters (sent every second, or a reply to /metrics), null before the first. */
  private readonly lastCounters: Array<CounterSnapshot | null>;
  /** When each slot's engine failed, within the restart window. */
  private readonly failures: number[][];
  private closing = false;

  private constructor(
    private readonly o: EnginePoolOptions,
    slots: number,
  ) {
    this.lastCounters = Array.from({ length: slots }, () => null);
    this.failures = Array.from({ length: slots }, () => []);
  }

  /** Start the engines and wait until each has loaded its presets and codecs. */
  static async start(o: EnginePoolOptions): Promise<EnginePool> {
    const count = Math.max(1, o.workers);
    const pool = new EnginePool(o, count);
    const started = Array.from({ length: count }, (_, index) => pool.startEngine(index));
    pool.engines.push(...started.map((s) => s.handle));
    try {
      await Promise.all(started.map((s) => s.ready));
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  /** Engines whose thread runs (not failed, or started again). */
  get running(): number {
    return this.engines.filter((e) => !e.isDead).length;
  }

  /** One engine in slot `index`: its handle at once, ready once it has loaded its presets and codecs. */
  private startEngine(index: number): { handle: EngineHandle; ready: Promise<void> } {
    const o = this.o;
    let settle: { resolve(): void; reject(e: Error): void } = { resolve: () => undefined, reject: () => undefined };
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let started = false;
    let handle: EngineHandle | null = null;
    const onBatch = (batch: FromEngine[]) => {
      for (const m of batch) {
        if (m.k === 'ready') {
          started = true;
          settle.resolve();
        } else if (m.k === 'failed') settle.reject(new JitterlabError('internal', `leg engine ${index} did not start: ${m.message}`));
        else if (m.k === 'reply') handle!.answered(m.req, m.value, m.error);
        else if (m.k === 'late') for (const x of m.samples) o.lateness.record(x);
        else if (m.k === 'counters') this.lastCounters[index] = m.snapshot;
        else o.onMessage(handle!, m);
      }
    };
    const onDeath = (message: string) => {
      if (!started) return settle.reject(new JitterlabError('internal', `leg engine ${index} did not start: ${message}`));
      // A thread that throws is reported twice ('error', then 'exit'): it died once.
      if (handle!.isDead) return;
      handle!.failed(message);
      o.onFailure(handle!, message);
      if (o.workers > 0) this.restart(index, handle!);
    };
    const init: EngineInit = { ...o.init, index };
    handle = new EngineHandle(index, o.workers === 0 ? inlineTransport(init, onBatch, onDeath) : workerTransport(init, o.bundle, o.tsx, onBatch, onDeath), o.workers === 0 ? 'main' : 'worker');
    return { handle, ready };
  }

  /**
   * A fresh engine in the slot of `dead`, which keeps its place (and takes no new legs) until the
   * new one is ready; unless the slot failed too often (RESTART_LIMIT) or the pool is closing.
   */
  private restart(index: number, dead: EngineHandle): void {
    if (this.closing) return;
    const now = performance.now();
    const recent = this.failures[index].filter((t) => now - t < RESTART_WINDOW_MS);
    recent.push(now);
    this.failures[index] = recent;
    const counters = this.lastCounters[index];
    if (counters) this.retired.push(counters);
    this.lastCounters[index] = null;
    void dead.terminate().catch(() => undefined);
    if (recent.length > RESTART_LIMIT) {
      this.o.onRestart?.(index, null, `it failed ${recent.length} times within ${RESTART_WINDOW_MS / 1000} s`);
      return;
    }
    const next = this.startEngine(index);
    next.ready.then(
      () => {
        if (this.closing) return void next.handle.terminate();
        this.engines[index] = next.handle;
        this.o.onRestart?.(index, next.handle, 'started again');
      },
      (e: unknown) => this.o.onRestart?.(index, null, `it did not start again: ${(e as Error).message}`),
    );
  }

  /** The engine with the fewest legs (the first such: placement is deterministic). */
  least(): EngineHandle {
    let best = this.engines[0];
    for (const e of this.engines) if (!e.isDead && (best.isDead || e.legs < best.legs)) best = e;
    return best;
  }

  /**
   * Every engine's counters: fresh, or the last ones it sent when it does not answer within
   * COUNTERS_WAIT_MS; and those of engines that failed, so that totals never go back.
   */
  async counters(): Promise<CounterSnapshot[]> {
    const all = await Promise.all(
      this.engines.map((e, i) => {
        if (e.isDead) return Promise.resolve(null); // its last counters are retired already
        const fresh = e.request({ q: 'metrics' }).then(
          (c) => (this.lastCounters[i] = c),
          () => this.lastCounters[i],
        );
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<CounterSnapshot | null>((r) => (timer = setTimeout(() => r(this.lastCounters[i]), COUNTERS_WAIT_MS)));
        return Promise.race([fresh, late]).finally(() => clearTimeout(timer));
      }),
    );
    return [...all.filter((x): x is CounterSnapshot => x !== null), ...this.retired];
  }

  /** End everything on the engines (recordings are saved, streams report their end), then stop them. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.engines.map((e) => e.request({ q: 'close' }).catch(() => null)));
    await this.terminate();
  }

  private async terminate(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.terminate()));
  }
}

function workerTransport(init: EngineInit, bundle: URL | null, tsx: boolean, onBatch: (b: FromEngine[]) => void, onDeath: (message: string) => void): Transport {
  const w = new Worker(bootstrap(bundle, tsx), { eval: true, workerData: init });
  let terminating = false;
  w.on('message', onBatch);
  w.on('error', (e) => onDeath(e.stack ?? e.message));
  w.on('exit', (code) => {
    if (!terminating) onDeath(`exited with code ${code}`);
  });
  return {
    post: (batch, transfer) => w.postMessage(batch, transfer as never),
    elu: () => w.performance.eventLoopUtilization(),
    terminate: async () => {
      terminating = true;
      await w.terminate();
    },
  };
}

/** The engine on the main thread, behind a MessageChannel: the same messages, copied and ordered the same way. */
function inlineTransport(init: EngineInit, onBatch: (b: FromEngine[]) => void, onDeath: (message: string) => void): Transport {
  const { port1, port2 } = new MessageChannel();
  let engine: LiveEngine | null = null;
  const early: ToEngine[][] = [];
  port2.on('message', (batch: ToEngine[]) => {
    if (engine) engine.receive(batch);
    else early.push(batch);
  });
  port1.on('message', onBatch);
  const post = (p: MessagePort) => (batch: unknown[], transfer: Transferable[]) => p.postMessage(batch, transfer as never);
  LiveEngine.start(init, post(port2)).then(
    (e) => {
      engine = e;
      onBatch([{ k: 'ready' }]);
      for (const b of early) e.receive(b);
      early.length = 0;
    },
    (e: unknown) => onDeath((e as Error).message ?? String(e)),
  );
  return {
    post: post(port1),
    elu: () => null,
    terminate: async () => {
      port1.close();
      port2.close();
    },
  };
}
