import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, type Config } from '@l2tp/config';
import { afterEach, describe, expect, it } from 'vitest';
import { listenControlSocket, listenMetrics, runDaemonMain, startShell, type DaemonMain } from '../src/index.js';
import { SNAPSHOT } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'l2tp-main-'));
const good = join(dir, 'good.toml');
writeFileSync(good, '[tunnel.t1]\npeer = "127.0.0.1:1701"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n');
const bad = join(dir, 'bad.toml');
writeFileSync(bad, '[tunnel.t1]\npeer = "127.0.0.1"\nversion = "l2tpv9"\nbogus = 1\n');
const sock = join(dir, 'd.sock');

type Run = { configs: Config[] };
function daemon(state: Run): DaemonMain<Config> {
  return {
    cli: { name: 'xd', version: '1.2.3', description: 'd', defaultConfigPath: join(dir, 'missing.toml') },
    load: (p) => loadConfigFile(p),
    controlSocket: () => sock,
    defaultControlSocket: join(dir, 'default.sock'),
    run: async (config) => { state.configs.push(config); return 0; },
  };
}
function io() {
  const o = { out: '', err: '' };
  return { o, console: { out: (t: string) => { o.out += t; }, err: (t: string) => { o.err += t; } } };
}
const closers: { close(): unknown }[] = [];
afterEach(() => { for (const c of closers.splice(0)) c.close(); });

describe('runDaemonMain', () => {
  it('--check-config: ok is status 0; problems are all printed with file:line:col and key, status 2', async () => {
    const state: Run = { configs: [] };
    const a = io();
    expect(await runDaemonMain(daemon(state), ['--check-config', '-config', good], a.console)).toBe(0);
    expect(a.o.out).toBe(`${good}: ok\n`);
    const b = io();
    expect(await runDaemonMain(daemon(state), ['--check-config', '-config', bad], b.console)).toBe(2);
    expect(b.o.err).toMatch(/3 problems/);
    expect(b.o.err).toContain(`${bad}:2:`);
    expect(b.o.err).toMatch(/tunnel\.t1\.version/);
    expect(b.o.err).toMatch(/unrecognised parameter bogus/);
    expect(state.configs).toHaveLength(0);
  });
  it('output that cannot be written (a full disk) turns status 0 into 1, said on stderr; a failing status stays', async () => {
    const state: Run = { configs: [] };
    const full = () => { const x = io(); return { ...x, console: { ...x.console, lost: () => 'ENOSPC: no space left on device, write' } }; };
    const a = full();
    expect(await runDaemonMain(daemon(state), ['--check-config', '-config', good], a.console)).toBe(1);
    expect(a.o.err).toBe('xd: writing the output failed: ENOSPC: no space left on device, write\n');
    const b = full();
    expect(await runDaemonMain(daemon(state), ['--check-config', '-config', bad], b.console)).toBe(2);
    expect(b.o.err).not.toMatch(/writing the output failed/);
  });
  it('the process console: --version into /dev/full exits 1 naming ENOSPC; into a file exits 0', async () => {
    const script = `import { runDaemonMain } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      process.exitCode = await runDaemonMain({ cli: { name: 'xd', version: '1.2.3', description: 'd', defaultConfigPath: '/nonexistent' } }, ['--version']);`;
    /** Runs the script with its stdout redirected to `target` by a shell; its status and stderr. */
    const into = (target: string) => new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn('sh', ['-c', 'exec "$0" --input-type=module -e "$1" > "$2"', process.execPath, script, target], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      child.once('close', (code) => resolve({ code, err }));
    });
    expect(await into('/dev/full')).toEqual({ code: 1, err: 'xd: writing the output failed: ENOSPC: no space left on device, write\n' });
    expect(await into(join(dir, 'version.txt'))).toEqual({ code: 0, err: '' });
  });
  it('a second daemon whose control socket answers exits 1 before run; a stale socket file does not stop it', async () => {
    const state: Run = { configs: [] };
    closers.push(await listenControlSocket(sock, async () => ({ ok: true })));
    const a = io();
    expect(await runDaemonMain(daemon(state), ['-config', good, '--log-format', 'json'], a.console)).toBe(1);
    expect(state.configs).toHaveLength(0);
    closers.splice(0).forEach((c) => c.close());
    // A crashed daemon's socket file (its process SIGKILLed): nobody answers, so the next daemon runs.
    const crashed = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(sock)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => crashed.stdout.once('data', r));
    crashed.kill('SIGKILL');
    await new Promise((r) => crashed.once('close', r));
    expect(existsSync(sock)).toBe(true);
    expect(await runDaemonMain(daemon(state), ['-config', good, '--log-format', 'json'], io().console)).toBe(0);
    expect(state.configs).toHaveLength(1);
  });
  it('a control_socket path that is a regular file (the config itself) is a config problem: exit 2, the file kept', async () => {
    const state: Run = { configs: [] };
    const d: DaemonMain<Config> = { ...daemon(state), controlSocket: () => good };
    const before = readFileSync(good, 'utf8');
    expect(await runDaemonMain(d, ['-config', good, '--log-format', 'json'], io().console)).toBe(2);
    expect(readFileSync(good, 'utf8')).toBe(before);
    expect(state.configs).toHaveLength(0);
  });
  it('a SIGHUP while the daemon is starting (before its shell) is not fatal: the shell runs the reload once it is up', async () => {
    const reloads: number[] = [];
    const d: DaemonMain<Config> = {
      ...daemon({ configs: [] }),
      run: async (_config, _inv, log) => {
        // As if sent between the config load and the shell: without a listener this is the default action (exit 129).
        expect(process.listenerCount('SIGHUP')).toBe(1);
        process.emit('SIGHUP', 'SIGHUP');
        const shell = await startShell({
          log, controlSocket: join(dir, 'hup.sock'), metricsListen: undefined, notify: () => undefined, status: () => SNAPSHOT,
          command: async () => 'ok', shutdown: async () => undefined, reload: async () => { reloads.push(1); shell.stop(0); },
        });
        return shell.exited;
      },
    };
    expect(await runDaemonMain(d, ['-config', good, '--log-format', 'json'], io().console)).toBe(0);
    expect(reloads).toEqual([1]);
  });
  it('a bad config at start exits 2 without running anything', async () => {
    const state: Run = { configs: [] };
    expect(await runDaemonMain(daemon(state), ['-config', bad, '--log-format', 'json'], io().console)).toBe(2);
    expect(state.configs).toHaveLength(0);
    expect(await runDaemonMain(daemon(state), ['-config', good, '--log-format', 'json'], io().console)).toBe(0);
    expect(state.configs[0]?.tunnels[0]?.name).toBe('t1');
  });
  it('status asks the running daemon over the config\'s control socket and prints a table or JSON', async () => {
    closers.push(await listenControlSocket(sock, (r) => (r.op === 'status' ? { ok: true, status: SNAPSHOT } : { ok: false, error: 'no such tunnel x' })));
    const a = io();
    expect(await runDaemonMain(daemon({ configs: [] }), ['status', '-config', good], a.console)).toBe(0);
    expect(a.o.out).toMatch(/^kl2tpd 0\.1\.0, pid 4321/);
    const b = io();
    expect(await runDaemonMain(daemon({ configs: [] }), ['status', '--json', '--socket', sock], b.console)).toBe(0);
    expect(JSON.parse(b.o.out)).toEqual(SNAPSHOT);
    const c = io();
    expect(await runDaemonMain(daemon({ configs: [] }), ['down', 'x', '--socket', sock], c.console)).toBe(1);
    expect(c.o.err).toBe('xd: no such tunnel x\n');
  });
  it('status with no daemon running says so, status 1', async () => {
    const a = io();
    expect(await runDaemonMain(daemon({ configs: [] }), ['status'], a.console)).toBe(1);
    expect(a.o.err).toMatch(/default\.sock: no daemon is listening/);
  });
  const asRoot = process.getuid?.() === 0;
  it.skipIf(!asRoot)('status as a non-root user says the socket needs root (needs root to create the 0600 socket and switch user)', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'l2tp-eacces-'));
    chmodSync(d2, 0o755);
    const s2 = join(d2, 'root-only.sock');
    closers.push(await listenControlSocket(s2, () => ({ ok: true, status: SNAPSHOT })));
    const client = new URL('../dist/index.js', import.meta.url).pathname;
    const code = `import('${client}').then((m) => m.requestControlSocket('${s2}', { op: 'status' })).then(() => console.log('answered'), (e) => console.log(e.message))`;
    // Asynchronous: the server lives in this process and must answer while the child runs.
    const out = await new Promise<string>((resolve) => {
      let text = '';
      const child = spawn(process.execPath, ['-e', code], { uid: 65534, gid: 65534, stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (b) => { text += b; });
      child.on('close', () => resolve(text));
    });
    expect(out.trim()).toBe(`${s2}: permission denied (EACCES); the control socket is mode 0600: run this as root`);
  });
  it('a busy metrics port at start exits 2 without running the daemon', async () => {
    const holder = await listenMetrics('127.0.0.1', 0, () => SNAPSHOT);
    closers.push(holder);
    const port = (holder.address() as { port: number }).port;
    const state: Run = { configs: [] };
    expect(await runDaemonMain(daemon(state), ['-config', good, '--metrics-listen', `127.0.0.1:${port}`, '--log-format', 'json'])).toBe(2);
    expect(state.configs).toEqual([]);
  });
  it('usage errors are status 2 on stderr', async () => {
    const a = io();
    expect(await runDaemonMain(daemon({ configs: [] }), ['--frobnicate'], a.console)).toBe(2);
    expect(a.o.err).toMatch(/unknown option/);
  });
});
