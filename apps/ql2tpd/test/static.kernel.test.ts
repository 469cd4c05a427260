/**
 * ql2tpd on the real kernel (guest): a static L2TPv3 Ethernet pseudowire from ql2tpd in one
 * namespace to a peer made with `ip l2tp` in another, joined by veth. Ping across the l2tpeth
 * interfaces over UDP and IP encapsulation with cookies; a wrong peer cookie passes nothing;
 * SIGTERM leaves nothing in the kernel.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../scripts/vm/waits.mjs';

const MAIN = new URL('../dist/ql2tpd.cjs', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };

beforeAll(() => {
  sh(`ip netns add qA; ip netns add qB
    ip link add vA netns qA type veth peer name vB netns qB
    ip -n qA addr add 10.20.0.1/24 dev vA; ip -n qA link set vA up; ip -n qA link set lo up
    ip -n qB addr add 10.20.0.2/24 dev vB; ip -n qB link set vB up; ip -n qB link set lo up`);
});
afterAll(() => { trySh('ip netns del qA; ip netns del qB'); });
const children: { kill(sig: NodeJS.Signals): unknown }[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  trySh('ip -n qA l2tp del tunnel tunnel_id 10');
});

/** Starts ql2tpd in namespace qA; resolves once `pwA` exists. */
async function ql2tpd(toml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ql2tpd-k-'));
  writeFileSync(join(dir, 'q.toml'), `control_socket = "${dir}/q.sock"\n${toml}`);
  const child = spawn('ip', ['netns', 'exec', 'qA', process.execPath, MAIN, '-config', join(dir, 'q.toml'), '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  children.push(child);
  await until(() => /pwA/.test(trySh('ip -n qA link show pwA 2>/dev/null')), 15_000, 'ql2tpd to make pwA').catch((e: Error) => { throw new Error(`${e.message}\n${log}`); });
  return { child, exited, log: () => log };
}

function peer(encap: 'udp' | 'ip', peerCookie: string) {
  const ports = encap === 'udp' ? 'udp_sport 5000 udp_dport 5000' : '';
  trySh('ip -n qB l2tp del session tunnel_id 20 session_id 2; ip -n qB l2tp del tunnel tunnel_id 20');
  sh(`ip -n qB l2tp add tunnel tunnel_id 20 peer_tunnel_id 10 encap ${encap} local 10.20.0.2 remote 10.20.0.1 ${ports}
    ip -n qB l2tp add session name pwB tunnel_id 20 session_id 2 peer_session_id 1 cookie 0a0b0c0d peer_cookie ${peerCookie} l2spec_type none
    ip -n qB addr add 10.30.0.2/24 dev pwB; ip -n qB link set pwB up`);
}

const config = (encap: 'udp' | 'ip') => `[tunnel.t]\nversion = "l2tpv3"\nencap = "${encap}"\nlocal = "10.20.0.1${encap === 'udp' ? ':5000' : ''}"\npeer = "10.20.0.2${encap === 'udp' ? ':5000' : ''}"\ntid = 10\nptid = 20
[tunnel.t.session.s]\npseudowire = "eth"\nsid = 1\npsid = 2\ncookie = [0x01, 0x02, 0x03, 0x04]\npeer_cookie = [0x0a, 0x0b, 0x0c, 0x0d]\ninterface_name = "pwA"\n`;

describe.each(['udp', 'ip'] as const)('static L2TPv3 eth pseudowire over %s with cookies', (encap) => {
  it('ql2tpd ↔ ip l2tp: ping across; the kernel shows what ql2tpd asked for; SIGTERM removes it all', async () => {
    peer(encap, '01020304');
    const q = await ql2tpd(config(encap));
    expect(trySh('ip -n qA l2tp show tunnel')).toMatch(new RegExp(`Tunnel 10, encap ${encap.toUpperCase()}[\\s\\S]*Peer tunnel 20`));
    expect(trySh('ip -n qA l2tp show session')).toMatch(/Session 1 in tunnel 10[\s\S]*Peer session 2, tunnel 20[\s\S]*interface name: pwA/);
    const mtu = /mtu (\d+)/.exec(sh('ip -n qA link show pwA'))![1];
    expect(Number(mtu)).toBe(encap === 'udp' ? 1500 - 20 - 8 - 12 - 14 : 1500 - 20 - 8 - 14);
    sh('ip -n qA addr add 10.30.0.1/24 dev pwA; ip -n qA link set pwA up');
    expect(sh('ip netns exec qA ping -c 2 -W 2 10.30.0.2')).toMatch(/2 received/);
    q.child.kill('SIGTERM');
    expect(await q.exited).toBe(0);
    // The kernel removes a deleted tunnel from a workqueue, maybe after the daemon has exited.
    await until(() => trySh('ip -n qA l2tp show tunnel') === '', 5000, 'the kernel tunnel to go');
  });
});

it('IPv6 outer addresses over UDP: ping across', async () => {
  sh(`ip -n qA addr add fd00::1/64 dev vA nodad; ip -n qB addr add fd00::2/64 dev vB nodad`);
  trySh('ip -n qB l2tp del session tunnel_id 20 session_id 2; ip -n qB l2tp del tunnel tunnel_id 20');
  sh(`ip -n qB l2tp add tunnel tunnel_id 20 peer_tunnel_id 10 encap udp local fd00::2 remote fd00::1 udp_sport 5000 udp_dport 5000
    ip -n qB l2tp add session name pwB tunnel_id 20 session_id 2 peer_session_id 1 l2spec_type none
    ip -n qB addr add 10.30.0.2/24 dev pwB; ip -n qB link set pwB up`);
  const q = await ql2tpd(`[tunnel.t]\nversion = "l2tpv3"\nlocal = "[fd00::1]:5000"\npeer = "[fd00::2]:5000"\ntid = 10\nptid = 20\n[tunnel.t.session.s]\npseudowire = "eth"\nsid = 1\npsid = 2\ninterface_name = "pwA"\n`);
  expect(Number(/mtu (\d+)/.exec(sh('ip -n qA link show pwA'))![1])).toBe(1500 - 40 - 8 - 8 - 14);
  sh('ip -n qA addr add 10.30.0.1/24 dev pwA; ip -n qA link set pwA up');
  expect(sh('ip netns exec qA ping -c 2 -W 2 10.30.0.2')).toMatch(/2 received/);
  q.child.kill('SIGTERM');
  expect(await q.exited).toBe(0);
});

it('a wrong peer cookie passes no traffic', async () => {
  peer('udp', 'deadbeef');
  const q = await ql2tpd(config('udp'));
  sh('ip -n qA addr add 10.30.0.1/24 dev pwA; ip -n qA link set pwA up');
  expect(trySh('ip netns exec qA ping -c 2 -W 1 10.30.0.2')).toMatch(/0 received/);
  q.child.kill('SIGTERM');
  expect(await q.exited).toBe(0);
});
