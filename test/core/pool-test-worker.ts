/** A worker for test/core/worker-pool.test.ts: echoes, sleeps, throws our errors, or dies. */
import { threadId } from 'node:worker_threads';
import { WavError, ScenarioError } from '../../src/core/errors.ts';
import { poolWorkerData, serveTasks } from '../../src/core/worker-pool.ts';

export type TestTask = { op: 'echo'; value: number } | { op: 'sleep'; ms: number; value: number } | { op: 'wav' } | { op: 'scenario' } | { op: 'plain' } | { op: 'die' };

let base = 0;
const tag = poolWorkerData<{ tag: string }>().tag;

serveTasks<number, TestTask, { value: number; thread: number; tag: string }>({
  init(b) {
    base = b;
  },
  async run(t) {
    if (t.op === 'wav') throw new WavError('/x/y.wav', 'no audio to score');
    if (t.op === 'scenario') throw new ScenarioError('/s.yaml', 'channel.loss.rate', 7, 'must be in 0..1');
    if (t.op === 'plain') throw new TypeError('plain failure');
    if (t.op === 'die') process.exit(3);
    if (t.op === 'sleep') await new Promise((r) => setTimeout(r, t.ms));
    return { value: base + t.value, thread: threadId, tag };
  },
});
