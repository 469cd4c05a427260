/**
 * The guest build (build.mjs) against each way a build goes wrong on a fresh or unlucky machine: a
 * missing tool, an interrupted download, a failing step, a full disk, a builder killed mid-way; and
 * a cached image damaged after the fact (truncated initramfs, non-ELF or altered vmlinux, an old
 * manifest). Each must fail loudly or rebuild, never leave an image marked ready that cannot boot.
 * Runs in temporary caches (L2TP_VM_CACHE) with the fake kernel package of fake-kernel.ts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../build.mjs';
import { checkImage } from '../check.mjs';
import { fakeApt, fakeDeb, fakeElf, PKG, pathWithout, runBuild } from './fake-kernel.ts';

const work = mkdtempSync(join(tmpdir(), 'vm-cache-test-'));
let bin = '';
let deb = '';
let debNoPpp = '';
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  bin = fakeApt(work);
  deb = fakeDeb(work, MODULES);
  debNoPpp = fakeDeb(work, MODULES, ['l2tp_ppp']);
});

let n = 0;
/** A fresh cache and the environment that builds into it with the fake apt. */
function fresh(extra: Record<string, string> = {}) {
  const cache = join(work, `cache-${++n}`);
  const log = join(work, `apt-${n}.log`);
  writeFileSync(log, '');
  const env = { L2TP_VM_CACHE: cache, PATH: `${bin}:${process.env['PATH']}`, FAKE_APT_LOG: log, FAKE_DEB: deb, FAKE_APT_MODE: 'ok', ...extra };
  const aptCalls = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { cache, env, aptCalls };
}
/** The image directories in a cache (anything but the lock). */
const images = (cache: string) => (existsSync(cache) ? readdirSync(cache).filter((f) => f !== '.lock') : []);
const imageDir = (cache: string) => join(cache, images(cache).find((f) => f.startsWith(PKG) && !f.includes('.tmp-'))!);

/** Asserts that a failed build left nothing behind that looks ready, nor a lock or temporary tree. */
function nothingReady(cache: string) {
  for (const f of images(cache)) expect(existsSync(join(cache, f, 'ready')), `${f} is marked ready`).toBe(false);
  expect(images(cache).filter((f) => f.includes('.tmp-'))).toEqual([]);
  expect(existsSync(join(cache, '.lock'))).toBe(false);
}

describe('a build that cannot finish fails and marks nothing ready', () => {
  it('a missing tool (xz) is named with its Debian package before anything is downloaded', () => {
    const f = fresh();
    const r = runBuild({ ...f.env, PATH: pathWithout('xz', f.env.PATH, work) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/missing xz \(xz-utils\); apt-get install xz-utils/);
    expect(f.aptCalls()).toEqual([]);
    nothingReady(f.cache);
  });

  it('cpio(1) is not needed (the fresh-machine failure "cpio: not found"): a PATH without it builds', () => {
    const f = fresh();
    const r = runBuild({ ...f.env, PATH: pathWithout('cpio', f.env.PATH, work) });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(checkImage(imageDir(f.cache))).toEqual([]);
  });

  it('an interrupted download (apt-get fails after half the file) fails, twice tried after apt-get update', () => {
    const f = fresh({ FAKE_APT_MODE: 'cut' });
    const r = runBuild(f.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/apt-get download failed .*Connection reset/);
    expect(f.aptCalls()).toEqual([`download ${PKG}`, 'update -qq', `download ${PKG}`]);
    nothingReady(f.cache);
  });

  it('a truncated download that apt-get reported as success fails at unpacking', () => {
    const f = fresh({ FAKE_APT_MODE: 'cut-ok' });
    const r = runBuild(f.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unpacking the kernel package failed/);
    nothingReady(f.cache);
  });

  it('a failing step (a module the kernel package lacks) fails the build', () => {
    const f = fresh({ FAKE_DEB: debNoPpp });
    const r = runBuild(f.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/finding module l2tp_ppp failed/);
    nothingReady(f.cache);
  });

  // Mounting a small tmpfs needs root (CAP_SYS_ADMIN); without it there is no full disk to make.
  const canMount = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
  it.skipIf(!canMount)('a full disk (cache on a 3 MiB tmpfs) fails with ENOSPC and leaves no partial image', () => {
    const f = fresh();
    mkdirSync(f.cache, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', f.cache]);
    try {
      const r = runBuild(f.env);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/ENOSPC/);
      nothingReady(f.cache);
    } finally {
      execFileSync('umount', [f.cache]);
    }
  });

  it('a builder killed mid-way leaves a lock and a temporary tree that the next build takes over', async () => {
    const f = fresh({ FAKE_APT_DELAY: '30' });
    const child = spawn(process.execPath, [new URL('../build.mjs', import.meta.url).pathname], { env: { ...process.env, ...f.env }, stdio: 'ignore', detached: true });
    for (let i = 0; i < 300 && !f.aptCalls().length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(f.aptCalls()).toEqual([`download ${PKG}`]);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGKILL'); // the builder and its apt-get, as a ^C or an OOM kill would
    await exited;
    expect(existsSync(join(f.cache, '.lock'))).toBe(true);
    for (const d of images(f.cache)) expect(existsSync(join(f.cache, d, 'ready'))).toBe(false);
    const t0 = Date.now();
    const r = runBuild({ ...f.env, FAKE_APT_DELAY: '0' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(90_000); // not the 30-minute wait for a live builder
    expect(checkImage(imageDir(f.cache))).toEqual([]);
    expect(images(f.cache).filter((d) => d.includes('.tmp-'))).toEqual([]);
  }, 120_000);
});

describe('a cached image is checked before use and rebuilt when bad', () => {
  let f: ReturnType<typeof fresh>;
  let dir = '';
  beforeAll(() => {
    f = fresh();
    const r = runBuild(f.env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    dir = imageDir(f.cache);
  });

  it('a good build passes every check, records both checksums, and is not rebuilt', () => {
    expect(checkImage(dir)).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'ready'), 'utf8'));
    expect(manifest.files.vmlinux.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.files['initrd.cpio.gz'].size).toBe(statSync(join(dir, 'initrd.cpio.gz')).size);
    const calls = f.aptCalls().length;
    expect(runBuild(f.env).status).toBe(0);
    expect(f.aptCalls().length).toBe(calls);
  });

  const damages: [string, (d: string) => void, RegExp][] = [
    ['a truncated initramfs', (d) => truncateSync(join(d, 'initrd.cpio.gz'), 20), /initrd\.cpio\.gz is 20 bytes/],
    ['a vmlinux that is not ELF', (d) => writeFileSync(join(d, 'vmlinux'), Buffer.alloc(8 << 20, 0x41)), /vmlinux is not an x86-64 ELF/],
    ['a vmlinux altered after the build', (d) => writeFileSync(join(d, 'vmlinux'), Buffer.concat([fakeElf(2, 8 << 20), Buffer.of(1)])), /vmlinux differs from the size and SHA-256/],
    ['an old-style manifest', (d) => writeFileSync(join(d, 'ready'), `${PKG} built in 5000 ms\n`), /not a manifest/],
    ['a lost manifest (build interrupted before the end)', (d) => rmSync(join(d, 'ready')), /ready is missing/],
  ];
  it.each(damages)('%s is found and the image rebuilt', (_what, damage, why) => {
    damage(dir);
    expect(checkImage(dir).join('\n')).toMatch(why);
    const calls = f.aptCalls().length;
    const r = runBuild(f.env);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`rebuilding ${dir}: .*${why.source}`));
    expect(f.aptCalls().length).toBe(calls + 1);
    expect(checkImage(dir)).toEqual([]);
  });
});
