import { defineConfig } from 'vitest/config';

// Kernel suites: *.kernel.test.ts, run inside the qemu guest (scripts/vm/kernel-suites.mjs) where
// the L2TP and PPP modules are loaded. One worker: the guest has one CPU and tests share the kernel.
export default defineConfig({
  test: {
    include: ['test/**/*.kernel.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
