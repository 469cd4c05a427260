/**
 * The CLI launcher (scripts/pack/launcher.cjs) and its V8 code caches, on the built packages: the
 * caches the build recorded are offered and taken by this Node, without V8 options and with the
 * systemd unit's NODE_OPTIONS; with other V8 options, and with a cache older than its bundle (a
 * bundle edited after the build, never offered), the command's output stays the same. Start-up
 * times themselves are in the benches (`pnpm bench`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { codecWire, L2tpContext, nullDataPlane } from '../../packages/control/dist/index.js';
import { ROOT } from './sources.js';

const work = mkdtempSync(join(tmpdir(), 'l2tp-launcher-'));
// Reports, at exit, each bundle the launcher compiled (not its nameless probe of the cache sets):
// whether it was offered a cache and took it.
const probe = join(work, 'probe.cjs');
writeFileSync(probe, `const vm = require('node:vm');
const seen = [];
vm.Script = class extends vm.Script {
  constructor(code, options) { super(code, options); if (options?.filename) seen.push([require('node:path').basename(options.filename), options.cachedData !== undefined, this]); }
};
process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT,
  JSON.stringify(seen.map(([file, offered, s]) => ({ file, offered, rejected: s.cachedDataRejected === true })))));
`);

interface Compiled { file: string; offered: boolean; rejected: boolean }

/** Runs `node [nodeArgs] DIST/APP.cjs args` (NODE_OPTIONS as given); returns its result and what the launcher compiled. */
function run(dist: string, app: string, args: string[], nodeArgs: string[] = [], nodeOptions = '') {
  const out = join(work, `probe-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, [...nodeArgs, '--require', probe, join(dist, `${app}.cjs`), ...args],
    { encoding: 'utf8', env: { ...process.env, PROBE_OUT: out, NODE_OPTIONS: nodeOptions }, timeout: 20_000 });
  return { ...r, compiled: JSON.parse(readFileSync(out, 'utf8')) as Compiled[] };
}
/** The NODE_OPTIONS of the app's systemd unit, if it sets any. */
const unitOptions = (app: string) =>
  /^Environment=NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(ROOT, 'configs', 'systemd', `${app}.service`), 'utf8'))?.[1]?.trim();

const dists = { kl2tpd: join(ROOT, 'apps', 'kl2tpd', 'dist'), ql2tpd: join(ROOT, 'apps', 'ql2tpd', 'dist') };
const example = (app: string) => join(ROOT, 'configs', 'examples', `${app}.toml`);
const version = (app: string) => JSON.parse(readFileSync(join(ROOT, 'apps', app, 'package.json'), 'utf8')).version as string;

describe.each(['kl2tpd', 'ql2tpd'] as const)('%s', (app) => {
  test('--check-config compiles the start bundle from its cache, and nothing else', () => {
    const r = run(dists[app], app, ['--check-config', '-config', example(app)]);
    expect(r.stdout).toBe(`${example(app)}: ok\n`);
    expect(r.compiled).toEqual([{ file: `${app}-main.cjs`, offered: true, rejected: false }]);
  });

  test('a -null daemon run compiles the run bundle from its cache too, with and without the unit\'s NODE_OPTIONS', async () => {
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    try {
      const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'launcher-lns' });
      for (const nodeOptions of ['', ...(unitOptions(app) === undefined ? [] : [unitOptions(app)!])]) {
        const dir = mkdtempSync(join(work, `${app}-`));
        const tunnel = app === 'kl2tpd'
          ? `[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`
          : '[tunnel.t1]\nversion = "l2tpv3"\nencap = "udp"\nlocal = "127.0.0.1:0"\npeer = "127.0.0.1:9"\ntid = 1\nptid = 2\n[tunnel.t1.session.s1]\npseudowire = "eth"\nsid = 1\npsid = 2\n';
        writeFileSync(join(dir, 'c.toml'), `control_socket = "${join(dir, 'c.sock')}"\n${tunnel}`);
        const out = join(dir, 'probe.json');
        const child = spawn(process.execPath, ['--require', probe, join(dists[app], `${app}.cjs`), '-config', join(dir, 'c.toml'), '-null', '--log-format', 'json'],
          { env: { ...process.env, PROBE_OUT: out, NOTIFY_SOCKET: '', NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'ignore', 'pipe'] });
        let log = '';
        const up = await new Promise<boolean>((resolve) => {
          child.stderr.on('data', (d) => { log += d; if (/every configured tunnel and session is up|started: 1 of 1 tunnels up/.test(log)) resolve(true); });
          child.once('exit', () => resolve(false));
        });
        const exited = new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
        child.kill('SIGTERM');
        expect(up, log).toBe(true);
        expect(await exited).toBe(0);
        expect(JSON.parse(readFileSync(out, 'utf8')), `NODE_OPTIONS=${nodeOptions}`).toEqual([
          { file: `${app}-main.cjs`, offered: true, rejected: false },
          { file: `${app}-run.cjs`, offered: true, rejected: false },
        ]);
      }
    } finally { await lns.close(200); }
  }, 30_000);

  test('--version alone is answered without a bundle, as the bundle answers -version', () => {
    const fast = run(dists[app], app, ['--version']);
    const bundled = run(dists[app], app, ['-version']);
    expect(fast.compiled).toEqual([]);
    expect(bundled.compiled).toEqual([{ file: `${app}-main.cjs`, offered: true, rejected: false }]);
    expect(fast.stdout).toBe(bundled.stdout);
    expect(fast.stdout).toBe(`${version(app)}\n`);
    expect([fast.status, fast.stderr]).toEqual([bundled.status, bundled.stderr]);
  });

  test('under the systemd unit\'s NODE_OPTIONS the set recorded with them is taken', () => {
    const options = unitOptions(app);
    expect(readdirSync(join(dists[app], 'code-cache')).sort()).toEqual(options === undefined ? ['default'] : ['default', 'unit']);
    if (options === undefined) return;
    const r = run(dists[app], app, ['--check-config', '-config', example(app)], [], options);
    expect(r.stdout).toBe(`${example(app)}: ok\n`);
    expect(r.compiled).toEqual([{ file: `${app}-main.cjs`, offered: true, rejected: false }]);
  });

  test('with V8 options no set was recorded with, the command works the same', () => {
    // Whether V8 then takes a set is its business (a cache it takes is one its checks found fitting).
    const r = run(dists[app], app, ['--check-config', '-config', example(app)], ['--max-old-space-size=200']);
    expect(r.stdout).toBe(`${example(app)}: ok\n`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.compiled.map((c) => c.file)).toEqual([`${app}-main.cjs`]);
  });

  test('a bundle newer than its cache (edited after the build) is compiled without it', () => {
    const copy = join(work, `${app}-edited`);
    cpSync(dists[app], copy, { recursive: true, preserveTimestamps: true });
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(copy, `${app}-main.cjs`), later, later);
    const r = run(copy, app, ['-version']);
    expect(r.stdout).toBe(`${version(app)}\n`);
    expect(r.compiled).toEqual([{ file: `${app}-main.cjs`, offered: false, rejected: false }]);
  });

  test('no code cache names the build machine\'s directory (stack traces would point there after install)', () => {
    const sets = join(dists[app], 'code-cache');
    const caches = readdirSync(sets, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.v8cache'));
    expect(caches.length).toBeGreaterThanOrEqual(3);
    const naming = caches.filter((f) => readFileSync(join(sets, f)).includes(Buffer.from(ROOT)));
    expect(naming).toEqual([]);
  });

  test('every bundle of the package is ASCII and carries its CommonJS wrapper', () => {
    const bundles = readdirSync(dists[app]).filter((f) => f.startsWith(`${app}-`) && f.endsWith('.cjs'));
    expect(bundles.sort()).toEqual([`${app}-main.cjs`, `${app}-pino-pretty.cjs`, `${app}-prom-client.cjs`, `${app}-run.cjs`]);
    for (const f of bundles) {
      const bytes = readFileSync(join(dists[app], f));
      expect(bytes.some((b) => b > 0x7f), f).toBe(false);
      expect(bytes.toString('latin1').startsWith('(function (exports, require, module, __filename, __dirname) {'), f).toBe(true);
    }
  });
});
