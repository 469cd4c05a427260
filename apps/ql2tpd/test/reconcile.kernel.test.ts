/**
 * The data-plane reconciler on the real kernel (guest): ql2tpd runs a static L2TPv3 pseudowire in a
 * namespace; `ip l2tp del session` and `ip l2tp del tunnel` under it are noticed through the l2tp
 * multicast group and the objects made again (ping passes again); SIGTERM's own deletions are not
 * undone.
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const MAIN = new URL('../dist/main.js', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms: number, what: string, log = () => ''): Promise<void> {
  for (const t0 = Date.now(); !check(); await sleep(100)) if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}\n${log()}`);
}

beforeAll(() => {
  sh(`ip netns add rA; ip netns add rB
    ip link add vA netns rA type veth peer name vB netns rB
    ip -n rA addr add 10.80.0.1/24 dev vA; ip -n rA link set vA up; ip -n rA link set lo up
    ip -n rB addr add 10.80.0.2/24 dev vB; ip -n rB link set vB up; ip -n rB link set lo up
    ip -n rB l2tp add tunnel tunnel_id 20 peer_tunnel_id 10 encap udp local 10.80.0.2 remote 10.80.0.1 udp_sport 5000 udp_dport 5000
    ip -n rB l2tp add session name pwB tunnel_id 20 session_id 2 peer_session_id 1 l2spec_type none
    ip -n rB addr add 10.81.0.2/24 dev pwB; ip -n rB link set pwB up`);
});
afterAll(() => { trySh('ip netns pids rA | xargs -r kill -KILL; ip netns del rA; ip netns del rB'); });

const hasSession = () => /Session 1 in tunnel 10/.test(trySh('ip -n rA l2tp show session'));
const pingable = () => {
  if (!trySh('ip -n rA link show pwA 2>/dev/null').includes('pwA')) return false;
  trySh('ip -n rA addr add 10.81.0.1/24 dev pwA 2>/dev/null; ip -n rA link set pwA up');
  return /1 received/.test(trySh('ip netns exec rA ping -c 1 -W 1 10.81.0.2'));
};

it('ip l2tp del under a running ql2tpd: the session, then the tunnel, are made again; SIGTERM\'s deletions stay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ql2tpd-r-'));
  writeFileSync(join(dir, 'q.toml'), `control_socket = "${dir}/q.sock"\n[tunnel.t]\nversion = "l2tpv3"\nlocal = "10.80.0.1:5000"\npeer = "10.80.0.2:5000"\ntid = 10\nptid = 20
[tunnel.t.session.s]\npseudowire = "eth"\nsid = 1\npsid = 2\ninterface_name = "pwA"\n`);
  const child = spawn('ip', ['netns', 'exec', 'rA', process.execPath, MAIN, '-config', join(dir, 'q.toml'), '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  // Node can take 20 s to start in the emulated guest: the start is awaited as an event.
  await until(() => /"msg":"started: /.test(log), 120_000, 'ql2tpd to start', () => log);
  await until(pingable, 10_000, 'ping across', () => log);

  sh('ip -n rA l2tp del session tunnel_id 10 session_id 1');
  await until(hasSession, 10_000, 'the session to be made again', () => log);
  await until(pingable, 10_000, 'ping across the remade session', () => log);
  sh('ip -n rA l2tp del tunnel tunnel_id 10');
  await until(hasSession, 10_000, 'the tunnel and session to be made again', () => log);
  await until(pingable, 10_000, 'ping across the remade tunnel', () => log);
  // The log line travels through a pipe: awaited, not assumed already read.
  await until(() => /made again/.test(log), 10_000, 'the repair in the log', () => log);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await sleep(1000);
  expect(trySh('ip -n rA l2tp show tunnel')).toBe('');
}, 240_000);
