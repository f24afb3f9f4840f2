/**
 * Entry of the CLI's bundle (app-bundle.ts): the command line (runCli, called by the jitterlab
 * launcher) and what the benchmarks drive in-process, so they measure the code users run.
 */
export { main, runCli } from './main.ts';
export { runToReport } from '../report/write-run.ts';
export { parseScenarioText, PROJECT_ROOT } from '../scenario/load.ts';
export { AudioSource } from '../source/audio-source.ts';
export { scoreFiles } from './score-command.ts';
export { scoreWorkerBundle } from '../report/score-pool.ts';
export { planSweep, pointScenario } from '../sweep/plan.ts';
export { runSweep } from '../sweep/run-sweep.ts';
/** The queued sweep's module, loaded on demand (BullMQ takes a quarter of a second to load, for every command). */
export const loadQueuedSweep = (): Promise<typeof import('../sweep/queued-sweep.ts')> => import('../sweep/queued-sweep.ts');
export { sweepWorkerBundle } from '../sweep/worker-bundle.ts';
export { encodeShared } from '../sweep/shared-encodings.ts';
