import { defineConfig } from 'vitest/config';

// The guest build's own tests (scripts/vm/test): failure kinds and cache checks, with a fake kernel
// package in temporary caches. Run by scripts/test-all.mjs on the host before the kernel suites.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['test/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: process.env.VM_REPORT ?? '.vitest-report.json' }]],
  },
});
