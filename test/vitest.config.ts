import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  // Run from the project root whatever the config's folder.
  root: new URL('..', import.meta.url).pathname,
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report feeds test/print-summary.ts, which prints one plain "N passed, N failed" line for CI.
    reporters: ['default', 'json'],
    outputFile: { json: 'node_modules/.cache/jitterlab/vitest-results.json' },
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts', 'src/**/*.test.ts'], exclude: [...configDefaults.exclude, '**/*.alone.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // Files that measure timing under load they make themselves (*.alone.test.ts) run after
        // the rest, one at a time, so the suite's other files are not part of what they measure.
        extends: true,
        test: { name: 'alone', include: ['test/**/*.alone.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
