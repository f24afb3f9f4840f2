/**
 * Entry of the CLI's bundle (app-bundle.ts): the command line, which starts itself when it is the
 * process entry (main.ts), and what the benchmarks drive in-process, so they measure the code
 * users run.
 */
export { main } from './main.ts';
export { runToReport } from '../report/write-run.ts';
export { parseScenarioText, PROJECT_ROOT } from '../scenario/load.ts';
export { AudioSource } from '../source/audio-source.ts';
