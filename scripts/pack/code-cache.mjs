// Records the V8 code caches launcher.cjs gives the bundles, in dist/code-cache/VARIANT/: the built
// CLI runs what operators run first — `--check-config` on the shipped example, then a `-null`
// daemon until its tunnels are up, then SIGTERM — each run starting from the caches of the one
// before and writing them again (record-code-cache.cjs), so the caches hold the bytecode of every
// function those runs compiled. (`--version` alone never loads a bundle: the launcher answers it.)
//
// A cache fits only the Node binary and the V8 options that recorded it; V8 refuses it otherwise.
// So there is one set per way the package is run: `default` (no options: the command in a shell,
// NetworkManager) and `unit`, with the NODE_OPTIONS of the package's systemd unit when it sets any
// (kl2tpd's caps V8's semi-space). Each set has `probe.v8cache`, the cache of a one-line script,
// which the launcher compiles to learn which set, if any, V8 takes in this process.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one-line script whose cache (probe.v8cache) tells the launcher whether V8 takes a set. */
export const CODE_CACHE_PROBE = "'l2tp code cache probe';";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const example = (name) => join(ROOT, 'configs', 'examples', `${name}.toml`);

/**
 * The cache sets a package ships: name -> NODE_OPTIONS. `unit` is there only when the systemd unit
 * sets NODE_OPTIONS (Environment=NODE_OPTIONS=...).
 * @returns {[string, string][]}
 */
export function codeCacheVariants(name) {
  const unit = readFileSync(join(ROOT, 'configs', 'systemd', `${name}.service`), 'utf8');
  const options = /^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1]?.trim();
  return options ? [['default', ''], ['unit', options]] : [['default', '']];
}

/**
 * Runs `node dist/NAME.cjs ...args` with the recorder writing into `out`; resolves when it exits 0,
 * after SIGTERM once its stderr shows `until` when given. Rejects with its output otherwise (or
 * after 30 s).
 */
function record({ dist, name, out, nodeOptions }, args, until) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--require', join(HERE, 'record-code-cache.cjs'), join(dist, `${name}.cjs`), ...args], {
      env: {
        ...process.env, NODE_OPTIONS: nodeOptions, L2TP_CODE_CACHE_DIR: `${name}/dist`, L2TP_CODE_CACHE_OUT: out,
        L2TP_CODE_CACHE_PROBE: CODE_CACHE_PROBE, L2TP_CODE_CACHE_REPORT: join(out, '.report'), NOTIFY_SOCKET: '', JOURNAL_STREAM: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let signalled = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const watch = (d) => {
      output += d;
      if (until !== undefined && !signalled && output.includes(until)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && (until === undefined || signalled)) resolvePromise();
      else reject(new Error(`code cache: ${name} ${args.join(' ')} exited ${code ?? signal}${until && !signalled ? ` before "${until}"` : ''}:\n${output.slice(-3000)}`));
    });
  });
}

/** A config in a scratch directory; returns its path. */
function scratchConfig(dir, text) {
  const file = join(dir, 'c.toml');
  writeFileSync(file, `control_socket = "${join(dir, 'c.sock')}"\n${text}`);
  return file;
}

/** The daemon run of each CLI: kl2tpd -null against an LNS of @l2tp/control; ql2tpd -null with a static tunnel. */
const DAEMON_RUNS = {
  async kl2tpd(run, dir) {
    const { codecWire, L2tpContext, nullDataPlane } = await import(join(ROOT, 'packages', 'control', 'dist', 'index.js'));
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    try {
      const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'code-cache-lns' });
      const config = scratchConfig(dir, `[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`);
      await record(run, ['-config', config, '-null', '--log-format', 'json'], 'every configured tunnel and session is up');
    } finally {
      await lns.close(200);
    }
  },
  async ql2tpd(run, dir) {
    const config = scratchConfig(dir, '[tunnel.t1]\nversion = "l2tpv3"\nencap = "udp"\nlocal = "127.0.0.1:0"\npeer = "127.0.0.1:9"\n'
      + 'tid = 1\nptid = 2\n[tunnel.t1.session.s1]\npseudowire = "eth"\nsid = 1\npsid = 2\n');
    await record(run, ['-config', config, '-null', '--log-format', 'json'], 'tunnels up');
  },
};

/**
 * Writes dist/code-cache/VARIANT/{probe,NAME-main,NAME-run}.v8cache for the built CLI dist/NAME.cjs,
 * for every variant of {@link codeCacheVariants}. Throws when a run fails, or when V8 refused a
 * cache the run before had just written (the caches would be useless to this very Node).
 */
export async function recordCodeCache(name, dist) {
  const daemon = DAEMON_RUNS[name];
  if (daemon === undefined) throw new Error(`code cache: no runs for ${name}`);
  rmSync(join(dist, 'code-cache'), { recursive: true, force: true });
  for (const [variant, nodeOptions] of codeCacheVariants(name)) {
    const out = join(dist, 'code-cache', variant);
    mkdirSync(out, { recursive: true });
    const run = { dist, name, out, nodeOptions };
    const dir = mkdtempSync(join(tmpdir(), `${name}-code-cache-`));
    try {
      await record(run, ['--check-config', '-config', example(name)]);
      await daemon(run, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const lines = readFileSync(join(out, '.report'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    rmSync(join(out, '.report'));
    const refused = lines.filter((l) => l.rejected);
    if (refused.length > 0) throw new Error(`code cache (${variant}): V8 refused a cache this Node recorded: ${refused.map((l) => l.file).join(', ')}`);
    for (const base of [`${name}-main`, `${name}-run`]) {
      if (!lines.some((l) => l.file === `${name}/dist/${base}.cjs`)) throw new Error(`code cache (${variant}): no run loaded ${base}.cjs`);
    }
    // The daemon run started from what --check-config recorded: the launcher found the set by its probe.
    if (!lines.some((l) => l.file === `${name}/dist/${name}-main.cjs` && l.offered)) throw new Error(`code cache (${variant}): the launcher did not take the set's own probe`);
  }
}
