/**
 * The one vitest configuration every workspace uses (each workspace's vitest.config.ts and
 * vitest.kernel.config.ts only call these), so suites behave the same everywhere.
 */
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { scaled } from './scripts/vm/waits.mjs';

/**
 * Unit suites run on the host. Kernel suites (*.kernel.test.ts) need L2TP in the kernel and run
 * inside the qemu guest through scripts/test-all.mjs, never here.
 */
export function unitConfig(): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      exclude: ['test/**/*.kernel.test.ts', 'node_modules/**'],
      reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
      // A guard, not a measure: tests wait on events, and turbo runs every suite at once on CI's
      // 2 cores, where a multi-process test (several daemons started) has taken over 30 s.
      testTimeout: 90_000,
    },
  });
}

/**
 * Kernel suites: *.kernel.test.ts, run inside the qemu guest (scripts/vm/kernel-suites.mjs) where the
 * L2TP and PPP modules are loaded. One worker: the tests share the kernel (namespaces, ids). The
 * timeouts scale with the guest's measured speed (scripts/vm/waits.mjs).
 */
export function kernelConfig(): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['test/**/*.kernel.test.ts'],
      pool: 'forks',
      maxWorkers: 1,
      fileParallelism: false,
      testTimeout: scaled(120_000),
      hookTimeout: scaled(120_000),
    },
  });
}
