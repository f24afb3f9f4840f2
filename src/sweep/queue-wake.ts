/**
 * Waking a waiting side of a queued sweep as soon as there is something for it, instead of at its
 * next poll: the planner when a worker pushed outcomes, an idle worker when a sweep was queued.
 * The news travels on a Redis pub/sub channel (a second connection: a subscribed one can send
 * nothing else). Pub/sub is fire-and-forget, so a message lost while disconnected costs only the
 * wait: every wait still ends after its timeout, and the caller then looks at Redis as before.
 * A message that arrives while nobody waits is kept, so the next wait returns at once.
 */
import type { Redis } from 'ioredis';

export class Wakeup {
  private rung = false;
  private waiter: (() => void) | null = null;

  private constructor(private readonly sub: Redis) {}

  /** Listens on `channel` through a duplicate of `redis`; when that fails, waits are plain timeouts. */
  static async listen(redis: Redis, channel: string): Promise<Wakeup> {
    const sub = redis.duplicate();
    sub.on('error', () => {}); // the subscriber reconnects (and resubscribes) on its own
    const w = new Wakeup(sub);
    sub.on('message', () => w.ring());
    try {
      await sub.subscribe(channel);
    } catch {
      // Redis went away between the caller's connection and this one: timeouts until it is back.
    }
    return w;
  }

  ring(): void {
    this.rung = true;
    this.waiter?.();
  }

  /** Resolves when rung (or already rung since the last wait), after `ms`, or on `signal`. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.rung || signal?.aborted) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiter = null;
        this.rung = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }

  close(): void {
    this.waiter?.();
    this.sub.disconnect();
  }
}
