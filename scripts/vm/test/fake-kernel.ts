/**
 * A stand-in for Debian's kernel package and apt, so build.mjs runs end to end in a temporary
 * cache without the network: a .deb (made with the real dpkg-deb) holding a bzImage-like file with
 * an xz-compressed x86-64 ELF inside and ELF objects named like the modules; `apt-cache` and
 * `apt-get` scripts that serve it, log each call, and misbehave on request (FAKE_APT_MODE: `cut` writes half the
 * file and fails, `cut-ok` writes half and exits 0; FAKE_APT_DELAY seconds before a download).
 * Everything else the build runs (dpkg-deb, depmod, modprobe, xz, busybox) is the real tool.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const KVER = '6.1.0-99-amd64';
export const PKG = `linux-image-${KVER}`;
export const BUILD = new URL('../build.mjs', import.meta.url).pathname;

/** An ELF64 x86-64 header (`type` 2 executable, 1 relocatable) padded with zeros to `size`. */
export function fakeElf(type: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; b[5] = 1; b[6] = 1;
  b.writeUInt16LE(type, 16);
  b.writeUInt16LE(62, 18);
  return b;
}

/** Builds the fake kernel .deb in `dir` without `omit` modules; returns its path. */
export function fakeDeb(dir: string, modules: readonly string[], omit: readonly string[] = []): string {
  const root = join(dir, `deb-${omit.join('-') || 'full'}`);
  const mods = join(root, 'lib', 'modules', KVER, 'kernel');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'boot'), { recursive: true });
  mkdirSync(mods, { recursive: true });
  writeFileSync(join(root, 'DEBIAN', 'control'), `Package: ${PKG}\nVersion: 1\nArchitecture: amd64\nMaintainer: test <t@example.org>\nDescription: fake kernel\n`);
  const xz = execFileSync('xz', ['-c', '-0'], { input: fakeElf(2, 8 << 20), maxBuffer: 1 << 26 });
  writeFileSync(join(root, 'boot', `vmlinuz-${KVER}`), Buffer.concat([Buffer.from('MZ fake bzImage setup code'), Buffer.alloc(512), xz, Buffer.alloc(64)]));
  for (const [i, m] of modules.entries()) {
    if (omit.includes(m)) continue;
    const ko = fakeElf(1, 4096);
    // Half of them xz-compressed, as Debian may ship them.
    if (i % 2) writeFileSync(join(mods, `${m}.ko.xz`), execFileSync('xz', ['-c', '-0', '--check=crc32'], { input: ko }));
    else writeFileSync(join(mods, `${m}.ko`), ko);
  }
  const deb = join(dir, `${PKG}-${omit.join('-') || 'full'}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '-b', root, deb], { stdio: 'ignore' });
  return deb;
}

/** Writes fake apt-cache and apt-get into a new directory; returns it. */
export function fakeApt(dir: string): string {
  const bin = join(dir, 'fakebin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'apt-cache'), `#!/bin/sh\necho "linux-image-amd64"\necho "  Depends: ${PKG}"\n`, { mode: 0o755 });
  writeFileSync(join(bin, 'apt-get'), `#!/bin/sh
echo "$*" >> "$FAKE_APT_LOG"
case "$1" in
update) exit 0 ;;
download)
  case "$FAKE_APT_MODE" in
  cut) head -c $(($(stat -c %s "$FAKE_DEB") / 2)) "$FAKE_DEB" > ${PKG}_1_amd64.deb; echo "E: Failed to fetch: Connection reset" >&2; exit 100 ;;
  cut-ok) head -c $(($(stat -c %s "$FAKE_DEB") / 2)) "$FAKE_DEB" > ${PKG}_1_amd64.deb ;;
  *) sleep "\${FAKE_APT_DELAY:-0}"; cp "$FAKE_DEB" ${PKG}_1_amd64.deb ;;
  esac ;;
esac
`, { mode: 0o755 });
  return bin;
}

/**
 * A PATH equal to `path` but without `tool`: each directory is replaced by one of symlinks to
 * everything in it except the tool (made in a new directory under `under`).
 */
export function pathWithout(tool: string, path: string, under: string = tmpdir()): string {
  const base = mkdtempSync(join(under, 'path-'));
  return path.split(delimiter).filter((d) => existsSync(d)).map((d, i) => {
    const shadow = join(base, String(i));
    mkdirSync(shadow);
    for (const f of readdirSync(d)) if (f !== tool) symlinkSync(join(d, f), join(shadow, f));
    return shadow;
  }).join(delimiter);
}

/** Runs `node build.mjs` with `env` added; returns status, stderr and the fake apt's log. */
export function runBuild(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [BUILD], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}
