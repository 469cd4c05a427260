/**
 * kl2tpd on the real kernel (guest), end to end with real pppd: an xl2tpd LNS (kernel mode, real
 * pppd) in namespace kB, kl2tpd in namespace kA, joined by veth. ppp0 comes up on both sides and
 * pings; killing our pppd clears the call (CDN) and the kernel session; SIGTERM leaves no kernel
 * object and no pppd behind.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scaled, until } from '../../../scripts/vm/waits.mjs';

const MAIN = new URL('../dist/kl2tpd.cjs', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };

const children: ChildProcess[] = [];
let lnsDir = '';
beforeAll(async () => {
  sh(`ip netns add kA; ip netns add kB
    ip link add vA netns kA type veth peer name vB netns kB
    ip -n kA addr add 10.40.0.1/24 dev vA; ip -n kA link set vA up; ip -n kA link set lo up
    ip -n kB addr add 10.40.0.2/24 dev vB; ip -n kB link set vB up; ip -n kB link set lo up`);
  lnsDir = mkdtempSync(join(tmpdir(), 'xl2tpd-lns-'));
  writeFileSync(join(lnsDir, 'options'), 'noauth\nnoccp\nnodefaultroute\nlcp-echo-interval 0\nmtu 1400\nmru 1400\n');
  writeFileSync(join(lnsDir, 'xl2tpd.conf'), `[global]\nlisten-addr = 10.40.0.2\nport = 1701\naccess control = no\n
[lns default]\nip range = 10.50.0.2-10.50.0.20\nlocal ip = 10.50.0.1\nrequire authentication = no\nhostname = xl2tpd-lns\nlength bit = yes\npppoptfile = ${lnsDir}/options\n`);
  const lns = spawn('ip', ['netns', 'exec', 'kB', 'xl2tpd', '-D', '-c', join(lnsDir, 'xl2tpd.conf'), '-p', join(lnsDir, 'pid'), '-C', join(lnsDir, 'ctl')], { stdio: 'ignore' });
  children.push(lns);
  await until(() => / 10\.40\.0\.2:1701 /.test(trySh('ip netns exec kB ss -Hlun')), 10_000, 'xl2tpd to listen on 10.40.0.2:1701');
}, scaled(60_000));
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  trySh('pkill -KILL pppd; pkill -KILL xl2tpd');
  trySh('ip netns del kA; ip netns del kB');
});
afterEach(() => { trySh('ip netns pids kA | xargs -r kill -KILL'); });

/** Starts kl2tpd in kA; returns the process, its exit and its log. */
function kl2tpd() {
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-k-'));
  writeFileSync(join(dir, 'ppp-options'), 'noauth\nnoccp\nnodefaultroute\nlcp-echo-interval 0\nmtu 1400\nmru 1400\n');
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${dir}/k.sock"\n[tunnel.t1]\npeer = "10.40.0.2:1701"\nversion = "l2tpv2"\n[tunnel.t1.session.s1]\npseudowire = "ppp"\npppd_args = "${dir}/ppp-options"\n`);
  const child = spawn('ip', ['netns', 'exec', 'kA', process.execPath, MAIN, '-config', join(dir, 'k.toml'), '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  children.push(child);
  return { child, exited, log: () => log };
}
const pppUp = () => /inet 10\.50\.0\.\d+/.test(trySh('ip -n kA addr show ppp0 2>/dev/null'));

describe('kl2tpd ↔ xl2tpd with real pppd on both sides', () => {
  it('ppp0 comes up on both sides and pings; SIGTERM leaves no kernel object and no pppd', async () => {
    const k = kl2tpd();
    await until(pppUp, 30_000, 'ppp0 with an address in kA').catch((e: Error) => { throw new Error(`${e.message}\n${k.log()}`); });
    expect(trySh('ip -n kA l2tp show tunnel')).toMatch(/Tunnel \d+, encap UDP/);
    expect(trySh('ip -n kA l2tp show session')).toMatch(/Session \d+ in tunnel \d+/);
    expect(sh('ip netns exec kA ping -c 2 -W 2 10.50.0.1')).toMatch(/2 received/);
    k.child.kill('SIGTERM');
    expect(await k.exited).toBe(0);
    await until(() => trySh('ip -n kA l2tp show tunnel') === '' && trySh('ip netns pids kA') === '', 5000, 'no kernel tunnel and no process left in kA');
  }, scaled(90_000));

  it('killing our pppd clears the call with CDN and the kernel session goes', async () => {
    const k = kl2tpd();
    await until(pppUp, 30_000, 'ppp0 with an address in kA');
    trySh('ip netns pids kA | xargs -r ps -o pid=,comm= -p | awk \'$2=="pppd"{print $1}\' | xargs -r kill -TERM');
    await until(() => !/Session/.test(trySh('ip -n kA l2tp show session')), 10_000, 'the kernel session to go');
    expect(await k.exited).toBe(1);
    expect(k.log()).toMatch(/pppd exited/);
    expect(k.log()).toMatch(/last session gone: closing the tunnel/);
  }, scaled(90_000));

  it('kill -9 kl2tpd: the kernel tunnel disappears with its socket', async () => {
    const k = kl2tpd();
    await until(pppUp, 30_000, 'ppp0 with an address in kA');
    k.child.kill('SIGKILL');
    await k.exited;
    await until(() => trySh('ip -n kA l2tp show tunnel') === '', 10_000, 'the kernel tunnel to go');
  }, scaled(90_000));
});
