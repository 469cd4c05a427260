// The kernel suites of `pnpm test` (scripts/test-all.mjs): every workspace with a
// vitest.kernel.config.ts and *.kernel.test.ts files runs them inside ONE guest boot, each writing
// a vitest JSON report into the shared results directory. No guest → `notRun` with the reason,
// which test-all prints loudly and counts as a failure; nothing is counted as passed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { guestAvailable, runInGuest } from './guest.mjs';

function hasKernelTests(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? hasKernelTests(p) : f.endsWith('.kernel.test.ts');
  });
}

/** Runs the kernel suites; see the file header. */
export async function runKernelSuites({ root, workspaces, resultsDir }) {
  const suites = workspaces.filter((w) => existsSync(join(w, 'vitest.kernel.config.ts')) && hasKernelTests(join(w, 'test')));
  if (suites.length === 0) return { reports: [] };
  const available = guestAvailable();
  if (available.ok === false) return { reports: [], notRun: available.reason };
  const reports = suites.map((w) => {
    const label = `${relative(root, w)} (kernel guest)`;
    return { w, label, file: join(resultsDir, `kernel-${relative(root, w).replace(/\//g, '-')}.json`) };
  });
  // Sequential suites in one boot; `|| true` so one failing suite does not hide the others' reports.
  const command = reports.map((r) =>
    `(cd '${r.w}' && '${root}/node_modules/.bin/vitest' run --config vitest.kernel.config.ts --reporter=default --reporter=json --outputFile.json='${r.file}') || true`,
  ).join('; ');
  console.log(`\nkernel suites: booting a guest for ${suites.map((w) => relative(root, w)).join(', ')}`);
  const r = await runInGuest({
    command, cwd: root, rw: [resultsDir], timeoutMs: 30 * 60_000, env: { CI: process.env.CI ?? '', FORCE_COLOR: '0' },
    onOutput: (stream, text) => process[stream].write(text),
  });
  console.log(`kernel suites: guest finished with status ${r.status} in ${r.durationMs} ms (${r.smp} vCPU, booted in ${r.bootMs} ms, node -e 0 took ${r.nodeStartMs} ms)`);
  if (r.status === 124 || r.status === 125) {
    return { reports: reports.map(({ file, label }) => ({ file, label })), notRun: r.status === 124 ? 'the guest timed out' : `the guest failed: ${r.console.slice(-500)}` };
  }
  return { reports: reports.map(({ file, label }) => ({ file, label })) };
}
