/**
 * PPP over L2TPv2 end to end: static v2 tunnels and PPP sessions made by NetlinkDataPlane in two
 * namespaces, a PPPoL2TP socket handed to a real pppd on each side as fd 3; LCP and IPCP run through
 * the kernel data path and ppp0 pings across. pppd exiting removes its session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { NetlinkDataPlane } from '../src/dataplane.js';
import { inNetns } from '../src/sockets/netns.js';
import { closeFd, openPppol2tpSocket } from '../src/sockets/pppol2tp.js';
import { dropNamespaces, ok, sh, twoNamespaces, until } from './kernel-helpers.js';

const A = 'ppa';
const B = 'ppb';
const children: ChildProcess[] = [];

beforeAll(() => twoNamespaces(A, B, '10.9.0', 'fd09::'));
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  dropNamespaces(A, B);
});

test('pppd on each side brings ppp0 up over PPPoL2TP and pings across', async () => {
  const side = async (ns: string, dp: NetlinkDataPlane, me: string, them: string, tid: number, ptid: number, sid: number, psid: number, lns: boolean, ips: string) => {
    const t = await dp.createTunnel({
      tunnelId: tid, peerTunnelId: ptid, version: 2, encap: 'udp',
      local: { address: me, port: 1701, family: 4 }, peer: { address: them, port: 1701, family: 4 },
    });
    await t.createSession({ tunnelId: tid, peerTunnelId: ptid, sessionId: sid, peerSessionId: psid, pseudowire: 'ppp', l2specType: 'none', seqnum: false, reorderTimeoutMs: 0, lnsMode: lns });
    const fd = inNetns(ns, () => openPppol2tpSocket({ version: 2, tunnelId: tid, sessionId: sid, peerTunnelId: ptid, peerSessionId: psid }));
    // Spawned on the main thread while it is in the namespace: pppd and its ppp0 live there.
    const child = inNetns(ns, () => spawn('/usr/sbin/pppd', [
      'plugin', 'pppol2tp.so', 'pppol2tp', '3', 'pppol2tp_tunnel_id', String(tid), 'pppol2tp_session_id', String(sid),
      ...(lns ? ['pppol2tp_lns_mode'] : []), 'nodetach', 'noauth', 'nodefaultroute', 'noipdefault', 'nodeflate', 'nobsdcomp',
      'noccp', 'novj', 'ipcp-accept-local', 'ipcp-accept-remote', 'lcp-echo-interval', '0', 'file', '/dev/null', ips,
    ], { stdio: ['ignore', 'pipe', 'pipe', fd] }));
    children.push(child);
    // pppd holds its own copy now; ours must go or pppd's exit would not end the session.
    closeFd(fd);
    return { t, child };
  };
  const dpA = inNetns(A, () => NetlinkDataPlane.open());
  const dpB = inNetns(B, () => NetlinkDataPlane.open());
  try {
    const a = await side(A, dpA, '10.9.0.1', '10.9.0.2', 100, 200, 1, 2, false, '10.40.0.1:10.40.0.2');
    const b = await side(B, dpB, '10.9.0.2', '10.9.0.1', 200, 100, 2, 1, true, '10.40.0.2:10.40.0.1');
    let log = '';
    for (const c of [a.child, b.child]) c.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
    await until(`ppp0 up in both namespaces (pppd said: ${log})`, () => ok(`ip -n ${A} addr show ppp0 | grep -q 'inet 10.40.0.1'`) && ok(`ip -n ${B} addr show ppp0 | grep -q 'inet 10.40.0.2'`), 30_000, 200);
    expect(sh(`ip netns exec ${A} ping -c 2 -W 2 10.40.0.2`)).toMatch(/2 received/);
    const exited = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGTERM');
    await exited;
    await until('session 1 to go with pppd', () => dpA.netlink.getSession(100, 1).then(() => false, () => true), 5000);
    await a.t.down();
    b.child.kill('SIGTERM');
    await b.t.down();
  } finally {
    await dpA.close();
    await dpB.close();
  }
});
