// Builds the guest cache (outside the repo): Debian's current linux-image-amd64 kernel, downloaded
// with `apt-get download` and unpacked (never installed), its modules.dep, the ELF vmlinux for a
// fast PVH boot (Debian's bzImage is xz; decompressing it under TCG costs ~2.4 s per boot), and
// an initramfs with static busybox and the modules the tests need.
//
// A failed step never leaves a usable-looking cache: the image is built in a temporary directory
// and renamed into place only after check.mjs passes on it, with `ready` (sizes and SHA-256 of
// both files) written last. Every use re-checks the image and rebuilds it when it is bad. A lock
// directory holding the builder's pid serialises builds; a lock whose builder died is taken over.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { checkImage, fileRecord } from './check.mjs';
import { writeNewc } from './cpio.mjs';

/** Where the cache lives: L2TP_VM_CACHE, read at each call, else /var/cache/l2tp-vm (root) or ~/.cache/l2tp-vm. */
export const cacheDir = () => process.env.L2TP_VM_CACHE ?? (process.getuid?.() === 0 ? '/var/cache/l2tp-vm' : join(homedir(), '.cache', 'l2tp-vm'));
/** Modules the guest loads, in this order (their dependencies first). */
export const MODULES = [
  'virtio_pci', '9pnet_virtio', '9p', 'overlay', 'veth', 'l2tp_core', 'l2tp_netlink', 'l2tp_eth', 'l2tp_ip', 'l2tp_ip6',
  'ppp_generic', 'pppox', 'l2tp_ppp',
];
/** Programs the build runs, with the Debian package that has each. */
export const TOOLS = { 'apt-cache': 'apt', 'apt-get': 'apt', 'dpkg-deb': 'dpkg', depmod: 'kmod', modprobe: 'kmod', xz: 'xz-utils' };
/** The static busybox copied into the initramfs (Debian package busybox-static). */
export const BUSYBOX = '/bin/busybox';

/** Runs a build step; a failure names the step and carries the tool's stderr. */
function run(step, cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, ...opts });
  } catch (e) {
    const why = String(e.stderr ?? '').trim().split('\n').slice(-3).join(' / ') || e.message;
    throw new Error(`guest build: ${step} failed (${cmd} ${args.join(' ')}): ${why}`);
  }
}

/** Tools missing from PATH, as "tool (package)"; checked before anything is downloaded. */
export function missingTools() {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const missing = Object.entries(TOOLS).filter(([tool]) => !dirs.some((d) => existsSync(join(d, tool)))).map(([t, p]) => `${t} (${p})`);
  if (!existsSync(BUSYBOX)) missing.push(`${BUSYBOX} (busybox-static)`);
  return missing;
}

/** The kernel package linux-image-amd64 depends on today (security updates change it). */
function kernelPackage() {
  const read = () => execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let out;
  try { out = read(); } catch { run('apt-get update', 'apt-get', ['update', '-qq']); out = run('apt-cache depends', 'apt-cache', ['depends', 'linux-image-amd64']); }
  const m = /Depends: (linux-image-[0-9][^\s]*-amd64)\b/.exec(out);
  if (!m) throw new Error(`guest build: cannot find the kernel package of linux-image-amd64 in:\n${out}`);
  return m[1];
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };

function withLock(cache, fn) {
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, '.lock');
  const t0 = Date.now();
  for (;;) {
    try { mkdirSync(lock); writeFileSync(join(lock, 'pid'), String(process.pid)); break; } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = NaN;
      let age = 0;
      try { pid = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being written, or an old-style lock */ }
      try { age = Date.now() - statSync(lock).mtimeMs; } catch { continue; /* just released */ }
      // A builder that died (killed, interrupted) leaves its lock: take it over.
      if ((pid > 0 && !alive(pid)) || (!(pid > 0) && age > 30_000) || age > 1_800_000) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() - t0 > 1_800_000) throw new Error(`${lock}: waited 30 minutes for build pid ${pid}`);
      execFileSync('sleep', ['1']);
    }
  }
  try { return fn(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

/** Extracts the ELF vmlinux from an xz-compressed bzImage (finds the xz stream, checks the ELF magic). */
function extractVmlinux(bzImage) {
  const img = readFileSync(bzImage);
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  for (let at = img.indexOf(magic); at >= 0; at = img.indexOf(magic, at + 1)) {
    let elf;
    // Only a stream xz decompressed to its end counts: a truncated one yields a partial ELF.
    try {
      elf = execFileSync('xz', ['-dc', '--single-stream'], { input: img.subarray(at), maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] });
    } catch { continue; }
    if (elf.length > 4 && elf.readUInt32BE(0) === 0x7f454c46) return elf;
  }
  throw new Error(`guest build: ${bzImage}: no xz-compressed ELF vmlinux inside`);
}

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do insmod "$m" 2>/dev/null || echo "init: insmod $m failed" > /dev/ttyS0; done
mkdir -p /lower /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower || { echo "init: no host root"; poweroff -f; }
mount -t tmpfs -o size=70% tmpfs /rw; mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot
mkdir -p /newroot/l2tp-io
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 io /newroot/l2tp-io
for tag in $(cat /newroot/l2tp-io/rw-tags 2>/dev/null); do
  dir=$(cat /newroot/l2tp-io/rw-$tag); mkdir -p "/newroot$dir"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 $tag "/newroot$dir"
done
chroot /newroot /bin/sh /l2tp-io/stage2.sh
# Daemons the command left behind (xl2tpd, pppd) would hold files open: end them.
kill -TERM -1 2>/dev/null; sleep 0.2; kill -KILL -1 2>/dev/null
sync; umount /newroot/l2tp-io 2>/dev/null
poweroff -f
`;

/** Builds the image into `tmp` (every step checked); returns the manifest written as `tmp/ready`. */
function build(tmp, pkg, recipe) {
  const t0 = Date.now();
  mkdirSync(tmp, { recursive: true });
  try {
    run('apt-get download', 'apt-get', ['download', pkg], { cwd: tmp });
  } catch {
    // Stale package lists name a kernel the mirror has dropped (security updates bump the ABI).
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    run('apt-get update', 'apt-get', ['update', '-qq']);
    const fresh = kernelPackage();
    if (fresh !== pkg) throw new Error(`guest build: the kernel package changed to ${fresh} after apt-get update; run again`);
    run('apt-get download', 'apt-get', ['download', pkg], { cwd: tmp });
  }
  const debs = readdirSync(tmp).filter((f) => f.endsWith('.deb'));
  if (debs.length !== 1) throw new Error(`guest build: apt-get download ${pkg} left ${debs.length} .deb files in ${tmp}`);
  const root = join(tmp, 'root');
  run('unpacking the kernel package', 'dpkg-deb', ['-x', join(tmp, debs[0]), root]);
  const kvers = existsSync(join(root, 'lib', 'modules')) ? readdirSync(join(root, 'lib', 'modules')) : [];
  if (kvers.length !== 1) throw new Error(`guest build: ${debs[0]} has ${kvers.length} module trees under lib/modules`);
  const kver = kvers[0];
  run('depmod', 'depmod', ['-b', root, kver]);
  const vmlinux = extractVmlinux(join(root, 'boot', `vmlinuz-${kver}`));
  writeFileSync(join(tmp, 'vmlinux'), vmlinux);
  /** @type {{ name: string, mode: number, data?: Buffer | Uint8Array | string }[]} */
  const entries = ['bin', 'dev', 'proc', 'sys', 'mods'].map((name) => ({ name, mode: 0o40755 }));
  entries.push({ name: 'bin/busybox', mode: 0o100755, data: readFileSync(BUSYBOX) });
  const order = [];
  for (const mod of MODULES) {
    const deps = run(`finding module ${mod}`, 'modprobe', ['-d', root, '-S', kver, '--show-depends', mod]);
    for (const line of deps.split('\n')) {
      const m = /^insmod (\S+)/.exec(line);
      if (!m) continue;
      const name = `mods/${basename(m[1]).replace(/\.xz$/, '')}`;
      if (order.includes(`/${name}`)) continue;
      const data = m[1].endsWith('.xz') ? Buffer.from(run(`decompressing ${m[1]}`, 'xz', ['-dc', m[1]], { encoding: 'buffer' })) : readFileSync(m[1]);
      entries.push({ name, mode: 0o100644, data });
      order.push(`/${name}`);
    }
  }
  entries.push({ name: 'modules.order', mode: 0o100644, data: Buffer.from(`${order.join('\n')}\n`) });
  entries.push({ name: 'init', mode: 0o100755, data: Buffer.from(INIT) });
  const initrd = gzipSync(writeNewc(entries), { level: 1 });
  writeFileSync(join(tmp, 'initrd.cpio.gz'), initrd);
  rmSync(root, { recursive: true, force: true });
  rmSync(join(tmp, debs[0]));
  const manifest = { pkg, kver, recipe, builtMs: Date.now() - t0, modules: order, files: { vmlinux: fileRecord(vmlinux), 'initrd.cpio.gz': fileRecord(initrd) } };
  writeFileSync(join(tmp, 'ready'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

const checked = new Map(); // dir → manifest mtime: each image is checked once per process

/**
 * Builds the cache if needed and returns the paths of kernel and initramfs. The image is checked
 * (check.mjs) on first use in a process and rebuilt when bad. Throws, leaving no image marked
 * ready, when a tool is missing or any step fails (download, unpacking, a full disk).
 */
export function ensureGuestImage() {
  const cache = cacheDir();
  const missing = missingTools();
  if (missing.length) throw new Error(`guest build: missing ${missing.join(', ')}; apt-get install ${[...new Set(missing.map((m) => /\((.*)\)/.exec(m)[1]))].join(' ')}`);
  const pkg = kernelPackage();
  // The recipe is part of the key: a changed module list or init script rebuilds the image.
  const recipe = createHash('sha256').update(`${JSON.stringify(MODULES) + INIT}newc-js`).digest('hex').slice(0, 12);
  const dir = join(cache, `${pkg}-${recipe}`);
  const paths = { dir, kernel: join(dir, 'vmlinux'), initrd: join(dir, 'initrd.cpio.gz'), pkg };
  const stamp = () => { try { return statSync(join(dir, 'ready')).mtimeMs; } catch { return -1; } };
  if (checked.get(dir) === stamp() && stamp() >= 0) return paths;
  let problems = checkImage(dir);
  if (problems.length === 0) { checked.set(dir, stamp()); return paths; }
  return withLock(cache, () => {
    problems = checkImage(dir);
    if (problems.length === 0) { checked.set(dir, stamp()); return paths; }
    if (existsSync(dir)) process.stderr.write(`guest build: rebuilding ${dir}: ${problems.join('; ')}\n`);
    // Only the lock holder builds, so every temporary directory left here is a dead build's.
    for (const f of readdirSync(cache)) if (f.includes('.tmp-')) rmSync(join(cache, f), { recursive: true, force: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    try {
      build(tmp, pkg, recipe);
      const bad = checkImage(tmp);
      if (bad.length) throw new Error(`guest build: the image just built fails its checks: ${bad.join('; ')}`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    checked.set(dir, stamp());
    return paths;
  });
}

/** Marks the image bad (its kernel panicked at boot): the next {@link ensureGuestImage} rebuilds it. */
export function invalidateGuestImage(dir) {
  rmSync(join(dir, 'ready'), { force: true });
  checked.delete(dir);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  try {
    console.log(ensureGuestImage(), `${Date.now() - t0} ms`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
