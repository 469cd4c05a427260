/**
 * xl2tpd 1.3.18 as the LAC (scripts/xl2tpd/lac.mjs, stub pppd) against kl2tpd -null serving
 * `[lns.*]`: plain, with challenge + hidden AVPs, and with the wrong secret — which our LNS finds in
 * xl2tpd's Challenge Response and refuses with StopCCN result 4, logged and counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestControlSocket, type ListenerStatus } from '@l2tp/daemon';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { freePort } from './free-port.js';
import { xl2tpdAvailable } from '../../../scripts/xl2tpd/harness.mjs';
import { startXl2tpdLac } from '../../../scripts/xl2tpd/lac.mjs';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

function lnsProcess(table: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-lns-x-'));
  const sock = join(dir, 'k.sock');
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${sock}"\n${table}`);
  const child: ChildProcess = spawn(process.execPath, [MAIN, '-config', join(dir, 'k.toml'), '-null', '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  onTestFailed(() => console.error(`--- kl2tpd LNS log\n${log.slice(-5000)}`));
  return { child, sock, exited, log: () => log };
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try { const v = await fn(); if (v !== undefined) return v; } catch { /* not yet */ }
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const listener = async (sock: string): Promise<ListenerStatus | undefined> => {
  const r = await requestControlSocket(sock, { op: 'status' });
  return r.ok ? r.status?.listeners?.[0] : undefined;
};

const xl2tpd = xl2tpdAvailable();
describe.skipIf(!xl2tpd.ok)(`xl2tpd LAC against kl2tpd's LNS (${xl2tpd.ok ? 'xl2tpd available' : xl2tpd.reason})`, () => {
  for (const auth of [{ label: 'plain' }, { label: 'challenge + hidden AVPs', secret: 's3cret', challenge: true, hidden: true }]) {
    it(`${auth.label}: the call comes up with the first pool address; xl2tpd's hangup clears it and frees the address`, async () => {
      const port = await freePort();
      const lns = lnsProcess(`[lns.x]\nlisten = "127.0.0.1:${port}"\nhost_name = "kl2tpd-lns"\nlocal_ip = "10.7.0.1"\nip_range = ["10.7.0.50-10.7.0.60"]\n` +
        // xl2tpd hides its AVPs and we read them; our hide_avps = true towards xl2tpd is not covered:
        // xl2tpd 1.3.18 rejects our hidden SCCRP AVPs ("Decrypted length is too long") — open question.
        (auth.secret === undefined ? '' : `secret = "${auth.secret}"\n`));
      await until(async () => ((await listener(lns.sock))?.listen === `127.0.0.1:${port}` ? true : undefined));
      const { label: _label, ...opts } = auth;
      const lac = await startXl2tpdLac({ lns: { port }, hostname: 'xl2tpd-lac', ...opts });
      cleanups.push(() => lac.stop());
      const { call } = await lac.dial();
      const l = await until(async () => { const x = await listener(lns.sock); return x?.sessionCount === 1 ? x : undefined; });
      const session = l.tunnels[0]!.sessions[0]!;
      // xl2tpd's call ids are ours crossed over.
      expect(session.peerSessionId).toBe(call!.local);
      expect(session.sessionId).toBe(call!.remote);
      expect(session.assignedAddress).toBe('10.7.0.50');
      expect(l.pool).toEqual({ size: 11, used: 1, free: 10 });
      await lac.hangup(call!.local);
      const after = await until(async () => { const x = await listener(lns.sock); return x?.sessionCount === 0 ? x : undefined; });
      expect(after.pool?.used).toBe(0);
      expect(lns.log()).toMatch(/LNS call down: peer sent CDN/);
      expect(Object.values(after.refusals).every((n) => n === 0)).toBe(true);
    });
  }

  it('wrong secret: our LNS checks xl2tpd\'s Challenge Response and refuses with StopCCN 4, logged and counted', async () => {
    const port = await freePort();
    const lns = lnsProcess(`[lns.x]\nlisten = "127.0.0.1:${port}"\nsecret = "right"\n`);
    await until(async () => ((await listener(lns.sock))?.listen === `127.0.0.1:${port}` ? true : undefined));
    // No challenge from xl2tpd: it answers ours with its (wrong) secret and does not check us.
    const lac = await startXl2tpdLac({ lns: { port }, hostname: 'xl2tpd-lac', secret: 'wrong', challenge: false });
    cleanups.push(() => lac.stop());
    await lac.connect();
    const l = await until(async () => { const x = await listener(lns.sock); return x?.refusals['challenge-failed'] === 1 ? x : undefined; });
    expect(l.tunnelCount).toBe(0);
    expect(lns.log()).toMatch(/tunnel authentication failed \(wrong Challenge Response/);
    // xl2tpd received the StopCCN (result 4) and closed its side.
    await lac.waitForLog(/StopCCN|Result code 4|not authorized/i, 10_000);
  });
});
