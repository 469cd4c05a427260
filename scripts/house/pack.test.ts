/**
 * Installability, as an operator does it: `pnpm pack:cli` (scripts/pack/pack-cli.mjs), then
 * `npm install -g` of the two CLI tarballs into an empty prefix with no registry for @l2tp/* (the
 * bundles must not need one; ffi-rs comes from the npm registry). The installed commands run
 * (`--version`, `--check-config` on every shipped example), their man pages are found by `man` and
 * render without warnings, the unit, modules-load.d list and examples are in the package, and
 * `--version`, `--check-config` and a `-null` run never load ffi-rs. Every workspace package packs,
 * and a packed package's source and declaration maps point at files packed with it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { codecWire, L2tpContext, nullDataPlane } from '../../packages/control/dist/index.js';
import { ROOT, WORKSPACES } from './sources.js';

const work = mkdtempSync(join(tmpdir(), 'l2tp-pack-'));
const prefix = join(work, 'prefix');
const version = (app: string) => JSON.parse(readFileSync(join(ROOT, 'apps', app, 'package.json'), 'utf8')).version as string;
const installed = (app: string) => join(prefix, 'lib', 'node_modules', app);
let packCli = { status: null as number | null, stdout: '', stderr: '' };
let install = { status: null as number | null, output: '' };

const haveMan = spawnSync('man', ['--version'], { encoding: 'utf8' }).status === 0
  && spawnSync('groff', ['--version'], { encoding: 'utf8' }).status === 0;
// .ci/run installs man-db and groff-base; a machine without them cannot check the pages, and says so.
if (!haveMan) console.warn('!!! man or groff missing: man page checks NOT RUN');

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'pack', 'pack-cli.mjs'), '--no-build', '--out', join(work, 'cli')], { encoding: 'utf8' });
  packCli = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  const tarballs = r.stdout.trim().split('\n').filter((l) => l.endsWith('.tgz'));
  // A dead registry for the scope: installing must not need any @l2tp/* package.
  const i = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--@l2tp:registry=http://127.0.0.1:9/',
    '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { encoding: 'utf8', timeout: 240_000 });
  install = { status: i.status, output: i.stdout + i.stderr };
}, 300_000);

const run = (cmd: string, ...args: string[]) =>
  spawnSync(join(prefix, 'bin', cmd), args, { encoding: 'utf8', cwd: work, timeout: 20_000 });

describe('pnpm pack:cli + npm install -g into an empty prefix', () => {
  test('pack:cli prints both tarballs and they install with no @l2tp registry', () => {
    expect(packCli.stderr).toBe('');
    expect(packCli.stdout).toBe(`${['kl2tpd', 'ql2tpd'].map((a) => join(work, 'cli', `${a}-${version(a)}.tgz`)).join('\n')}\n`);
    expect(install.output).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
  });
  test('the README gives the install command that works', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`pnpm pack:cli && npm install -g ./kl2tpd-${version('kl2tpd')}.tgz ./ql2tpd-${version('ql2tpd')}.tgz`);
  });
  test.each(['kl2tpd', 'ql2tpd'])('%s depends on ffi-rs alone and ships its bundle, man pages, unit, modules list, examples', (app) => {
    const pkg = JSON.parse(readFileSync(join(installed(app), 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['ffi-rs']);
    expect(readdirSync(join(installed(app), 'node_modules')).filter((d) => d.startsWith('@l2tp'))).toEqual([]);
    for (const f of [`dist/${app}.cjs`, `dist/${app}-run.cjs`, `dist/man/${app}.8`, `dist/man/${app}.toml.5`,
      `dist/systemd/${app}.service`, 'dist/modules-load.d/l2tp.conf', `dist/examples/${app}.toml`, 'dist/doc/config.md', 'dist/THIRD-PARTY-NOTICES']) {
      expect(existsSync(join(installed(app), f)), f).toBe(true);
    }
    expect(readFileSync(join(installed(app), 'dist/systemd', `${app}.service`), 'utf8'))
      .toBe(readFileSync(join(ROOT, 'configs/systemd', `${app}.service`), 'utf8'));
    expect(readFileSync(join(installed(app), 'dist/THIRD-PARTY-NOTICES'), 'utf8')).toMatch(/^pino 10\.4\.0 \(MIT\)$/m);
  });
  test.each(['kl2tpd', 'ql2tpd'])('%s ships every example, and every relative link in its pages resolves inside the package', (app) => {
    const examples = readdirSync(join(ROOT, 'configs', 'examples'), { recursive: true, encoding: 'utf8' });
    expect(examples.filter((f) => !existsSync(join(installed(app), 'dist', 'examples', f)))).toEqual([]);
    const doc = join(installed(app), 'dist', 'doc');
    const links = readdirSync(doc).flatMap((page) => [...readFileSync(join(doc, page), 'utf8').matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => ({ page, target: m[1]! })));
    expect(links.length).toBeGreaterThanOrEqual(10);
    expect(links.filter((l) => !existsSync(join(doc, l.target))).map((l) => `${l.page} → ${l.target}`)).toEqual([]);
  });
  test.each(['kl2tpd', 'ql2tpd'])('%s --version prints the package version', (cmd) => {
    const r = run(cmd, '--version');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${version(cmd)}\n`);
  });
  test.each(['kl2tpd', 'ql2tpd'])('%s --check-config passes on every example it ships', (cmd) => {
    const dir = join(installed(cmd), 'dist', 'examples');
    const examples = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      // Each package ships both daemons' examples; these are its own. kl2tpd-radiusclient.conf is the
      // file of pppd's radius plugin (radiusclient syntax), not ours.
      .filter((f) => (cmd === 'kl2tpd' ? /^(kl2tpd|kpppoed|nm-l2tp)/ : /^ql2tpd/).test(f))
      .filter((f) => (f.endsWith('.toml') || f.endsWith('.conf')) && !f.endsWith('radiusclient.conf')).map((f) => join(dir, f));
    expect(examples.length).toBeGreaterThanOrEqual(cmd === 'kl2tpd' ? 5 : 3);
    for (const file of examples) {
      const r = run(cmd, '--check-config', '-config', file);
      expect(r.stdout + r.stderr, file).toBe(`${file}: ok\n`);
      expect(r.status).toBe(0);
    }
  }, 60_000);
  test.each(['kl2tpd', 'ql2tpd'])('installed %s starts from the code caches it ships (npm kept them usable)', (app) => {
    // Reports each bundle the launcher compiled and whether V8 took the cache offered with it.
    const probe = join(work, 'cache-probe.cjs');
    writeFileSync(probe, `const vm = require('node:vm'); const seen = [];
vm.Script = class extends vm.Script { constructor(c, o) { super(c, o); if (o?.filename) seen.push({ file: require('node:path').basename(o.filename), offered: o.cachedData !== undefined, s: this }); } };
process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify(seen.map(({ file, offered, s }) => ({ file, offered, rejected: s.cachedDataRejected === true })))));\n`);
    const out = join(work, `${app}-probe.json`);
    const example = join(installed(app), 'dist', 'examples', `${app}.toml`);
    const r = spawnSync(join(prefix, 'bin', app), ['--check-config', '-config', example],
      { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out } });
    expect(r.stdout).toBe(`${example}: ok\n`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([{ file: `${app}-main.cjs`, offered: true, rejected: false }]);
  });
  test('--check-config on a bad file exits 2 naming the line', () => {
    const r = run('kl2tpd', '--check-config', '-config', join(ROOT, 'packages/config/test/bad/41-several-problems.toml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/41-several-problems\.toml:\d+:\d+: /);
  });
});

describe.runIf(haveMan)('man pages of the installed packages', () => {
  const man = (...args: string[]) => spawnSync('man', args, {
    encoding: 'utf8', env: { ...process.env, MANPATH: join(prefix, 'share', 'man'), MANWIDTH: '80', MAN_DISABLE_SECCOMP: '1' },
  });
  test.each([['kl2tpd', '8'], ['kl2tpd.toml', '5'], ['ql2tpd', '8'], ['ql2tpd.toml', '5']])('man -w %s finds the page in section %s', (page, section) => {
    // npm links share/man/manN/PAGE.N to the package's file; man -w prints where the link leads.
    const r = man('-w', page);
    expect(r.stdout.trim()).toBe(join(installed(page.replace('.toml', '')), 'dist', 'man', `${page}.${section}`));
  });
  test.each(['kl2tpd.8', 'kl2tpd.toml.5', 'ql2tpd.8', 'ql2tpd.toml.5'])('%s renders without groff warnings', (page) => {
    const file = join(prefix, 'share', 'man', `man${page.slice(-1)}`, page);
    const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', file], { encoding: 'utf8' });
    expect(groff.stderr).toBe('');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looks for control characters in generated files on purpose.
    const text = man('-l', file).stdout.replace(/.\x08/g, '');
    const name = page.replace(/\.\d$/, '');
    // man justifies a NAME line that wraps, so the spaces around '-' may be doubled.
    expect(text).toMatch(new RegExp(`^NAME\\n +${name.replace('.', '\\.')} +- +\\S`, 'm'));
    expect(text).not.toMatch(/&(quot|#39|amp|lt|gt);|\n: /);
  });
  test('options are a tagged list: kl2tpd(8) shows each flag on its own line with its text indented', () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looks for control characters in generated files on purpose.
    const text = man('kl2tpd').stdout.replace(/.\x08/g, '');
    expect(text).toMatch(/^ {7}--check-config\n {14}Read the configuration/m);
  });
});

describe('the bundles load ffi-rs only when the kernel is used', () => {
  // Records every request for ffi-rs in the file named by FFI_MARK.
  const hook = join(work, 'ffi-hook.cjs');
  writeFileSync(hook, `const Module = require('node:module'); const load = Module._load;
Module._load = function (request, ...rest) {
  if (/^ffi-rs($|\\/)/.test(request)) require('node:fs').appendFileSync(process.env.FFI_MARK, request + '\\n');
  return load.call(this, request, ...rest);
};\n`);
  const marked = (name: string) => {
    const mark = join(work, `${name}.ffi`);
    rmSync(mark, { force: true });
    return { mark, env: { ...process.env, FFI_MARK: mark, NODE_OPTIONS: `--require ${hook}` } };
  };
  test('the hook sees ffi-rs when it is loaded', () => {
    const m = marked('control');
    spawnSync(process.execPath, ['-e', "require('ffi-rs')"], { cwd: installed('kl2tpd'), env: m.env });
    expect(readFileSync(m.mark, 'utf8')).toBe('ffi-rs\n');
  });
  test.each([
    ['kl2tpd', ['--version']], ['ql2tpd', ['--version']],
    ['kl2tpd', ['--check-config', '-config', 'EXAMPLE']], ['ql2tpd', ['--check-config', '-config', 'EXAMPLE']],
  ])('%s %s does not load it', (app, args) => {
    const m = marked(`${app}-${args[0]}`);
    const argv = args.map((a) => (a === 'EXAMPLE' ? join(installed(app), 'dist', 'examples', `${app}.toml`) : a));
    const r = spawnSync(join(prefix, 'bin', app), argv, { encoding: 'utf8', env: m.env });
    expect(r.status).toBe(0);
    expect(existsSync(m.mark)).toBe(false);
  });
  /**
   * Runs the installed `app -config FILE -null` (outside systemd) until its log shows `upLine`, then
   * SIGTERM; whether it came up, its exit status and log, and whether it asked for ffi-rs.
   */
  async function nullRun(app: string, name: string, config: string, upLine: string) {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'c.toml'), `control_socket = "${join(dir, 'c.sock')}"\n${config}`);
    const m = marked(name);
    const child = spawn(join(prefix, 'bin', app), ['-config', join(dir, 'c.toml'), '-null', '--log-format', 'json'],
      { env: { ...m.env, NOTIFY_SOCKET: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const up = await new Promise<boolean>((resolve) => {
      child.stderr.on('data', (d) => { log += d; if (log.includes(upLine)) resolve(true); });
      child.once('exit', () => resolve(false));
    });
    const exited = new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
    child.kill('SIGTERM');
    return { up, log, status: await exited, loadedFfi: existsSync(m.mark) };
  }
  test('kl2tpd -null brings a tunnel and session up against our LNS without loading it', async () => {
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    try {
      const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'pack-lns' });
      const r = await nullRun('kl2tpd', 'null', `[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`,
        'every configured tunnel and session is up');
      expect(r.up, r.log).toBe(true);
      expect(r.status).toBe(0);
      expect(r.loadedFfi).toBe(false);
    } finally { await lns.close(200); }
  }, 30_000);
  test('ql2tpd -null brings a static pseudowire up without loading it', async () => {
    const r = await nullRun('ql2tpd', 'qnull', '[tunnel.t1]\nversion = "l2tpv3"\nencap = "udp"\nlocal = "127.0.0.1:0"\npeer = "127.0.0.1:9"\ntid = 1\nptid = 2\n' +
      '[tunnel.t1.session.s1]\npseudowire = "eth"\nsid = 1\npsid = 2\n', 'started: 1 of 1 tunnels up');
    expect(r.up, r.log).toBe(true);
    expect(r.status).toBe(0);
    expect(r.loadedFfi).toBe(false);
  }, 30_000);
});

/** Unpacks a tarball; returns its directory and its files (relative to `package/`). */
function unpack(tgz: string): { dir: string; files: Set<string> } {
  const out = mkdtempSync(join(work, 'unpacked-'));
  spawnSync('tar', ['-xzf', tgz, '-C', out]);
  const dir = join(out, 'package');
  return { dir, files: new Set(readdirSync(dir, { recursive: true, encoding: 'utf8' })) };
}

describe('every workspace package packs with maps that point inside the package', () => {
  const libs = join(work, 'libs');
  beforeAll(() => {
    for (const w of WORKSPACES) spawnSync('pnpm', ['pack', '--pack-destination', libs], { cwd: join(ROOT, w), stdio: 'ignore' });
  }, 120_000);
  test.each(WORKSPACES)('%s', (w) => {
    const { name, version: v } = JSON.parse(readFileSync(join(ROOT, w, 'package.json'), 'utf8'));
    const tgz = join(libs, `${name.replace('@', '').replace('/', '-')}-${v}.tgz`);
    expect(existsSync(tgz), tgz).toBe(true);
    const { dir, files } = unpack(tgz);
    const fileOf = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect([...files].filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    const problems: string[] = [];
    for (const f of files) {
      if (f.endsWith('.map')) {
        const map = JSON.parse(fileOf(f)) as { sources: string[]; sourcesContent?: unknown[] };
        map.sources.forEach((s, i) => {
          if (map.sourcesContent?.[i] == null && !files.has(normalize(join(dirname(f), s)))) problems.push(`${f}: ${s} is not packed`);
        });
      } else if (/\.(c|m)?js$|\.d\.ts$/.test(f)) {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fileOf(f))?.[1];
        if (url !== undefined && !files.has(normalize(join(dirname(f), url)))) problems.push(`${f}: map ${url} is not packed`);
      }
    }
    expect(problems).toEqual([]);
  });
});
