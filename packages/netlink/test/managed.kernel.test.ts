/**
 * Managed tunnels: the kernel adopts our control socket (L2TP_ATTR_FD) while Node keeps receiving
 * control packets; data packets go to the kernel; closing the socket removes the tunnel. Also
 * PPPoL2TP sockets, id reuse right after a delete, and the l2tp multicast monitor.
 */
import { readFileSync } from 'node:fs';
import type { ControlSocket } from '@l2tp/control';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NetlinkDataPlane } from '../src/dataplane.js';
import { L2tpMonitor, type L2tpEvent } from '../src/l2tp/monitor.js';
import { openKernelControlSocket } from '../src/sockets/control-socket.js';
import { inNetns } from '../src/sockets/netns.js';
import { closeFd, openPppol2tpSocket } from '../src/sockets/pppol2tp.js';
import { dropNamespaces, sh, twoNamespaces, until } from './kernel-helpers.js';

const A = 'ma';
const B = 'mb';
let dp: NetlinkDataPlane;
const a = { address: '10.9.0.1', port: 1701, family: 4 } as const;
const b = { address: '10.9.0.2', port: 1701, family: 4 } as const;

beforeAll(() => {
  twoNamespaces(A, B, '10.9.0', 'fd09::');
  dp = inNetns(A, () => NetlinkDataPlane.open());
});
afterAll(async () => {
  await dp.close();
  dropNamespaces(A, B);
});

async function managedPair(tunnelId: number): Promise<{ ours: ControlSocket; peer: ControlSocket }> {
  const ours = await inNetns(A, () => dp.openControlSocket({ family: 4, encap: 'udp', local: a }));
  const peer = await inNetns(B, () => openKernelControlSocket({ family: 4, encap: 'udp', local: b }));
  await ours.connect(b);
  await peer.connect(a);
  await dp.createTunnel({ tunnelId, peerTunnelId: 200, version: 2, encap: 'udp', local: a, peer: b, socket: ours });
  return { ours, peer };
}

describe('managed L2TPv2 tunnel over our control socket', () => {
  test('control packets reach Node, data packets reach the kernel, closing the socket removes the tunnel', async () => {
    const { ours, peer } = await managedPair(100);
    expect(sh(`ip -n ${A} l2tp show tunnel`)).toMatch(/Tunnel 100, encap UDP[\s\S]*From 10.9.0.1 to 10.9.0.2[\s\S]*UDP source \/ dest ports: 1701\/1701/);
    const tunnel = (await dp.netlink.tunnels())[0]!;
    expect([tunnel.tunnelId, tunnel.localPort, tunnel.peerPort]).toEqual([100, 1701, 1701]);
    expect((await dp.netlink.getTunnel(100)).version).toBe(2);
    await dp.netlink.createSession({ tunnelId: 100, peerTunnelId: 200, sessionId: 1, peerSessionId: 2, version: 2, pseudowire: 'ppp' });
    const received: Buffer[] = [];
    ours.onDatagram((bytes) => received.push(Buffer.from(bytes)));
    // A ZLB control message (T, L, S bits; RFC 2661 §3.1) to tunnel 100.
    peer.send(Buffer.from('c802000c0064000000000000', 'hex'));
    await until('the control packet', () => received.length === 1);
    // A data message to session 1: the kernel takes it (RFC 2661 §3.1 header, then a PPP LCP frame).
    peer.send(Buffer.from('000200640001' + 'ff03c021010100040000000000000000', 'hex'));
    await until('the kernel to count the data packet', async () => (await dp.netlink.getSession(100, 1)).stats.rxPackets === 1n);
    expect(received.length).toBe(1);
    ours.close();
    await until('the tunnel to go with its socket', async () => (await dp.netlink.tunnels()).length === 0);
    peer.close();
  });

  test('the same tunnel id can be re-created right after a delete (fresh socket)', async () => {
    for (let i = 0; i < 3; i++) {
      const { ours, peer } = await managedPair(101);
      const t = await dp.netlink.getTunnel(101);
      expect(t.tunnelId).toBe(101);
      await dp.netlink.deleteTunnel(101);
      ours.close();
      peer.close();
    }
  });

  test('a PPPoL2TP socket attaches to a netlink-made session with CLOEXEC; closing it deletes the session', async () => {
    const { ours, peer } = await managedPair(102);
    await dp.netlink.createSession({ tunnelId: 102, peerTunnelId: 200, sessionId: 7, peerSessionId: 8, version: 2, pseudowire: 'ppp' });
    const fd = inNetns(A, () => openPppol2tpSocket({ version: 2, tunnelId: 102, sessionId: 7, peerTunnelId: 200, peerSessionId: 8 }));
    const flags = parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
    expect(flags & 0o2000000).toBe(0o2000000);
    expect(() => inNetns(A, () => openPppol2tpSocket({ version: 2, tunnelId: 102, sessionId: 7, peerTunnelId: 200, peerSessionId: 8 })))
      .toThrow(expect.objectContaining({ name: 'NetlinkError', op: 'connect', errnoName: 'EEXIST' }));
    closeFd(fd);
    await until('the session to go with its socket', () => dp.netlink.getSession(102, 7).then(() => false, () => true));
    ours.close();
    peer.close();
  });
});

describe('l2tp multicast monitor', () => {
  test('reports tunnels and sessions made and deleted by another program', async () => {
    const mon = inNetns(A, () => L2tpMonitor.open());
    try {
      sh(`ip -n ${A} l2tp add tunnel tunnel_id 55 peer_tunnel_id 66 encap ip local 10.9.0.1 remote 10.9.0.2
          ip -n ${A} l2tp add session tunnel_id 55 session_id 5 peer_session_id 6
          ip -n ${A} l2tp del session tunnel_id 55 session_id 5
          ip -n ${A} l2tp del tunnel tunnel_id 55`);
      const events: L2tpEvent[] = [];
      await until('four notifications', () => { events.push(...mon.poll()); return events.length >= 4; });
      expect(events.map((e) => (e.kind === 'tunnel' ? `${e.command} ${e.tunnel.tunnelId}` : e.kind === 'session' ? `${e.command} ${e.session.sessionId}` : e.kind)))
        .toEqual(['TUNNEL_CREATE 55', 'SESSION_CREATE 5', 'SESSION_DELETE 5', 'TUNNEL_DELETE 55']);
      expect(mon.poll()).toEqual([]);
    } finally {
      mon.close();
    }
  });
});
