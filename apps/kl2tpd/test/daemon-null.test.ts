/**
 * kl2tpd -null end to end on loopback (no root, no kernel): the built daemon as a process, against
 * our own LNS role and against a real xl2tpd 1.3.18 LNS (stub pppd), with the status socket,
 * NetworkManager-l2tp's config file unchanged, CDN from the peer, and SIGTERM → StopCCN, exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecWire, L2tpContext, nullDataPlane } from '@l2tp/control';
import { requestControlSocket, type DaemonStatus } from '@l2tp/daemon';
import { afterEach, describe, expect, it } from 'vitest';
import { startXl2tpd, xl2tpdAvailable } from '../../../scripts/xl2tpd/harness.mjs';

const MAIN = new URL('../dist/kl2tpd.cjs', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

/** Starts kl2tpd -null on a config whose peer is 127.0.0.1:port; returns the process, its socket and log. */
function kl2tpd(port: number, extra = '', file?: string, args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-null-'));
  const sock = join(dir, 'kl2tpd.sock');
  const config = file ?? join(dir, 'kl2tpd.toml');
  if (file === undefined) {
    writeFileSync(config, `control_socket = "${sock}"\n[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nhost_name = "kl2tpd-test"\n${extra}\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n`);
  }
  const child: ChildProcess = spawn(process.execPath, [MAIN, '-config', config, '-null', '-verbose', '--log-format', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  return { child, sock, exited, log: () => log, dir };
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 8000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const statusOf = async (sock: string) => {
  const r = await requestControlSocket(sock, { op: 'status' });
  return r.ok ? r.status : undefined;
};
const allUp = (s: DaemonStatus | undefined) => (s?.tunnels.every((t) => t.state === 'established' && t.sessions.every((x) => x.state === 'established')) ? s : undefined);

describe('kl2tpd -null against our own LNS', () => {
  it('brings tunnel and session up, shows them in status, and SIGTERM sends StopCCN and exits 0', async () => {
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    cleanups.push(() => lns.close(200));
    const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'our-lns' });
    const metricsPort = 19000 + Math.floor(Math.random() * 1000);
    const d = kl2tpd(port, '', undefined, ['--metrics-listen', `127.0.0.1:${metricsPort}`]);
    const s = await until(async () => allUp(await statusOf(d.sock)));
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('l2tp_tunnel_up{daemon="kl2tpd",tunnel="t1"} 1');
    expect(metrics).toMatch(/l2tp_tunnel_control_sent_total\{daemon="kl2tpd",tunnel="t1"\} 4/);
    expect(s.tunnels[0]).toMatchObject({ name: 't1', peer: `127.0.0.1:${port}`, sessions: [{ name: 's1', state: 'established' }] });
    expect(s.tunnels[0]!.tunnelId).toBeGreaterThan(0);
    expect(s.tunnels[0]!.peerTunnelId).toBeGreaterThan(0);
    // SCCRQ, SCCCN, ICRQ, ICCN sent; SCCRP and ICRP received.
    expect(s.tunnels[0]!.control).toMatchObject({ sent: 4, received: 2, retransmitted: 0 });
    const down = lns.once('tunnel-down');
    const t0 = Date.now();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await down).reason).toMatchObject({ type: 'peer-stopccn', result: { result: expect.any(Number) } });
    expect(d.log()).toMatch(/tunnel up: data plane established/);
    expect(d.log()).toMatch(/shutdown complete/);
  });

  it('IPv6: tunnel and session up with an LNS on [::1]', async () => {
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    cleanups.push(() => lns.close(200));
    const { port } = await lns.listen({ local: { address: '::1', port: 0, family: 6 }, hostName: 'our-lns6' });
    const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-v6-'));
    const file = join(dir, 'k.toml');
    writeFileSync(file, `control_socket = "${dir}/k.sock"\n[tunnel.t6]\npeer = "[::1]:${port}"\nversion = "l2tpv2"\n[tunnel.t6.session.s1]\npseudowire = "ppp"\n`);
    const d = kl2tpd(port, '', file);
    const s = await until(async () => allUp(await statusOf(join(dir, 'k.sock'))));
    expect(s.tunnels[0]).toMatchObject({ name: 't6', peer: `[::1]:${port}`, state: 'established' });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('redial: with nothing listening it retries with back-off, and comes up once the LNS appears', async () => {
    const probe = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    const { port } = await probe.listen({ local: { address: '127.0.0.1', port: 0, family: 4 } });
    await probe.close(0);
    const d = kl2tpd(port, 'retry_timeout = 100\nmax_retries = 1\nredial = true\nredial_timeout = 200');
    await until(() => (/redialling/.test(d.log()) ? true : undefined), 5000);
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    cleanups.push(() => lns.close(200));
    await lns.listen({ local: { address: '127.0.0.1', port, family: 4 }, hostName: 'late-lns' });
    const s = await until(async () => allUp(await statusOf(d.sock)), 10_000);
    expect(s.tunnels[0]!.lastResult?.reason).toMatch(/SCCRQ retransmissions exhausted/);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('SIGHUP while it is still starting (its first log line out, its shell not yet up) is not fatal: the reload runs once it is up', async () => {
    const lns = new L2tpContext({ dataPlane: nullDataPlane(), wire: codecWire });
    cleanups.push(() => lns.close(200));
    const { port } = await lns.listen({ local: { address: '127.0.0.1', port: 0, family: 4 }, hostName: 'our-lns' });
    const d = kl2tpd(port);
    // Before: SIGHUP's default action ended the process (status 129) until the shell installed its handler.
    d.child.stderr!.once('data', () => d.child.kill('SIGHUP'));
    await until(() => (/configuration reloaded/.test(d.log()) ? true : undefined));
    await until(async () => allUp(await statusOf(d.sock)));
    expect(d.child.exitCode).toBeNull();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('exits 1 when the tunnel never comes up (nothing listens), logging why', async () => {
    const d = kl2tpd(9, 'retry_timeout = 100\nmax_retries = 2');
    expect(await d.exited).toBe(1);
    expect(d.log()).toMatch(/tunnel down: no acknowledgement from the peer: SCCRQ retransmissions exhausted/);
    expect(d.log()).toMatch(/no tunnel left; exiting/);
  });
});

const xl2tpd = xl2tpdAvailable();
describe.skipIf(!xl2tpd.ok)(`kl2tpd -null against xl2tpd (${xl2tpd.ok ? 'xl2tpd available' : xl2tpd.reason})`, () => {
  it('NetworkManager-l2tp\'s files work unchanged; xl2tpd\'s CDN is logged and acted on; SIGTERM sends StopCCN', async () => {
    const lns = await startXl2tpd({ role: 'lns', hostname: 'xl2tpd-lns' });
    cleanups.push(() => lns.stop());
    const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-nm-'));
    const nm = new URL('../../../configs/examples/nm-l2tp/', import.meta.url).pathname;
    writeFileSync(join(dir, 'ppp-options'), readFileSync(join(nm, 'ppp-options')));
    const conf = readFileSync(join(nm, 'kl2tpd.conf'), 'utf8').replace('0.0.0.0:1701', '127.0.0.1:0').replace('203.0.113.5:1701', `127.0.0.1:${lns.port}`);
    writeFileSync(join(dir, 'kl2tpd.conf'), `control_socket = "${join(dir, 'k.sock')}"\n${conf}`);
    const d = kl2tpd(lns.port, '', join(dir, 'kl2tpd.conf'));
    await lns.waitForLog(/Call established/, 8000);
    await until(async () => allUp(await statusOf(join(dir, 'k.sock'))));
    await lns.hangup(lns.calls()[0]!.local);
    // Our only session gone and stay_up unset: kl2tpd closes the tunnel, and with no redial exits 1.
    expect(await d.exited).toBe(1);
    expect(d.log()).toMatch(/session down: peer sent CDN result/);
    expect(d.log()).toMatch(/last session gone: closing the tunnel/);
    await lns.waitForLog(/Connection closed to|message type 4 \(StopCCN\)/, 5000);
  });

  it('SIGTERM: StopCCN reaches xl2tpd and kl2tpd exits 0', async () => {
    const lns = await startXl2tpd({ role: 'lns', hostname: 'xl2tpd-lns' });
    cleanups.push(() => lns.stop());
    const d = kl2tpd(lns.port);
    await lns.waitForLog(/Call established/, 8000);
    const mark = lns.logs().length;
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    await lns.waitForLog(/Connection closed to|message type 4 \(StopCCN\)/, 5000, mark);
  });
});
