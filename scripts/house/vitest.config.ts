import { defineConfig } from 'vitest/config';

// House rules that span packages (import graph, sans-I/O engine, file size, TSDoc, declarations).
// Run by scripts/test-all.mjs after the packages are built; counted in the summary like any suite.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*.test.ts'],
    reporters: ['default', ['json', { outputFile: process.env.HOUSE_REPORT ?? '.vitest-report.json' }]],
  },
});
