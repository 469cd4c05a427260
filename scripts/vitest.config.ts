import { defineConfig } from 'vitest/config';

// The scripts' own tests: the guest build's failure kinds and cache checks (vm/test, a fake kernel
// package in temporary caches) and the Debian package check (test). Run by scripts/test-all.mjs on
// the host, before the kernel suites; counted in the summary like any suite.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['vm/test/*.test.ts', 'test/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: process.env.SCRIPTS_REPORT ?? '.vitest-report.json' }]],
  },
});
