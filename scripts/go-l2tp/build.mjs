#!/usr/bin/env node
/**
 * go-l2tp's kl2tpd, built on this host from Debian's Go packages, as a third-party LAC for the LNS
 * suites: `buildGoL2tpKl2tpd()` returns the binary's path, or a reason it cannot be built that the
 * suites print loudly (never a silent skip that looks like a pass).
 *
 * How: Debian's `-dev` packages install Go sources under /usr/share/gocode/src, so the build runs
 * with GO111MODULE=off and GOPATH = <cache>/gopath:/usr/share/gocode. go-l2tp's source comes from
 * GO_L2TP_SRC (a checkout), else the cache, else the copy shipped in third_party/go-l2tp (the pinned
 * commit's MIT-licensed sources, so CI needs no GitHub), else `git clone` of GO_L2TP_GIT. Everything lives in the cache dir (L2TP_GO_CACHE, default
 * ~/.cache/l2tp/go-l2tp); the binary is rebuilt only when the source commit changes.
 *
 * CLI: `node scripts/go-l2tp/build.mjs` prints the path (exit 0) or the reason (exit 1).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** go-l2tp v0.1.8, the release the project's research describes (go-l2tp.md). */
export const GO_L2TP_COMMIT = '0f3bb650da44ce8565d1ff0e62d5cef000d36c65';
/** The pinned commit's sources (LICENSE, go.mod, cmd/kl2tpd and the packages it imports): third_party/go-l2tp. */
const VENDORED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'third_party', 'go-l2tp', `go-l2tp-${GO_L2TP_COMMIT.slice(0, 8)}.tar.xz`);
const GIT_URL = process.env.GO_L2TP_GIT ?? 'https://github.com/katalix/go-l2tp.git';
const GOCODE = '/usr/share/gocode/src';
/** Import paths go-l2tp's kl2tpd needs from Debian, and the package that ships each. */
const DEBIAN_SOURCES = {
  'github.com/go-kit/kit/log': 'golang-github-go-kit-kit-dev',
  'github.com/mdlayher/genetlink': 'golang-github-mdlayher-genetlink-dev',
  'github.com/mdlayher/netlink': 'golang-github-mdlayher-netlink-dev',
  'github.com/pelletier/go-toml': 'golang-github-pelletier-go-toml-dev',
  'golang.org/x/sys/unix': 'golang-golang-x-sys-dev',
};

/** The cache directory. */
export function goL2tpCacheDir() {
  return process.env.L2TP_GO_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'l2tp', 'go-l2tp');
}

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, ...opts });

/**
 * Builds (or reuses) go-l2tp's kl2tpd. Resolves `{ ok: true, path, commit }` or
 * `{ ok: false, reason }` naming what is missing and how to get it.
 */
export function buildGoL2tpKl2tpd({ cacheDir = goL2tpCacheDir() } = {}) {
  const go = run('go', ['version']);
  if (go.error || go.status !== 0) {
    return { ok: false, reason: `go is not installed: apt-get install golang-go ${Object.values(DEBIAN_SOURCES).join(' ')}` };
  }
  const cc = run('cc', ['--version']);
  if (cc.error || cc.status !== 0) return { ok: false, reason: 'no C compiler for cgo: apt-get install gcc linux-libc-dev' };
  const missing = Object.entries(DEBIAN_SOURCES).filter(([path]) => !existsSync(join(GOCODE, path))).map(([, pkg]) => pkg);
  if (missing.length > 0) return { ok: false, reason: `Debian Go sources missing under ${GOCODE}: apt-get install ${[...new Set(missing)].join(' ')}` };

  const gopath = join(cacheDir, 'gopath');
  const src = join(gopath, 'src', 'github.com', 'katalix', 'go-l2tp');
  const source = ensureSource(src);
  if (!source.ok) return source;

  const bin = join(cacheDir, 'bin', 'kl2tpd');
  const stamp = join(cacheDir, 'bin', 'kl2tpd.commit');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === source.commit) return { ok: true, path: bin, commit: source.commit };
  mkdirSync(dirname(bin), { recursive: true });
  const env = {
    ...process.env, GO111MODULE: 'off', GOPATH: `${gopath}:/usr/share/gocode`, GOCACHE: join(cacheDir, 'gocache'),
    // cgo stays on: cmd/kl2tpd/pppox.go includes <linux/if_pppox.h> (gcc and linux-libc-dev).
    GOFLAGS: '', GOPROXY: 'off', CGO_ENABLED: '1',
  };
  const b = run('go', ['build', '-o', bin, 'github.com/katalix/go-l2tp/cmd/kl2tpd'], { env });
  if (b.status !== 0) {
    return { ok: false, reason: `go build of go-l2tp's kl2tpd (${source.commit}) failed:\n${(b.stderr || b.error?.message || '').trim()}` };
  }
  writeFileSync(stamp, source.commit);
  return { ok: true, path: bin, commit: source.commit };
}

/** Puts go-l2tp's source at `src` (a symlink to GO_L2TP_SRC, or a clone at the pinned commit). */
function ensureSource(src) {
  const local = process.env.GO_L2TP_SRC;
  if (local !== undefined) {
    if (!existsSync(join(local, 'cmd', 'kl2tpd'))) return { ok: false, reason: `GO_L2TP_SRC=${local} has no cmd/kl2tpd` };
    rmSync(src, { recursive: true, force: true });
    mkdirSync(dirname(src), { recursive: true });
    symlinkSync(local, src);
    return { ok: true, commit: headOf(local) ?? 'local' };
  }
  const stamp = join(src, '.l2tp-commit');
  const have = existsSync(join(src, 'cmd', 'kl2tpd')) ? (existsSync(stamp) ? readFileSync(stamp, 'utf8') : headOf(src)) : undefined;
  if (have === GO_L2TP_COMMIT) return { ok: true, commit: have };
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  if (existsSync(VENDORED)) {
    const x = run('tar', ['-xJf', VENDORED, '-C', src]);
    if (x.status !== 0) return { ok: false, reason: `cannot unpack ${VENDORED}: ${(x.stderr || x.error?.message || '').trim()}` };
    writeFileSync(stamp, GO_L2TP_COMMIT);
    return { ok: true, commit: GO_L2TP_COMMIT };
  }
  const steps = [['init', '-q'], ['remote', 'add', 'origin', GIT_URL], ['fetch', '-q', '--depth', '1', 'origin', GO_L2TP_COMMIT], ['checkout', '-q', 'FETCH_HEAD']];
  for (const args of steps) {
    const g = run('git', ['-C', src, ...args]);
    if (g.status !== 0) {
      // Not every server serves a commit by id: fall back to the full history.
      if (args[0] === 'fetch') {
        const all = run('git', ['-C', src, 'fetch', '-q', 'origin']);
        const co = all.status === 0 ? run('git', ['-C', src, 'checkout', '-q', GO_L2TP_COMMIT]) : all;
        if (co.status === 0) return { ok: true, commit: headOf(src) };
        return { ok: false, reason: `cannot fetch go-l2tp ${GO_L2TP_COMMIT} from ${GIT_URL} (set GO_L2TP_SRC to a checkout): ${(co.stderr || '').trim()}` };
      }
      return { ok: false, reason: `git ${args.join(' ')} failed in ${src}: ${(g.stderr || g.error?.message || '').trim()}` };
    }
  }
  return { ok: true, commit: headOf(src) };
}

function headOf(dir) {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = buildGoL2tpKl2tpd();
  if (r.ok) console.log(r.path);
  else console.error(`CANNOT BUILD go-l2tp's kl2tpd: ${r.reason}`);
  process.exit(r.ok ? 0 : 1);
}
