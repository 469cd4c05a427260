// Builds the guest cache (outside the repo): Debian's current linux-image-amd64 kernel, downloaded
// with `apt-get download` and unpacked (never installed), its modules.dep, the ELF vmlinux for a
// fast PVH boot (Debian's bzImage is xz; decompressing it under TCG costs ~2.4 s per boot), and
// an initramfs with static busybox and the modules the tests need. Safe when two runs race: a
// lock directory serialises builds and a finished build is marked by `ready`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Where the cache lives (override with L2TP_VM_CACHE). */
export const CACHE = process.env.L2TP_VM_CACHE ?? '/var/cache/l2tp-vm';
/** Modules the guest loads, in this order (their dependencies first). */
export const MODULES = [
  'virtio_pci', '9pnet_virtio', '9p', 'overlay', 'veth', 'l2tp_core', 'l2tp_netlink', 'l2tp_eth', 'l2tp_ip', 'l2tp_ip6',
  'ppp_generic', 'pppox', 'l2tp_ppp',
];

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });

/** The kernel package linux-image-amd64 depends on today (security updates change it). */
function kernelPackage() {
  const read = () => sh('apt-cache', ['depends', 'linux-image-amd64']);
  let out;
  try { out = read(); } catch { sh('apt-get', ['update', '-qq']); out = read(); }
  const m = /Depends: (linux-image-[0-9][^\s]*-amd64)\b/.exec(out);
  if (!m) throw new Error(`cannot find the kernel package of linux-image-amd64 in:\n${out}`);
  return m[1];
}

function withLock(fn) {
  mkdirSync(CACHE, { recursive: true });
  const lock = join(CACHE, '.lock');
  const t0 = Date.now();
  for (;;) {
    try { mkdirSync(lock); break; } catch {
      // A lock older than 10 minutes belongs to a build that died.
      if (Date.now() - statSync(lock).mtimeMs > 600_000) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() - t0 > 900_000) throw new Error(`${lock}: waited 15 minutes for another build`);
      execFileSync('sleep', ['1']);
    }
  }
  try { return fn(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

/** Extracts the ELF vmlinux from an xz-compressed bzImage (finds the xz stream, checks the ELF magic). */
function extractVmlinux(bzImage, out) {
  const img = readFileSync(bzImage);
  const magic = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
  for (let at = img.indexOf(magic); at >= 0; at = img.indexOf(magic, at + 1)) {
    let elf;
    try {
      elf = execFileSync('xz', ['-dc', '--single-stream'], { input: img.subarray(at), maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] });
    } catch (e) { elf = /** @type {{ stdout?: Buffer }} */ (e).stdout; }
    if (elf && elf.length > 4 && elf.readUInt32BE(0) === 0x7f454c46) { writeFileSync(out, elf); return; }
  }
  throw new Error(`${bzImage}: no xz-compressed ELF vmlinux inside`);
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

/** Builds the cache if needed; returns the paths of kernel and initramfs. */
export function ensureGuestImage() {
  const pkg = kernelPackage();
  // The recipe is part of the key: a changed module list or init script rebuilds the image.
  const recipe = createHash('sha256').update(JSON.stringify(MODULES) + INIT).digest('hex').slice(0, 12);
  const dir = join(CACHE, `${pkg}-${recipe}`);
  const ready = join(dir, 'ready');
  const paths = { dir, kernel: join(dir, 'vmlinux'), initrd: join(dir, 'initrd.cpio.gz'), pkg };
  if (existsSync(ready)) return paths;
  return withLock(() => {
    if (existsSync(ready)) return paths;
    const t0 = Date.now();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      sh('apt-get', ['download', pkg], { cwd: dir });
    } catch {
      // Stale package lists name a kernel the mirror has dropped (security updates bump the ABI).
      sh('apt-get', ['update', '-qq']);
      const fresh = kernelPackage();
      if (fresh !== pkg) throw new Error(`the kernel package changed to ${fresh} after apt-get update; run again`);
      sh('apt-get', ['download', pkg], { cwd: dir });
    }
    const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
    const root = join(dir, 'root');
    sh('dpkg-deb', ['-x', join(dir, deb), root]);
    const kver = readdirSync(join(root, 'lib', 'modules'))[0];
    sh('depmod', ['-b', root, kver]);
    extractVmlinux(join(root, 'boot', `vmlinuz-${kver}`), paths.kernel);
    const initrd = join(dir, 'initrd');
    for (const d of ['bin', 'proc', 'sys', 'dev', 'mods']) mkdirSync(join(initrd, d), { recursive: true });
    copyFileSync('/bin/busybox', join(initrd, 'bin', 'busybox'));
    chmodSync(join(initrd, 'bin', 'busybox'), 0o755);
    const order = [];
    for (const mod of MODULES) {
      const deps = sh('modprobe', ['-d', root, '-S', kver, '--show-depends', mod]);
      for (const line of deps.split('\n')) {
        const m = /^insmod (\S+)/.exec(line);
        if (!m) continue;
        const target = join(initrd, 'mods', basename(m[1]).replace(/\.xz$/, ''));
        if (order.includes(`/mods/${basename(target)}`)) continue;
        if (m[1].endsWith('.xz')) writeFileSync(target, execFileSync('xz', ['-dc', m[1]], { maxBuffer: 1 << 28 }));
        else copyFileSync(m[1], target);
        order.push(`/mods/${basename(target)}`);
      }
    }
    writeFileSync(join(initrd, 'modules.order'), `${order.join('\n')}\n`);
    writeFileSync(join(initrd, 'init'), INIT, { mode: 0o755 });
    execFileSync('sh', ['-c', `cd '${initrd}' && find . | cpio -o -H newc --quiet | gzip -1 > '${paths.initrd}'`]);
    rmSync(initrd, { recursive: true, force: true });
    rmSync(join(dir, deb));
    writeFileSync(ready, `${pkg} ${kver} built in ${Date.now() - t0} ms\n`);
    return paths;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  console.log(ensureGuestImage(), `${Date.now() - t0} ms`);
}
