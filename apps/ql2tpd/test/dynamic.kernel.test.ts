/**
 * ql2tpd ↔ ql2tpd dynamic L2TPv3 on the real kernel (guest), one daemon per namespace, both
 * listing each other, four tunnels at once: over IP (protocol 115) and over UDP, each on IPv4 and
 * IPv6, with the Message Digest (SHA-1 and MD5). Each Ethernet pseudowire pings across with the
 * negotiated ids and cookies in the kernel; `ip link set` down/up of a pseudowire interface reaches
 * the peer as SLI; kill -9 of one end and a restart brings both back by themselves; a restart with
 * the wrong secret brings nothing up and both logs say why.
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { scaled, until } from '../../../scripts/vm/waits.mjs';

const MAIN = new URL('../dist/ql2tpd.cjs', import.meta.url).pathname;
const sh = (cmd: string) => execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const trySh = (cmd: string) => { try { return sh(cmd); } catch (e) { return String((e as { stdout?: string }).stdout ?? ''); } };
const children: ChildProcess[] = [];
beforeAll(() => {
  sh(`ip netns add dA; ip netns add dB
    ip link add vA netns dA type veth peer name vB netns dB
    ip -n dA addr add 10.61.0.1/24 dev vA; ip -n dA -6 addr add fd00:61::1/64 dev vA nodad; ip -n dA link set vA up; ip -n dA link set lo up
    ip -n dB addr add 10.61.0.2/24 dev vB; ip -n dB -6 addr add fd00:61::2/64 dev vB nodad; ip -n dB link set vB up; ip -n dB link set lo up`);
});
afterAll(() => { for (const c of children) c.kill('SIGKILL'); trySh('ip netns del dA; ip netns del dB'); });

/**
 * One end's config: four dynamic tunnels, one per encapsulation and family — IP/IPv4 (SHA-1 digest,
 * 4-byte cookies), UDP/IPv6 (MD5, 8-byte cookies), IP/IPv6 and UDP/IPv4 — each with one pseudowire.
 */
function conf(ns: 'dA' | 'dB', secret = 's3cret') {
  const [me, them] = ns === 'dA' ? ['1', '2'] : ['2', '1'];
  const common = `version = "l2tpv3"\nmode = "dynamic"\nhost_name = "${ns}"\nhello_timeout = 1000\nretry_timeout = 250\nmax_retries = 3\ndigest_secret = "${secret}"`;
  const tunnel = (name: string, addresses: string, cookie: number, extra = '') => `[tunnel.${name}]\n${common}\n${addresses}\n${extra}
[tunnel.${name}.session.vc]\npseudowire = "eth"\nremote_end_id = "vc-${name}"\ncookie_length = ${cookie}\ninterface_name = "pw${name}${ns}"\n`;
  return tunnel('ip4', `encap = "ip"\nlocal = "10.61.0.${me}"\npeer = "10.61.0.${them}"`, 4, 'digest = "sha1"')
    + tunnel('udp6', `encap = "udp"\nlocal = "[fd00:61::${me}]:1701"\npeer = "[fd00:61::${them}]:1701"`, 8, `router_id = "10.61.1.${me}"`)
    + tunnel('ip6', `encap = "ip"\nlocal = "[fd00:61::${me}]"\npeer = "[fd00:61::${them}]"`, 0, `router_id = "10.61.2.${me}"`)
    + tunnel('udp4', `encap = "udp"\nlocal = "10.61.0.${me}:1701"\npeer = "10.61.0.${them}:1701"`, 4);
}

function start(ns: 'dA' | 'dB', secret?: string) {
  const dir = mkdtempSync(join(tmpdir(), `ql2tpd-${ns}-`));
  const file = join(dir, 'q.toml');
  writeFileSync(file, `control_socket = "${dir}/q.sock"\n${conf(ns, secret)}`);
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, MAIN, '-config', file, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  child.stdout!.on('data', (d) => { log += d; });
  children.push(child);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.once('close', (c) => { code = c; r(c); }));
  const alive = () => { if (code !== undefined) throw new Error(`ql2tpd in ${ns} exited ${code}:\n${log}`); return true; };
  return { child, exited, log: () => log, alive };
}
const linkUp = (ns: string, dev: string, ip: string) => {
  if (!trySh(`ip -n ${ns} link show ${dev} 2>/dev/null`).includes(dev)) return false;
  trySh(`ip -n ${ns} addr add ${ip}/24 dev ${dev} 2>/dev/null; ip -n ${ns} link set ${dev} up`);
  return true;
};
const TUNNELS = [['ip4', 71], ['udp6', 72], ['ip6', 73], ['udp4', 74]] as const;
const bothUp = () => TUNNELS.every(([t, n]) => linkUp('dA', `pw${t}dA`, `10.${n}.0.1`) && linkUp('dB', `pw${t}dB`, `10.${n}.0.2`));
const ping = (ip: string, n = 2) => /(\d+) received/.exec(trySh(`ip netns exec dA ping -c ${n} -W 1 -i 0.2 ${ip}`))?.[1];
const pingAll = (n = 1) => TUNNELS.every(([, net]) => ping(`10.${net}.0.2`, n) === String(n));

it('over IP and UDP, IPv4 and IPv6, with a digest: pings, SLI on link down/up, survives kill -9 of one end, refuses a wrong secret', async () => {
  const a = start('dA');
  let b = start('dB');
  await until(() => a.alive() && b.alive() && bothUp(), 90_000, 'the four pseudowires');
  await until(() => pingAll(), 20_000, 'ping across the four pseudowires');
  expect(TUNNELS.map(([, net]) => ping(`10.${net}.0.2`))).toEqual(['2', '2', '2', '2']);
  // The kernel objects carry the negotiated ids and cookies: the IP tunnel, a 4-byte cookie each way
  // on vc4 (ours and the peer's), 8-byte ones on vc6; A's session id is B's peer session id.
  const tunnels = trySh('ip -n dA l2tp show tunnel');
  expect(tunnels).toMatch(/encap IP/);
  expect(tunnels).toMatch(/encap UDP/);
  const sa = trySh('ip -n dA l2tp show session');
  const sb = trySh('ip -n dB l2tp show session');
  const ids = (text: string, dev: string) => {
    const block = text.split(/(?=Session )/).find((x) => x.includes(`interface name: ${dev}`)) ?? '';
    return { block, session: /Session (\d+)/.exec(block)?.[1], peer: /Peer session (\d+)/.exec(block)?.[1] };
  };
  const a4 = ids(sa, 'pwip4dA');
  const b4 = ids(sb, 'pwip4dB');
  expect(a4.session).toBe(b4.peer);
  expect(a4.peer).toBe(b4.session);
  expect(a4.block).toMatch(/cookie [0-9a-f]{8}\s/);
  expect(ids(sa, 'pwudp6dA').block).toMatch(/cookie [0-9a-f]{16}\s/);
  // `ip l2tp show session` repeats the previous session's cookie for one without (iproute2 keeps it
  // between dump entries), so the cookie-less IP/IPv6 pseudowire is checked in ql2tpd's log instead.
  const upLine = (t: string) => a.log().split('\n').find((l) => l.includes('"msg":"session up"') && l.includes(`"tunnel_name":"${t}"`));
  await until(() => TUNNELS.every(([t]) => upLine(t) !== undefined), 10_000, 'A\'s four "session up" log lines');
  expect(JSON.parse(upLine('ip6')!)).toMatchObject({ cookie_length: 0, peer_cookie_length: 0, interface_name: 'pwip6dA', remote_end_id: 'vc-ip6' });
  expect(JSON.parse(upLine('udp6')!)).toMatchObject({ cookie_length: 8, peer_cookie_length: 8 });

  // The pseudowire interface is the attachment circuit: down and up on A reach B as SLI.
  sh('ip -n dA link set pwip4dA down');
  await until(() => /the peer's attachment circuit is down \(SLI\)/.test(b.log()), 20_000, 'B to log the SLI (circuit down)');
  sh('ip -n dA link set pwip4dA up');
  await until(() => /the peer's attachment circuit is up \(SLI\)/.test(b.log()), 20_000, 'B to log the SLI (circuit up)');
  await until(() => /attachment circuit down: told the peer \(SLI\)/.test(a.log()), 20_000, 'A to log the SLI it sent');
  await until(() => ping('10.71.0.2', 1) === '1', 20_000, 'ping across the IP/IPv4 pseudowire again');

  // kill -9 B (no StopCCN): A finds out (HELLO) or B's new connection replaces the stale one.
  // A may still hold its old pseudowires for a while (until HELLO fails or B's new connection
  // replaces them), so the interfaces existing proves nothing: wait for A's four new "session up"
  // lines, and give addresses again on every try, as A's old interfaces may go after being seen.
  const mark = a.log().length;
  b.child.kill('SIGKILL');
  await b.exited;
  b = start('dB');
  const upAgain = (t: string) => a.log().slice(mark).split('\n').some((l) => l.includes('"msg":"session up"') && l.includes(`"tunnel_name":"${t}"`));
  await until(() => a.alive() && b.alive() && TUNNELS.every(([t]) => upAgain(t)), 90_000, 'A\'s four "session up" lines after the restart');
  await until(() => a.alive() && b.alive() && bothUp() && pingAll(), 30_000, 'ping across the four restored pseudowires');
  expect(a.alive()).toBe(true);

  // B comes back with the wrong secret: nothing comes up, and both ends say why.
  b.child.kill('SIGKILL');
  await b.exited;
  const before = a.log().length;
  b = start('dB', 'wrong');
  const why = /Message Digest did not verify \(mismatch\)/;
  await until(() => b.alive() && why.test(b.log()) && why.test(a.log().slice(before)), 90_000, 'both logs to report the digest mismatch');
  for (const [t] of TUNNELS) expect(trySh(`ip -n dB link show pw${t}dB 2>/dev/null`)).toBe('');
  expect(trySh('ip -n dB l2tp show tunnel')).toBe('');
}, scaled(400_000));
