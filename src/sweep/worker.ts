/**
 * Worker-thread entry of a sweep. It starts loading while the main thread validates the points
 * and encodes the audio; then it receives the shared encodings once (an `init` message), answers
 * `ready`, and runs the points it is sent, one at a time, answering each with its outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import type { AudioSource } from '../source/audio-source.ts';
import { runPoint, type PointContext, type PointTask } from './point-run.ts';
import { unpackEncoding, type PackedEncoding } from './shared-encodings.ts';

export interface WorkerBase {
  file: string;
  raw: Record<string, unknown>;
  shareEncodings: boolean;
}

export type ToWorker = { kind: 'init'; encodings: PackedEncoding[] } | ({ kind: 'task' } & PointTask);

const base = workerData as WorkerBase;
let ctx: PointContext | null = null;

const port = parentPort;
if (port) {
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'init') {
      const encodings = new Map<string, EncodedStream>();
      for (const p of m.encodings) encodings.set(p.key, unpackEncoding(p));
      ctx = { file: base.file, raw: base.raw, encodings: base.shareEncodings ? encodings : null, sources: new Map<string, AudioSource>() };
      port.postMessage({ ready: true });
      return;
    }
    const c = ctx;
    if (c === null) throw new Error('sweep worker: task before init');
    void runPoint(c, m).then((outcome) => port.postMessage(outcome));
  });
}
