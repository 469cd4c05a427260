#!/usr/bin/env node
// The Debian packages the test suites need, in one place: scripts/test-all.mjs (`pnpm test`)
// checks them before anything runs and installs the missing ones when it runs as root; .ci/run
// calls this file with --sudo. Not root and something missing: it stops with the exact command.
//
// `node scripts/system-packages.mjs [--sudo] [--host-only]`: exit 0 when everything is installed
// (installing as needed), 1 with the apt-get line otherwise.
import { spawnSync } from 'node:child_process';

/** What the host suites use: real pppd and xl2tpd, ip, ping, tcpdump captures, libnl (ffi), systemd-analyze. */
const BASE_PACKAGES = ['iproute2', 'ppp', 'xl2tpd', 'libnl-3-200', 'libnl-genl-3-200', 'tcpdump', 'systemd', 'iputils-ping', 'man-db', 'groff-base'];
/** go-l2tp's kl2tpd, built as an interop peer (scripts/go-l2tp/build.mjs): Go, its Debian sources, gcc for cgo. */
export const GO_L2TP_PACKAGES = ['golang-go', 'golang-github-go-kit-kit-dev', 'golang-github-mdlayher-genetlink-dev', 'golang-github-mdlayher-netlink-dev',
  'golang-github-pelletier-go-toml-dev', 'golang-golang-x-sys-dev', 'gcc', 'libc6-dev', 'git'];
/** Everything the host suites need (interop against xl2tpd, pppd and go-l2tp included). */
export const HOST_PACKAGES = [...BASE_PACKAGES, ...GO_L2TP_PACKAGES];
/**
 * What the kernel suites add: the qemu guest and its build (scripts/vm/build.mjs), and FreeRADIUS,
 * which apps/kl2tpd/test/lns-radius.kernel.test.ts starts inside the guest (the guest runs the
 * host's binaries over 9p, so a host package is a guest package).
 */
export const KERNEL_PACKAGES = ['qemu-system-x86', 'busybox-static', 'kmod', 'xz-utils', 'freeradius'];

/** The packages of `wanted` that dpkg does not list as installed. Throws when dpkg-query is absent. */
export function missingPackages(wanted) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${Package} format, not a template.
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Abbrev}\n', ...wanted], { encoding: 'utf8' });
  if (r.error) throw new Error(`dpkg-query: ${r.error.message}: the test suites need a Debian or Ubuntu machine (packages: ${wanted.join(' ')})`);
  const installed = new Set(r.stdout.split('\n').filter((l) => / ii/.test(l)).map((l) => l.split(' ')[0].replace(/:.*$/, '')));
  return wanted.filter((p) => !installed.has(p));
}

/** The command that installs `missing`, as printed and as run. */
export const installLine = (missing, sudo = '') =>
  `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${missing.join(' ')}`;

/**
 * Makes sure `wanted` is installed: as root (or with `sudo`) runs apt-get update and install and
 * checks again; otherwise installs nothing. Resolves to `{ ok, installed, message }`; `message`
 * (when not ok) holds the exact command to run.
 */
export function ensurePackages(wanted, { sudo = false, uid = process.getuid?.() ?? 0, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
  const missing = missingPackages(wanted);
  if (missing.length === 0) return { ok: true, installed: [] };
  if (uid !== 0 && !sudo) {
    return { ok: false, installed: [], message: `the test suites need these Debian packages, not installed: ${missing.join(' ')}\nrun as root:\n  ${installLine(missing)}` };
  }
  const cmd = uid === 0 ? ['apt-get'] : ['sudo', 'apt-get'];
  const apt = (...args) => spawnSync(cmd[0], [...cmd.slice(1), ...args], {
    stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  log(`installing the Debian packages the test suites need: ${missing.join(' ')}`);
  if (apt('update', '-qq').status !== 0) log('apt-get update failed; trying the install with the package lists there are');
  const r = apt('install', '-y', '-qq', '--no-install-recommends', ...missing);
  const still = missingPackages(wanted);
  if (r.status !== 0 || still.length) {
    return { ok: false, installed: [], message: `apt-get install failed (status ${r.status}); still missing: ${still.join(' ') || 'none'}\nrun:\n  ${installLine(still.length ? still : missing, uid === 0 ? '' : 'sudo ')}` };
  }
  return { ok: true, installed: missing };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sudo = process.argv.includes('--sudo') && process.getuid?.() !== 0;
  const wanted = process.argv.includes('--host-only') ? HOST_PACKAGES : [...HOST_PACKAGES, ...KERNEL_PACKAGES];
  try {
    const r = ensurePackages(wanted, { sudo });
    if (!r.ok) { console.error(r.message); process.exit(1); }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
