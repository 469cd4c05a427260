// Runs one shell command inside a qemu guest booted from Debian's kernel (build.mjs) with the host
// root shared read-only over 9p under a writable tmpfs overlay, so the guest sees the host's node,
// ip, pppd, xl2tpd and this checkout. The guest has no network device: nothing leaves it.
// Output goes through files on a 9p share (virtio-console lost data under TCG, vm-report.md §4).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGuestImage, invalidateGuestImage } from './build.mjs';

/** vCPUs of the guest (L2TP_VM_SMP overrides): one measured faster than two under TCG here (scripts/vm/README.md). */
export const DEFAULT_SMP = 1;

/** KVM only where it can boot stock kernels (kvm_intel/kvm_amd, not kvm_pvm); TCG otherwise. */
function accelerator() {
  if (process.env.L2TP_VM_ACCEL) return process.env.L2TP_VM_ACCEL;
  try {
    const mods = readFileSync('/proc/modules', 'utf8');
    if (existsSync('/dev/kvm') && /^kvm_(intel|amd) /m.test(mods) && !/^kvm_pvm /m.test(mods)) return 'kvm';
  } catch { /* no /proc/modules: fall through */ }
  return 'tcg,tb-size=256';
}

/** Whether a guest can be booted here, and if not why. */
export function guestAvailable() {
  try {
    execFileSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' };
  }
  if (!existsSync('/bin/busybox')) return { ok: false, reason: '/bin/busybox is missing (apt-get install busybox-static)' };
  try {
    ensureGuestImage();
  } catch (e) {
    return { ok: false, reason: `cannot build the guest image: ${String(e.message).split('\n')[0]}` };
  }
  return { ok: true };
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/**
 * Boots a guest, runs `command` (a shell command line) in `cwd` with `env`, and resolves with its
 * status and output. status 124: timeout; 125: the VM failed before the command finished. Before
 * the command it times one `node -e 0` (exported as L2TP_GUEST_NODE_START_MS; scripts/vm/waits.mjs
 * scales the kernel suites' waits with it) and notes the guest's uptime (boot time).
 */
export async function runInGuest({ command, cwd = process.cwd(), env = {}, timeoutMs = 600_000, rw = [], memMb = 1024, smp = Number(process.env.L2TP_VM_SMP) || DEFAULT_SMP, onOutput } = {}) {
  const t0 = Date.now();
  const image = ensureGuestImage();
  const io = mkdtempSync(join(tmpdir(), 'l2tp-vm-io-'));
  const exports = Object.entries({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', L2TP_IN_GUEST: '1', ...env })
    .map(([k, v]) => `export ${k}=${quote(v)}`).join('\n');
  // API filesystems are mounted from inside the chroot (the host's mount binary): mounting them
  // from the initramfs onto the overlay left /proc showing sysfs. /tmp stays the host's (copy on
  // write): checkouts and their temp dirs often live there (CI clones into /tmp).
  writeFileSync(join(io, 'stage2.sh'), `${exports}
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
hostname l2tp-guest
ip link set lo up 2>/dev/null
cd ${quote(cwd)} || { echo 125 > /l2tp-io/rc; exit; }
cut -d' ' -f1 /proc/uptime > /l2tp-io/boot-s
t0=$(date +%s%N); ${quote(process.execPath)} -e 0; t1=$(date +%s%N)
export L2TP_GUEST_NODE_START_MS=$(( (t1 - t0) / 1000000 ))
echo $L2TP_GUEST_NODE_START_MS > /l2tp-io/node-start-ms
( ${command} ) > /l2tp-io/stdout 2> /l2tp-io/stderr < /dev/null
echo $? > /l2tp-io/rc
`);
  // multidevs=remap: the host's /proc and /sys (distinct filesystems, same root inode) would alias
  // through 9p, so that mounting sysfs on /sys landed on /proc as well.
  const fsdevs = ['-fsdev', 'local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap', '-device', 'virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot',
    '-fsdev', `local,id=io,path=${io},security_model=none`, '-device', 'virtio-9p-pci,fsdev=io,mount_tag=io'];
  const tags = [];
  rw.forEach((dir, i) => {
    tags.push(`rw${i}`);
    writeFileSync(join(io, `rw-rw${i}`), dir);
    fsdevs.push('-fsdev', `local,id=rw${i},path=${dir},security_model=none`, '-device', `virtio-9p-pci,fsdev=rw${i},mount_tag=rw${i}`);
  });
  writeFileSync(join(io, 'rw-tags'), tags.join(' '));
  const args = ['-machine', 'pc', '-accel', accelerator(), '-m', String(memMb), '-smp', String(smp), '-nodefaults', '-nographic', '-no-reboot',
    '-kernel', image.kernel, '-initrd', image.initrd, '-append', 'console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init',
    '-serial', `file:${join(io, 'console')}`, ...fsdevs];
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let qemuErr = '';
  qemu.stderr.on('data', (d) => { qemuErr += d; });
  // Stream output while the command runs (files on the io share are written as they come).
  const seen = { stdout: 0, stderr: 0 };
  const pump = () => {
    if (!onOutput) return;
    for (const name of ['stdout', 'stderr']) {
      const f = join(io, name);
      if (!existsSync(f) || statSync(f).size <= seen[name]) continue;
      const text = readFileSync(f).subarray(seen[name]);
      seen[name] += text.length;
      onOutput(name, text.toString());
    }
  };
  const poll = setInterval(pump, 200);
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; qemu.kill('SIGKILL'); }, timeoutMs);
  await new Promise((resolve) => qemu.once('exit', resolve));
  clearTimeout(timer);
  clearInterval(poll);
  pump();
  const read = (f) => (existsSync(join(io, f)) ? readFileSync(join(io, f), 'utf8') : '');
  const rcText = read('rc').trim();
  const status = timedOut ? 124 : rcText === '' ? 125 : Number(rcText);
  const result = {
    status, stdout: read('stdout'), stderr: read('stderr'), durationMs: Date.now() - t0,
    console: read('console') + qemuErr, smp,
    bootMs: Math.round(Number(read('boot-s')) * 1000) || undefined, nodeStartMs: Number(read('node-start-ms')) || undefined,
  };
  // check.mjs should have caught a bad image; if the kernel still cannot start /init, do not boot it again.
  if (status === 125 && /Kernel panic|Unable to mount root fs|No working init found/.test(result.console)) {
    invalidateGuestImage(image.dir);
    result.console += `\n(guest image ${image.dir} marked bad: the next run rebuilds it)`;
  }
  rmSync(io, { recursive: true, force: true });
  return result;
}
