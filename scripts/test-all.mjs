#!/usr/bin/env node
// The README's test command (`pnpm test`): every suite, on a fresh machine too.
//
// 0. The Debian packages the suites need (scripts/system-packages.mjs): installed when missing and
//    root; not root, it stops at once with the exact apt-get line (nothing runs, nothing passes).
// 1. Host suites: `turbo run test` in every package (vitest, JSON report per package).
// 2. Kernel suites: *.kernel.test.ts run inside the qemu guest (scripts/vm/), one boot per package.
//    When no guest can be booted they are reported as NOT RUN with the reason and counted failed;
//    L2TP_SKIP_KERNEL=1 skips them on purpose (reported, not counted).
// It ends with the single line `N passed, N failed` that CI reads, summed over every report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, readdirSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages, HOST_PACKAGES, KERNEL_PACKAGES } from './system-packages.mjs';

const skipKernel = process.env.L2TP_SKIP_KERNEL === '1';
try {
  const deps = ensurePackages(skipKernel ? HOST_PACKAGES : [...HOST_PACKAGES, ...KERNEL_PACKAGES]);
  if (!deps.ok) throw new Error(deps.message);
} catch (e) {
  console.error(`pnpm test: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = ['packages', 'apps'].flatMap((d) =>
  readdirSync(join(root, d), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, d, e.name)));
const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
for (const w of workspaces) rmSync(join(w, '.vitest-report.json'), { force: true });

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const host = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--continue'], { cwd: root, stdio: 'inherit', env });

let passed = 0;
let failed = 0;
const notes = [];
const failures = [];
const firstLine = (m) => String(m ?? '').replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '').split('\n').find((l) => l.trim()) ?? '';
/** Adds one vitest JSON report to the totals; a report with failed suites but no failed test counts one failure. */
function addReport(file, label) {
  if (!existsSync(file)) return false;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  let f = r.numFailedTests;
  if (f === 0 && r.numFailedTestSuites > 0) f = r.numFailedTestSuites;
  // A suite that ran nothing (no test file found, all skipped) must not read as a pass.
  if (f === 0 && r.numPassedTests === 0) f = 1;
  failed += f;
  notes.push(`${label}: ${r.numPassedTests} passed, ${f} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  // CI keeps only the tail of the output: name every failure here, with the first line of its message.
  for (const suite of r.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).every((t) => t.status !== 'failed')) {
      failures.push(`  FAILED ${label} ${suite.name.slice(root.length + 1)}: ${firstLine(suite.message)}`);
    }
    for (const t of suite.assertionResults ?? []) {
      if (t.status === 'failed') failures.push(`  FAILED ${label} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    }
  }
  return true;
}
for (const w of workspaces) {
  const name = w.slice(root.length + 1);
  if (!addReport(join(w, '.vitest-report.json'), name) && existsSync(join(w, 'test'))) {
    failed += 1;
    notes.push(`${name}: no report (the suite did not run)`);
  }
}
for (const [name, config, variable, label] of [
  ['house', 'scripts/house/vitest.config.ts', 'HOUSE_REPORT', 'house rules'],
  ['scripts', 'scripts/vitest.config.ts', 'SCRIPTS_REPORT', 'scripts (guest build, Debian packages)'],
]) {
  const report = join(resultsDir, `${name}.json`);
  spawnSync('pnpm', ['exec', 'vitest', 'run', '--config', config], { cwd: root, stdio: 'inherit', env: { ...env, [variable]: report } });
  if (!addReport(report, label)) { failed += 1; notes.push(`${label}: no report`); }
}
if (host.status !== 0 && failed === 0) {
  failed += 1;
  notes.push(`turbo run test exited ${host.status} without a failed test in any report`);
}

const kernelRunner = join(root, 'scripts', 'vm', 'kernel-suites.mjs');
if (existsSync(kernelRunner) && !skipKernel) {
  const { runKernelSuites } = await import(kernelRunner);
  const k = await runKernelSuites({ root, workspaces, resultsDir });
  for (const r of k.reports) {
    if (!addReport(r.file, r.label)) { failed += 1; notes.push(`${r.label}: no report from the guest`); }
  }
  if (k.notRun) {
    if (k.reports.length === 0) failed += 1; // otherwise each missing report counts already
    notes.push('');
    notes.push('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    notes.push(`!!! KERNEL SUITES NOT RUN: ${k.notRun}`);
    notes.push('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  }
} else if (skipKernel) {
  notes.push('!!! KERNEL SUITES NOT RUN: L2TP_SKIP_KERNEL=1');
}

if (failures.length > 0) notes.push('', 'failed tests:', ...failures.map((l) => l.slice(0, 300)));
console.log(`\n${notes.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
