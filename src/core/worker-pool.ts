/**
 * A fixed pool of worker threads that run tasks of one kind: sweep points (sweep/worker.ts) and
 * the quality scores of a run's variants (report/score-worker.ts). Each worker loads a pre-built
 * module (core/esm-bundle.ts) or, when none could be built, its TypeScript entry through tsx's
 * ESM API (a `--import tsx` execArgv does not reach a worker's module loader on Node 20).
 *
 * Workers start loading when the pool is made, so their start-up overlaps the caller's own work;
 * `start(init)` then hands every worker the same initial data (e.g. shared encodings) once, and
 * tasks submitted before that wait in a queue. Tasks are posted without waiting for a worker to
 * have loaded (a port delivers in order, so the init comes first): a caller that keeps this
 * thread busy (a simulation between two submits) never holds the workers back, since only a
 * result needs this thread's event loop. A worker gets up to `depth` tasks at a time: with short
 * tasks a depth of 2 keeps a worker busy while this thread handles its last result (the next task
 * is already in its queue); with long tasks a depth of 1 balances the load best. A worker runs its
 * tasks one after the other (serveTasks below), in the order it received them.
 *
 * Errors thrown by a task reach the caller as the same JitterlabError class, kind and message
 * (a structured clone alone would leave a plain Error); a worker that dies fails every pending
 * task. close() terminates the workers; tasks still pending then reject with PoolClosedError.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { IoError, JitterlabError, ScenarioError, UsageError, WavError, type ErrorKind } from './errors.ts';

export interface WorkerPoolOptions {
  /** The worker module's TypeScript source (loaded through tsx when `bundle` is null). */
  entry: URL;
  /** The pre-built worker module, or null. */
  bundle: URL | null;
  size: number;
  /** Given to every worker as `workerData`. */
  workerData?: unknown;
  /** Tasks a worker holds at once (in flight + queued in it). Default 1. */
  depth?: number;
  /** Names the pool in errors, e.g. "sweep" or "scoring". */
  label: string;
}

/** A task left pending when the pool was closed (stopped) before it ran or finished. */
export class PoolClosedError extends Error {
  constructor(label: string) {
    super(`${label} worker pool closed`);
    this.name = 'PoolClosedError';
  }
}

export type ToWorker = { kind: 'init'; data: unknown } | { kind: 'task'; id: number; task: unknown };
export type FromWorker = { kind: 'done'; id: number; result: unknown } | { kind: 'failed'; id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  kind?: ErrorKind;
  file?: string;
  keyPath?: string;
  line?: number | null;
  detail?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const x = e as Error & Partial<{ kind: ErrorKind; file: string; keyPath: string; line: number | null; detail: string }>;
  return { name: x.name, message: x.message, stack: x.stack, kind: e instanceof JitterlabError ? x.kind : undefined, file: x.file, keyPath: x.keyPath, line: x.line, detail: x.detail };
}

/** The error as it was thrown in the worker: same class (for our errors), kind, message and stack. */
export function reviveError(s: SerializedError): Error {
  let e: Error;
  if (s.kind === undefined) e = new Error(s.message);
  else if (s.name === 'ScenarioError') e = new ScenarioError(s.file ?? '', s.keyPath ?? '', s.line ?? null, s.detail ?? '');
  else if (s.name === 'WavError') e = new WavError(s.file ?? '', '');
  else if (s.name === 'IoError') e = new IoError(s.file ?? '', '');
  else if (s.name === 'UsageError') e = new UsageError('');
  else e = new JitterlabError(s.kind, '');
  e.message = s.message;
  if (s.stack) e.stack = s.stack;
  return e;
}

/**
 * Node options for a bundled worker: this process's, without tsx's hooks. A worker inherits its
 * parent's execArgv, and under tsx (npm scripts, tests) that loads tsx's CommonJS hook and
 * module loader in every worker of a plain-JavaScript bundle (0.2–0.5 s of CPU each).
 */
export function execArgvWithoutTsx(argv: readonly string[]): string[] {
  const tsx = /[\\/]tsx[\\/]/;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (/^(--require|-r|--import|--loader|--experimental-loader)$/.test(a) && tsx.test(argv[i + 1] ?? '')) i++;
    else if (!(/^(--require|--import|--loader|--experimental-loader)=/.test(a) && tsx.test(a))) out.push(a);
  }
  return out;
}

/**
 * A worker of the bundle with this process's Node options less tsx's hooks. Only when there are
 * hooks to leave out are the options given explicitly: a worker then refuses V8 and per-process
 * options (`node --max-old-space-size=8192 jitterlab.js sweep ...`: ERR_WORKER_INVALID_EXEC_ARGV),
 * which hold for the whole process anyway, whereas the inherited options leave them out for it.
 */
function bundledWorker(bundle: URL, workerData: unknown): Worker {
  const execArgv = execArgvWithoutTsx(process.execArgv);
  if (execArgv.length === process.execArgv.length) return new Worker(bundle, { workerData });
  try {
    return new Worker(bundle, { workerData, execArgv });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return new Worker(bundle, { workerData, execArgv: [] });
  }
}

/** Code run by each worker without a bundle: register tsx's loader, then import the worker module. */
function tsxBootstrap(entry: URL): string {
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
}

interface Pending<R> {
  id: number;
  task: unknown;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Ids of the tasks this worker holds. */
  held: Set<number>;
}

export class WorkerPool<Task, Result> {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<Pending<Result>> = [];
  private readonly inFlight = new Map<number, Pending<Result>>();
  private readonly depth: number;
  private nextId = 0;
  private started = false;
  private closed = false;
  private failure: Error | null = null;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.depth = Math.max(1, opts.depth ?? 1);
    for (let i = 0; i < Math.max(1, opts.size); i++) {
      const worker = opts.bundle
        ? bundledWorker(opts.bundle, opts.workerData)
        : new Worker(tsxBootstrap(opts.entry), { eval: true, workerData: opts.workerData });
      const slot: Slot = { worker, held: new Set() };
      worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
      worker.on('error', (e) => this.fail(new JitterlabError('internal', `${opts.label} worker failed: ${e.stack ?? e.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed && code !== 0) this.fail(new JitterlabError('internal', `${opts.label} worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Sends `init` to every worker (once), then the queued tasks. */
  start(init: unknown = null): void {
    if (this.started || this.closed) return;
    this.started = true;
    const m: ToWorker = { kind: 'init', data: init };
    for (const s of this.slots) s.worker.postMessage(m);
    this.dispatch();
  }

  submit(task: Task): Promise<Result> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new PoolClosedError(this.opts.label));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates the workers; pending tasks reject with PoolClosedError (or the pool's failure). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectAll(this.failure ?? new PoolClosedError(this.opts.label));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    if (this.closed || !this.started) return;
    // Fill the least loaded worker first, so two idle workers both get work before either gets a second task.
    for (let held = 0; held < this.depth; held++) {
      for (const s of this.slots) {
        if (!this.queue.length) return;
        if (s.held.size !== held) continue;
        const p = this.queue.shift()!;
        s.held.add(p.id);
        this.inFlight.set(p.id, p);
        const m: ToWorker = { kind: 'task', id: p.id, task: p.task };
        s.worker.postMessage(m);
      }
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (this.closed) return;
    slot.held.delete(m.id);
    const p = this.inFlight.get(m.id);
    this.inFlight.delete(m.id);
    // The worker gets its next task before the caller sees this result.
    this.dispatch();
    if (!p) return;
    if (m.kind === 'done') p.resolve(m.result as Result);
    else p.reject(reviveError(m.error));
  }

  private fail(e: Error): void {
    if (this.closed || this.failure) return;
    this.failure = e;
    this.rejectAll(e);
    void this.close();
  }

  private rejectAll(e: Error): void {
    for (const p of [...this.inFlight.values(), ...this.queue]) p.reject(e);
    this.inFlight.clear();
    this.queue.length = 0;
  }
}

/**
 * The worker side: `init` runs once with the pool's start() data, then each task runs after the
 * previous one finished, and its result (or the error it threw) goes back to the pool.
 */
export function serveTasks<Init, Task, Result>(handlers: { init?: (data: Init) => void | Promise<void>; run: (task: Task) => Result | Promise<Result> }): void {
  const port = parentPort;
  if (!port) return;
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    chain = chain.then(async () => {
      if (m.kind === 'init') return handlers.init?.(m.data as Init);
      let reply: FromWorker;
      try {
        reply = { kind: 'done', id: m.id, result: await handlers.run(m.task as Task) };
      } catch (e) {
        reply = { kind: 'failed', id: m.id, error: serializeError(e) };
      }
      port.postMessage(reply);
    });
  });
}

/** This worker's `workerData`, typed by the caller. */
export function poolWorkerData<T>(): T {
  return workerData as T;
}
