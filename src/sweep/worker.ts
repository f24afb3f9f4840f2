/**
 * Worker-thread entry of a sweep: receives the base scenario and the shared encodings once (in
 * workerData), then runs the points it is sent, one at a time, answering each with its outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import type { AudioSource } from '../source/audio-source.ts';
import { runPoint, type PointContext, type PointTask } from './point-run.ts';
import { unpackEncoding, type PackedEncoding } from './shared-encodings.ts';

export interface WorkerInit {
  file: string;
  raw: Record<string, unknown>;
  encodings: PackedEncoding[];
  shareEncodings: boolean;
}

const init = workerData as WorkerInit;
const encodings = new Map<string, EncodedStream>();
for (const p of init.encodings) encodings.set(p.key, unpackEncoding(p));
const ctx: PointContext = {
  file: init.file,
  raw: init.raw,
  encodings: init.shareEncodings ? encodings : null,
  sources: new Map<string, AudioSource>(),
};

const port = parentPort;
if (port) {
  port.on('message', (task: PointTask) => {
    void runPoint(ctx, task).then((outcome) => port.postMessage(outcome));
  });
  port.postMessage({ ready: true });
}
