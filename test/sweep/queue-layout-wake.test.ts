/**
 * The queue's job layout (queue-spec.ts chunkLayout) and the pub/sub wake-ups (queue-wake.ts) that
 * spare the planner and idle workers their polling delay: a real redis-server on loopback.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkLayout } from '../../src/sweep/queue-spec.ts';
import { Wakeup } from '../../src/sweep/queue-wake.ts';
import { redisAvailable, TestRedis } from '../redis/redis-server.ts';

describe('chunkLayout', () => {
  it('covers every point once, 32 at most, about 64 jobs or more, the tail shrinking to single points', () => {
    for (const total of [1, 7, 99, 100, 200, 480, 2000, 10_000]) {
      const sizes = chunkLayout(total);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...sizes)).toBe(Math.max(1, Math.min(32, Math.floor(total / 64))));
      for (let k = 1; k < sizes.length; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1]);
      // Near the end no job holds more than a quarter of what is left (at least one point).
      let left = total;
      for (const s of sizes) {
        expect(s).toBeLessThanOrEqual(Math.max(1, Math.floor(left / 4)));
        left -= s;
      }
      expect(sizes.at(-1)).toBe(1);
      expect(sizes.length).toBeGreaterThanOrEqual(Math.min(total, 64));
    }
    // 2000 points: 31 per job while 124 or more are left; fewer than 100 jobs in all.
    const big = chunkLayout(2000);
    expect(big.slice(0, 60).every((s) => s === 31)).toBe(true);
    expect(big.length).toBeLessThan(100);
    expect(chunkLayout(2000)).toEqual(big); // stable: a resumed planner's jobs keep their ids
  });
});

const haveRedis = redisAvailable();
if (!haveRedis) process.stderr.write('wake-up tests skipped: no redis-server on this machine (.ci/run installs it)\n');

describe.runIf(haveRedis)('Wakeup', () => {
  let server: TestRedis;
  let client: Redis;
  beforeAll(async () => {
    server = await TestRedis.start();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client.disconnect();
    await server.stop();
  });

  it('ends a wait when the channel gets a message, keeps one sent while nobody waits, else times out', async () => {
    const wake = await Wakeup.listen(client, 'test:wake');
    try {
      let t = performance.now();
      const waiting = wake.wait(5000);
      await client.publish('test:wake', '');
      await waiting;
      expect(performance.now() - t).toBeLessThan(2000);
      // Sent between two waits: the next one returns at once.
      await client.publish('test:wake', '');
      await new Promise((r) => setTimeout(r, 100));
      t = performance.now();
      await wake.wait(5000);
      expect(performance.now() - t).toBeLessThan(50);
      // Nothing sent: the timeout ends it.
      t = performance.now();
      await wake.wait(150);
      expect(performance.now() - t).toBeGreaterThanOrEqual(140);
      // Another channel does not wake it.
      t = performance.now();
      const other = wake.wait(300);
      await client.publish('test:other', '');
      await other;
      expect(performance.now() - t).toBeGreaterThanOrEqual(280);
    } finally {
      wake.close();
    }
  });

  it('an abort ends the wait; a Redis that is gone leaves plain timeouts', async () => {
    const wake = await Wakeup.listen(client, 'test:wake2');
    const ctrl = new AbortController();
    const t = performance.now();
    const waiting = wake.wait(5000, ctrl.signal);
    ctrl.abort();
    await waiting;
    expect(performance.now() - t).toBeLessThan(1000);
    wake.close();
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => {});
    const lonely = await Wakeup.listen(dead, 'test:none');
    const t2 = performance.now();
    await lonely.wait(100);
    expect(performance.now() - t2).toBeGreaterThanOrEqual(90);
    lonely.close();
    dead.disconnect();
  });
});
