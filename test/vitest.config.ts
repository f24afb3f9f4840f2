import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Run from the project root whatever the config's folder.
  root: new URL('..', import.meta.url).pathname,
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report feeds test/print-summary.ts, which prints one plain "N passed, N failed" line for CI.
    reporters: ['default', 'json'],
    outputFile: { json: 'node_modules/.cache/jitterlab/vitest-results.json' },
  },
});
