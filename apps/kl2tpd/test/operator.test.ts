/**
 * What an operator relies on, tried on the built kl2tpd as a process (-null, loopback, no kernel):
 * SIGUSR1 writes the status table and never opens Node's inspector; -verbose traces every control
 * message and state change; a busy metrics port is one line and exit 2; journald priorities;
 * the CLI's answers to an unknown command, a huge config and a non-root `status`.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, fstatSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';
import { requestControlSocket } from '@l2tp/daemon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from './free-port.js';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function lns() {
  const ctx = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
  cleanups.push(() => ctx.close(200));
  return ctx.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'our-lns' });
}

/** kl2tpd -null on a fresh config against 127.0.0.1:port (`tunnel`: more keys of t1); stderr goes to a file (the log). */
function kl2tpd(port: number, args: string[], env: NodeJS.ProcessEnv = {}, tunnel = '') {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-op-'));
  chmodSync(dir, 0o755);
  const sock = join(dir, 'kl2tpd.sock');
  const config = join(dir, 'kl2tpd.toml');
  writeFileSync(config, `control_socket = "${sock}"\n[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\n${tunnel}\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`);
  const logPath = join(dir, 'log');
  const logFd = openSync(logPath, 'w');
  const st = fstatSync(logFd, { bigint: true });
  const journal = env['JOURNAL_STREAM'] === 'this' ? { JOURNAL_STREAM: `${st.dev}:${st.ino}` } : {};
  const child: ChildProcess = spawn(process.execPath, [MAIN, '-config', config, '-null', '--log-format', 'json', ...args],
    { stdio: ['ignore', 'ignore', logFd], env: { ...process.env, ...env, ...journal } });
  closeSync(logFd);
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  return { child, sock, config, exited, log: () => readFileSync(logPath, 'utf8') };
}

/** Resolves with `fn`'s first defined value (vitest's waitFor, polling every 50 ms). */
const until = <T>(fn: () => Promise<T | undefined> | T | undefined, timeout = 20_000) =>
  vi.waitFor(async () => (await fn()) ?? Promise.reject(new Error('not yet')), { timeout, interval: 50 }) as Promise<T>;
const established = async (sock: string) => {
  const r = await requestControlSocket(sock, { op: 'status' });
  return r.ok && r.status?.tunnels[0]?.sessions[0]?.state === 'established' ? r.status : undefined;
};
const messages = (log: string) => log.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
/** TCP ports `pid` listens on, from ss(8). */
const listeningPorts = (pid: number) => execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n')
  .filter((l) => l.includes(`pid=${pid},`)).map((l) => Number(/:(\d+)\s/.exec(`${l.split(/\s+/)[3]} `)?.[1]));

describe('kl2tpd operator behaviours (-null)', () => {
  it('SIGUSR1 writes the status table to the log and opens no inspector', async () => {
    const port = (await lns()).port;
    const d = kl2tpd(port, []);
    await until(() => established(d.sock));
    d.child.kill('SIGUSR1');
    const log = await until(() => (/"msg":"\s*s1\s+\d+\/\d+/.test(d.log()) ? d.log() : undefined));
    const msgs = messages(log);
    expect(msgs).toContain('received SIGUSR1: status follows');
    expect(msgs.some((m) => /^kl2tpd \S+, pid \d+, up \d+s$/.test(m))).toBe(true);
    expect(msgs.some((m) => /^NAME\s+IDS\s+PEER\s+STATE/.test(m))).toBe(true);
    expect(msgs.some((m) => new RegExp(`^t1\\s+\\d+/\\d+\\s+127\\.0\\.0\\.1:${port}\\s+established`).test(m))).toBe(true);
    expect(log).not.toMatch(/Debugger listening|inspector/i);
    expect(listeningPorts(d.child.pid!)).not.toContain(9229);
    // Still a daemon: it answers and stops cleanly.
    expect(await established(d.sock)).toBeDefined();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('-verbose: one line per control message sent and received, and per state transition; nothing without it', async () => {
    const port = (await lns()).port;
    const d = kl2tpd(port, ['-verbose=true']);
    await until(() => established(d.sock));
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const lines = d.log().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string; control?: Record<string, unknown> });
    const traced = lines.filter((l) => l.control !== undefined);
    const msgs = traced.map((l) => l.msg);
    expect(msgs[0]).toMatch(new RegExp(`^send to 127\\.0\\.0\\.1:${port} SCCRQ tunnel 0 session 0 Ns 0 Nr 0: protocolVersion=1\\.0 hostName=".+" framingCapabilities=\\d+ assignedTunnelId=\\d+ receiveWindowSize=4`));
    expect(msgs.some((m) => /^recv from 127\.0\.0\.1:\d+ SCCRP tunnel \d+ session 0 Ns 0 Nr 1: .*hostName="our-lns"/.test(m))).toBe(true);
    for (const t of ['SCCCN', 'ICRQ', 'ICCN', 'StopCCN']) expect(msgs.some((m) => m.startsWith('send to') && m.includes(` ${t} `))).toBe(true);
    expect(msgs.some((m) => /^recv from .* ICRP tunnel \d+ session \d+ Ns 1 Nr 3: assignedSessionId=\d+$/.test(m))).toBe(true);
    expect(msgs.some((m) => /^tunnel \d+ state wait-ctl-reply -> established$/.test(m))).toBe(true);
    expect(msgs.some((m) => /^tunnel \d+ session \d+ state \S+ -> established$/.test(m))).toBe(true);
    expect(traced.every((l) => l.level === 'debug')).toBe(true);
    expect(traced[0]!.control).toMatchObject({ dir: 'send', type: 'SCCRQ', ns: 0, nr: 0 });

    const quiet = kl2tpd((await lns()).port, ['-verbose=false']);
    await until(() => established(quiet.sock));
    quiet.child.kill('SIGTERM');
    expect(await quiet.exited).toBe(0);
    expect(quiet.log()).not.toMatch(/"control":|"level":"debug"/);
    expect(quiet.log()).toMatch(/SCCRQ sent/);
  });

  it('a busy --metrics-listen port: one line, exit 2, no stack trace, nothing dialled', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    cleanups.push(() => holder.close());
    const busy = (holder.address() as { port: number }).port;
    let heard = 0;
    const ctx = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    cleanups.push(() => ctx.close(0));
    const bound = await ctx.listen({ local: { address: '127.0.0.1', port: 0, family: 4 } });
    ctx.on('tunnel-up', () => { heard++; });
    const d = kl2tpd(bound.port, ['--metrics-listen', `127.0.0.1:${busy}`]);
    expect(await d.exited).toBe(2);
    const lines = d.log().trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: string; msg: string };
    expect(line.level).toBe('error');
    expect(line.msg).toBe(`--metrics-listen: cannot listen on 127.0.0.1:${busy}: address already in use; another process holds the port (EADDRINUSE); not starting`);
    expect(d.log()).not.toMatch(/\n\s+at /);
    expect(heard).toBe(0);
  });

  it('under systemd (JOURNAL_STREAM names stderr) every line carries its sd-daemon priority', async () => {
    const port = (await lns()).port;
    const d = kl2tpd(port, [], { JOURNAL_STREAM: 'this' });
    await until(() => established(d.sock));
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    cleanups.push(() => holder.close());
    const failed = kl2tpd(port, ['--metrics-listen', `127.0.0.1:${(holder.address() as { port: number }).port}`], { JOURNAL_STREAM: 'this' });
    expect(await failed.exited).toBe(2);
    const lines = [...d.log().trim().split('\n'), ...failed.log().trim().split('\n')];
    for (const l of lines) {
      const m = /^<(\d)>(\{.*\})$/.exec(l);
      expect(m, l).not.toBeNull();
      const level = (JSON.parse(m![2]!) as { level: string }).level;
      expect(m![1]).toBe({ debug: '7', info: '6', warn: '4', error: '3', fatal: '2' }[level]);
    }
    expect(lines.filter((l) => l.startsWith('<6>')).length).toBeGreaterThan(3);
    expect(lines.at(-1)).toMatch(/^<3>\{"level":"error".*EADDRINUSE/);
  });

  it('a fixed local address: down then up of the only tunnel, and a reload that changes it, dial again from it; the daemon stays', async () => {
    const local = await freePort();
    const d = kl2tpd((await lns()).port, [], {}, `local = "127.0.0.1:${local}"`);
    const first = await until(() => established(d.sock));
    // Before: the old socket was held through the 31 s StopCCN hold, the new bind failed (EADDRINUSE) and kl2tpd exited 1.
    expect(await requestControlSocket(d.sock, { op: 'down', target: 't1' })).toEqual({ ok: true, message: 'down t1' });
    expect(await requestControlSocket(d.sock, { op: 'up', target: 't1' })).toEqual({ ok: true, message: 'up t1' });
    const second = await until(async () => { const s = await established(d.sock); return s && s.tunnels[0]!.tunnelId !== first.tunnels[0]!.tunnelId ? s : undefined; });
    // SIGHUP with t1 changed (redial off): replaced on the same address.
    writeFileSync(d.config, readFileSync(d.config, 'utf8').replace('version = "l2tpv2"', 'version = "l2tpv2"\nhello_timeout = 30000'));
    d.child.kill('SIGHUP');
    await until(async () => { const s = await established(d.sock); return s && s.tunnels[0]!.tunnelId !== second.tunnels[0]!.tunnelId ? s : undefined; });
    const msgs = messages(d.log());
    expect(msgs).toContain('configuration reloaded');
    expect(msgs.filter((m) => /cannot dial|no tunnel left/.test(m))).toEqual([]);
    expect(d.child.exitCode).toBeNull();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it.skipIf(process.getuid?.() !== 0)('status as a non-root user says it needs root (run as root: the test switches to nobody)', async () => {
    const port = (await lns()).port;
    const d = kl2tpd(port, []);
    await until(() => established(d.sock));
    const r = spawnSync(process.execPath, [MAIN, 'status', '--socket', d.sock], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`kl2tpd: ${d.sock}: permission denied (EACCES); the control socket is mode 0600: run this as root\n`);
  });
});

describe('kl2tpd command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
  it('an unknown command says so, status 2', () => {
    const r = run('connect', 't1');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'connect' (commands: status, up, down, import-xl2tpd; see kl2tpd --help)\n");
  });
  it('-config /dev/zero and a config over 1 MiB are refused before being read whole, status 2', () => {
    for (const args of [['-config', '/dev/zero', '--check-config'], ['-config', '/dev/zero', '-null', '--log-format', 'json']]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/\/dev\/zero: larger than 1 MiB; not a config file/);
    }
    const big = join(mkdtempSync(join(tmpdir(), 'kl2tpd-big-')), 'big.toml');
    writeFileSync(big, Buffer.alloc(2 << 20, 0x23));
    const r = run('-config', big, '--check-config');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/larger than 1 MiB/);
  });
});
