/**
 * Worker-thread entry of a sweep (core/worker-pool.ts). It starts loading while the main thread
 * validates the points and encodes the audio; then it receives the shared encodings and source
 * audio once (the pool's init data) and runs the points it is sent, one at a time, answering
 * each with its outcome.
 */
import { useOpusAddonPath } from '../codec/opus-native.ts';
import { poolWorkerData, serveTasks } from '../core/worker-pool.ts';
import { runPoint, type PointContext, type PointOutcome, type PointTask } from './point-run.ts';
import { unpackShared, type SharedAudio } from './shared-encodings.ts';

export interface WorkerBase {
  file: string;
  raw: Record<string, unknown>;
  shareEncodings: boolean;
  /** Opt-in measures (visqol) asked for: each point's audio is scored. */
  signal: boolean;
}

/** Sent once, when the main thread has encoded the audio. */
export interface WorkerInit {
  shared: SharedAudio;
  /** The libopus addon's path as the main thread found it (opus-native.ts), or null. */
  opusAddon: string | null;
}

const base = poolWorkerData<WorkerBase>();
let ctx: PointContext | null = null;

serveTasks<WorkerInit, PointTask, PointOutcome>({
  init(init) {
    if (init.opusAddon !== null) useOpusAddonPath(init.opusAddon);
    const { encodings, sources } = unpackShared(init.shared);
    ctx = { file: base.file, raw: base.raw, encodings: base.shareEncodings ? encodings : null, sources, signal: base.signal };
  },
  run(task) {
    if (ctx === null) throw new Error('sweep worker: task before init');
    return runPoint(ctx, task);
  },
});
