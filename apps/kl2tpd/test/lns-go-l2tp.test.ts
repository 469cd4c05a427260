/**
 * go-l2tp's kl2tpd (v0.1.8, built here from Debian's Go packages by scripts/go-l2tp/build.mjs,
 * `-null`) as the LAC of kl2tpd's own LNS (kl2tpd -null serving `[lns.go]`, a process): go-l2tp's
 * tunnel and call come up in our status with the first pool address, and its
 * SIGTERM clears them and gives the address back. When go-l2tp cannot be built the suite is
 * skipped with the reason in its title and on stderr, never passed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestControlSocket, type ListenerStatus } from '@l2tp/daemon';
import { afterEach, describe, expect, onTestFailed, test } from 'vitest';
import { buildGoL2tpKl2tpd } from '../../../scripts/go-l2tp/build.mjs';

const GO = buildGoL2tpKl2tpd();
if (!GO.ok) process.stderr.write(`\n!!! go-l2tp LAC ↔ kl2tpd LNS NOT RUN: CANNOT BUILD go-l2tp's kl2tpd: ${GO.reason}\n\n`);
const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

function run(path: string, args: string[]) {
  const child: ChildProcess = spawn(path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d; });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  onTestFailed(() => console.error(`--- ${path}\n${log.slice(-4000)}`));
  return { child, exited, log: () => log };
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!GO.ok)(`go-l2tp kl2tpd LAC ↔ kl2tpd LNS (${GO.ok ? `go-l2tp ${GO.commit.slice(0, 7)}` : `NOT RUN: ${GO.reason}`})`, () => {
  test('go-l2tp\'s tunnel and call come up with the first pool address; its SIGTERM clears them and frees the address', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
    const { port } = probe.address();
    await new Promise<void>((r) => probe.close(() => r()));
    const dir = mkdtempSync(join(tmpdir(), 'go-l2tp-lns-'));
    const sock = join(dir, 'k.sock');
    writeFileSync(join(dir, 'lns.toml'), `control_socket = "${sock}"\n[lns.go]\nlisten = "127.0.0.1:${port}"\nlocal_ip = "10.8.0.1"\nip_range = ["10.8.0.2-10.8.0.9"]\n`);
    writeFileSync(join(dir, 'go.toml'), `[tunnel.t1]\npeer = "127.0.0.1:${port}"\nversion = "l2tpv2"\nencap = "udp"\n` +
      'host_name = "go-l2tp-lac"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\n');
    run(process.execPath, [MAIN, '-config', join(dir, 'lns.toml'), '-null', '--log-format', 'json']);
    const listener = async (): Promise<ListenerStatus | undefined> => {
      const r = await requestControlSocket(sock, { op: 'status' });
      return r.ok ? r.status?.listeners?.[0] : undefined;
    };
    await until(async () => ((await listener())?.listen === `127.0.0.1:${port}` ? true : undefined));
    const go = run(GO.ok ? GO.path : '', ['-null', '-config', join(dir, 'go.toml')]);
    const l = await until(async () => { const x = await listener(); return x?.sessionCount === 1 ? x : undefined; });
    expect(l.tunnels[0]).toMatchObject({ state: 'established', sessions: [{ state: 'established', assignedAddress: '10.8.0.2' }] });
    go.child.kill('SIGTERM');
    const after = await until(async () => { const x = await listener(); return x?.tunnelCount === 0 ? x : undefined; });
    expect(after.pool).toEqual({ size: 8, used: 0, free: 8 });
    // go-l2tp's own shutdown can hang when SIGTERM lands while it sets up its call (seen in CI: its socket read
    // fails and the process stays); what is asserted here is our LNS, so a hung go-l2tp is killed, not failed on.
    const code = await Promise.race([go.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000).unref())]);
    if (code === 'hung') go.child.kill('SIGKILL');
    else expect(code).toBe(0);
  }, 90_000);
});
