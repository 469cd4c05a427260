/**
 * ql2tpd as an operator tries it, on the built daemon as a process without kernel support: `-null`
 * brings two quiescent L2TPv3 tunnels up against each other on loopback (HELLOs acknowledged),
 * `-verbose` traces them, SIGUSR1 writes the status table and opens no inspector.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestControlSocket } from '@l2tp/daemon';
import { afterEach, describe, expect, it, vi } from 'vitest';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

function ql2tpd(lport: number, pport: number, tid: number, ptid: number, args: string[] = [], helloMs = 200) {
  const dir = mkdtempSync(join(tmpdir(), 'ql2tpd-op-'));
  const sock = join(dir, 'q.sock');
  const config = join(dir, 'q.toml');
  writeFileSync(config, `control_socket = "${sock}"\n[tunnel.pw]\nversion = "l2tpv3"\nencap = "udp"\nlocal = "127.0.0.1:${lport}"\npeer = "127.0.0.1:${pport}"\ntid = ${tid}\nptid = ${ptid}\nhello_timeout = ${helloMs}\n[tunnel.pw.session.s]\npseudowire = "eth"\nsid = ${tid}\npsid = ${ptid}\n`);
  const logPath = join(dir, 'log');
  const logFd = openSync(logPath, 'w');
  const child: ChildProcess = spawn(process.execPath, [MAIN, '-config', config, '-null', '--log-format', 'json', ...args], { stdio: ['ignore', 'ignore', logFd] });
  closeSync(logFd);
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  return { child, sock, exited, log: () => readFileSync(logPath, 'utf8') };
}

/** Resolves with `fn`'s first defined value (vitest's waitFor, polling every 50 ms). */
const until = <T>(fn: () => Promise<T | undefined> | T | undefined, timeout = 20_000) =>
  vi.waitFor(async () => (await fn()) ?? Promise.reject(new Error('not yet')), { timeout, interval: 50 }) as Promise<T>;
/** Resolves once the tunnel is established and `hellos` HELLOs were acknowledged by the peer. */
const helloing = (sock: string, hellos: number) => async () => {
  const r = await requestControlSocket(sock, { op: 'status' });
  const t = r.ok ? r.status?.tunnels[0] : undefined;
  return t?.state === 'established' && (t.control?.hellosSent ?? 0) >= hellos ? t : undefined;
};

describe('ql2tpd -null', () => {
  it('two quiescent tunnels come up against each other, HELLOs acknowledged; -verbose traces them; SIGUSR1 logs status', async () => {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const a = ql2tpd(base, base + 1, 11, 22, ['-verbose']);
    // A HELLO goes out only after a quiet interval (RFC 3931 §4.4) and anything received restarts it:
    // B's longer interval keeps B quiet while A's HELLOs arrive, so which end sends them is fixed.
    const b = ql2tpd(base + 1, base, 22, 11, [], 2000);
    await until(helloing(a.sock, 3));
    await until(helloing(b.sock, 0));
    a.child.kill('SIGUSR1');
    await until(() => (/"msg":"pw\s+11\/22\s+127\.0\.0\.1:\d+\s+established/.test(a.log()) ? true : undefined));
    expect(a.log()).toMatch(/"msg":"received SIGUSR1: status follows"/);
    expect(a.log()).not.toMatch(/Debugger listening/);
    expect(execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })).not.toMatch(new RegExp(`:9229 .*pid=${a.child.pid},`));
    // One at a time: A's StopCCN (result 6) is traced only when B's has not closed the tunnel first.
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const msgs = a.log().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string }).filter((l) => l.level === 'debug').map((l) => l.msg);
    // Only HELLOs may be retransmitted (the first ones go out before the peer is up).
    expect(msgs.filter((m) => m.includes('(retransmission)') && !/ HELLO /.test(m))).toEqual([]);
    expect(msgs.some((m) => new RegExp(`^send to 127\\.0\\.0\\.1:${base + 1} HELLO ccid 22 Ns \\d+ Nr \\d+$`).test(m))).toBe(true);
    // B acknowledges A's HELLOs (ACK, RFC 3931 §5.3).
    expect(msgs.some((m) => /^recv from 127\.0\.0\.1:\d+ (ACK|ZLB) ccid 11 Ns \d+ Nr \d+$/.test(m))).toBe(true);
    expect(msgs.some((m) => /^send to .* StopCCN ccid 22 Ns \d+ Nr \d+: assignedConnectionId=11 resultCode=\{"result":6\}$/.test(m))).toBe(true);
    expect(msgs).toContain('tunnel 11 state idle -> established');
    expect(b.log()).not.toMatch(/"level":"debug"/);
  });

  it('-verbose with dynamic tunnels: both come up, the trace shows the SCCRQ exchange and the states, SIGTERM exits 0', async () => {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const dyn = (me: number, them: number, name: string, args: string[]) => {
      const dir = mkdtempSync(join(tmpdir(), 'ql2tpd-dyn-'));
      const sock = join(dir, 'q.sock');
      const config = join(dir, 'q.toml');
      writeFileSync(config, `control_socket = "${sock}"\n[tunnel.pe]\nversion = "l2tpv3"\nmode = "dynamic"\nencap = "udp"\nlocal = "127.0.0.1:${me}"\npeer = "127.0.0.1:${them}"\nhost_name = "${name}"\ndigest_secret = "s3cret"\n[tunnel.pe.session.vc1]\npseudowire = "eth"\nremote_end_id = "vc1"\n`);
      const logPath = join(dir, 'log');
      const logFd = openSync(logPath, 'w');
      const child = spawn(process.execPath, [MAIN, '-config', config, '-null', '--log-format', 'json', ...args], { stdio: ['ignore', 'ignore', logFd] });
      closeSync(logFd);
      const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
      cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
      return { child, sock, exited, log: () => readFileSync(logPath, 'utf8') };
    };
    const a = dyn(base, base + 1, 'pe-a', ['-verbose']);
    const b = dyn(base + 1, base, 'pe-b', []);
    const up = (sock: string) => async () => {
      const r = await requestControlSocket(sock, { op: 'status' });
      const t = r.ok ? r.status?.tunnels[0] : undefined;
      return t?.state === 'established' ? t : undefined;
    };
    await until(up(a.sock));
    await until(up(b.sock));
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(a.log()).not.toMatch(/TypeError|cannot open the control connection/);
    const msgs = a.log().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: string }).filter((l) => l.level === 'debug').map((l) => l.msg);
    expect(msgs.some((m) => /^(send|recv) .* SCCRQ /.test(m))).toBe(true);
    expect(msgs.some((m) => / state \S+ -> established$/.test(m))).toBe(true);
  });

  it('-null is in the help; an unknown command says so', () => {
    const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--null run the control protocol without kernel tunnels or sessions/);
    const r = spawnSync(process.execPath, [MAIN, 'restart'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'restart' (commands: status, up, down; see ql2tpd --help)\n");
  });
});
