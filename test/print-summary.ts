/** Prints the test run's closing line in the plain form CI systems read: "tests: N passed, N failed". */
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(new URL('../node_modules/.cache/jitterlab/vitest-results.json', import.meta.url), 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
};
process.stdout.write(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numPendingTests ? `, ${r.numPendingTests} skipped` : ''}\n`);
process.exitCode = r.numFailedTests > 0 ? 1 : 0;
