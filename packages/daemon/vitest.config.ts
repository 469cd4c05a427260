import { defineConfig } from 'vitest/config';

// Unit suites run on the host. Kernel suites (*.kernel.test.ts) need L2TP in the kernel and run
// inside the qemu guest through scripts/test-all.mjs, never here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.kernel.test.ts', 'node_modules/**'],
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
    testTimeout: 30_000,
  },
});
