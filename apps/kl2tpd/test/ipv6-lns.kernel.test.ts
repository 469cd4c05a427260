/**
 * kl2tpd over IPv6 against our own LNS role in kernel mode (guest): the LNS (L2tpContext.listen +
 * NetlinkDataPlane + pppd on a PPPoL2TP socket, test/fixtures/kernel-lns.mjs) in namespace 6B,
 * kl2tpd with real pppd in 6A, joined by veth with IPv6 addresses only for L2TP. ppp0 up, ping.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { scaled, until, waitForOutput } from '../../../scripts/vm/waits.mjs';

const MAIN = new URL('../dist/kl2tpd.cjs', import.meta.url).pathname;
const LNS = new URL('./fixtures/kernel-lns.mjs', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };
const children: ChildProcess[] = [];
afterAll(() => { for (const c of children) c.kill('SIGKILL'); trySh('pkill -KILL pppd'); trySh('ip netns del s6A; ip netns del s6B'); });

it('kl2tpd ↔ our kernel LNS over IPv6: ppp0 up on both sides and ping across', async () => {
  sh(`ip netns add s6A; ip netns add s6B
    ip link add vA netns s6A type veth peer name vB netns s6B
    ip -n s6A addr add fd01::1/64 dev vA nodad; ip -n s6A link set vA up; ip -n s6A link set lo up
    ip -n s6B addr add fd01::2/64 dev vB nodad; ip -n s6B link set vB up; ip -n s6B link set lo up`);
  const dir = mkdtempSync(join(tmpdir(), 'kl2tpd-v6-'));
  writeFileSync(join(dir, 'options'), 'noauth\nnoccp\nnodefaultroute\nlcp-echo-interval 0\nmtu 1400\nmru 1400\n');
  let lnsLog = '';
  const lns = spawn('ip', ['netns', 'exec', 's6B', process.execPath, LNS, 'fd01::2', '1701', '10.80.0.1:10.80.0.2', join(dir, 'options')], { stdio: ['ignore', 'pipe', 'pipe'] });
  lns.stderr!.on('data', (d) => { lnsLog += d; });
  children.push(lns);
  await waitForOutput(lns, /listening/, 20_000, 'the LNS to listen');
  writeFileSync(join(dir, 'k.toml'), `control_socket = "${dir}/k.sock"\n[tunnel.t6]\npeer = "[fd01::2]:1701"\nversion = "l2tpv2"\n[tunnel.t6.session.s1]\npseudowire = "ppp"\npppd_args = "${dir}/options"\n`);
  let log = '';
  const k = spawn('ip', ['netns', 'exec', 's6A', process.execPath, MAIN, '-config', join(dir, 'k.toml'), '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  k.stderr!.on('data', (d) => { log += d; });
  children.push(k);
  const exited = new Promise<number | null>((r) => k.once('close', (c) => r(c)));
  await until(() => /inet 10\.80\.0\.2/.test(trySh('ip -n s6A addr show ppp0 2>/dev/null')), 30_000, 'ppp0 with 10.80.0.2 in s6A')
    .catch((e: Error) => { throw new Error(`${e.message}\n${log}\n${lnsLog}`); });
  expect(trySh('ip -n s6A addr show ppp0'), `${log}\n${lnsLog}`).toMatch(/inet 10\.80\.0\.2/);
  expect(trySh('ip -n s6A l2tp show tunnel')).toMatch(/From fd01::1 to fd01::2/);
  expect(sh('ip netns exec s6A ping -c 2 -W 2 10.80.0.1')).toMatch(/2 received/);
  k.kill('SIGTERM');
  expect(await exited).toBe(0);
  // The kernel removes a deleted tunnel from a workqueue, maybe after the daemon has exited.
  await until(() => trySh('ip -n s6A l2tp show tunnel') === '', 5000, 'the kernel tunnel to go');
}, scaled(90_000));
