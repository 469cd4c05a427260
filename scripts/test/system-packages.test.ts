/**
 * The Debian package check `pnpm test` starts with (scripts/system-packages.mjs): as root it
 * installs what is missing with apt-get; not root it installs nothing and stops at once with the
 * exact apt-get line, and so does `pnpm test` itself (scripts/test-all.mjs) before any suite runs.
 * dpkg-query and apt-get are fakes (a state file of installed packages); the uid is real (setpriv).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HOST_PACKAGES, KERNEL_PACKAGES } from '../system-packages.mjs';

const SCRIPT = new URL('../system-packages.mjs', import.meta.url).pathname;
const TEST_ALL = new URL('../test-all.mjs', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'sys-pkgs-test-'));
chmodSync(work, 0o755); // readable by the unprivileged user below
afterAll(() => rmSync(work, { recursive: true, force: true }));
const state = join(work, 'installed');
const log = join(work, 'apt.log');
writeFileSync(join(work, 'dpkg-query'), `#!/bin/sh
shift 2
for p in "$@"; do grep -qx "$p" ${state} && echo "$p ii " || echo "dpkg-query: no packages found matching $p" >&2; done
`, { mode: 0o755 });
writeFileSync(join(work, 'apt-get'), `#!/bin/sh
echo "$*" >> ${log}
[ "$1" = install ] && [ -z "$FAKE_APT_FAIL" ] && for p in "$@"; do echo "$p" >> ${state}; done
[ -z "$FAKE_APT_FAIL" ]
`, { mode: 0o755 });
const ALL = [...HOST_PACKAGES, ...KERNEL_PACKAGES];
const env = (extra: Record<string, string> = {}) => ({ ...process.env, PATH: `${work}:${process.env['PATH']}`, ...extra });
const aptCalls = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
beforeEach(() => {
  writeFileSync(state, `${ALL.filter((p) => p !== 'xl2tpd' && p !== 'busybox-static').join('\n')}\n`);
  writeFileSync(log, '');
});

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
/** Runs `args` as the user nobody (uid 65534). */
const asNobody = (args: string[], timeout = 30_000) =>
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args], { env: env(), encoding: 'utf8', timeout });

// Becoming another user needs root; the CI machine is root, as the README's fresh machine is.
describe.skipIf(!isRoot || !hasSetpriv)('not root', () => {
  it('stops with the exact apt-get line and installs nothing', () => {
    const r = asNobody([SCRIPT]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('apt-get update && apt-get install -y --no-install-recommends xl2tpd busybox-static');
    expect(aptCalls()).toEqual([]);
  });

  it('pnpm test (test-all.mjs) stops at once, before any suite, with the same line and a failed count', () => {
    const t0 = Date.now();
    const r = asNobody([TEST_ALL]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('apt-get install -y --no-install-recommends xl2tpd busybox-static');
    expect(r.stdout).not.toMatch(/turbo|vitest|RUN/i);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe.skipIf(!isRoot)('root', () => {
  it('installs exactly the missing packages, then finds everything', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { env: env(), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(aptCalls()).toEqual(['update -qq', 'install -y -qq --no-install-recommends xl2tpd busybox-static']);
    const again = spawnSync(process.execPath, [SCRIPT], { env: env(), encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(aptCalls().length).toBe(2);
  });

  it('a failed install is an error with the command to run, never a silent carry-on', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { env: env({ FAKE_APT_FAIL: '1' }), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/apt-get install failed \(status 1\); still missing: xl2tpd busybox-static/);
    expect(r.stderr).toContain('apt-get install -y --no-install-recommends xl2tpd busybox-static');
  });

  it('--host-only leaves the kernel suites\' packages alone', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--host-only'], { env: env(), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(aptCalls()).toEqual(['update -qq', 'install -y -qq --no-install-recommends xl2tpd']);
  });
});
