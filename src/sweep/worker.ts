/**
 * Worker-thread entry of a sweep (core/worker-pool.ts). It starts loading while the main thread
 * validates the points and encodes the audio; then it receives the shared encodings once (the
 * pool's init data) and runs the points it is sent, one at a time, answering each with its outcome.
 */
import { poolWorkerData, serveTasks } from '../core/worker-pool.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import type { AudioSource } from '../source/audio-source.ts';
import { runPoint, type PointContext, type PointOutcome, type PointTask } from './point-run.ts';
import { unpackEncoding, type PackedEncoding } from './shared-encodings.ts';

export interface WorkerBase {
  file: string;
  raw: Record<string, unknown>;
  shareEncodings: boolean;
  /** Opt-in measures (visqol) asked for: each point's audio is scored. */
  signal: boolean;
}

const base = poolWorkerData<WorkerBase>();
let ctx: PointContext | null = null;

serveTasks<PackedEncoding[], PointTask, PointOutcome>({
  init(packed) {
    const encodings = new Map<string, EncodedStream>();
    for (const p of packed) encodings.set(p.key, unpackEncoding(p));
    ctx = { file: base.file, raw: base.raw, encodings: base.shareEncodings ? encodings : null, sources: new Map<string, AudioSource>(), signal: base.signal };
  },
  run(task) {
    if (ctx === null) throw new Error('sweep worker: task before init');
    return runPoint(ctx, task);
  },
});
