import type { ControlSocket, SessionSpec } from '@l2tp/control';
import { describe, expect, test } from 'vitest';
import { NetlinkDataPlane } from '../src/dataplane.js';
import { attr } from '../src/l2tp/attrs.js';
import { L2tpNetlink } from '../src/l2tp/client.js';
import { FakeL2tpKernel } from '../src/fake.js';

const v4 = (address: string, port = 1701) => ({ address, port, family: 4 as const });
const socketWithFd = (fd: number | undefined): ControlSocket => ({
  fd, local: v4('10.0.0.1'), send: () => undefined, connect: async () => undefined, onDatagram: () => undefined, close: () => undefined,
});
const session: SessionSpec = {
  tunnelId: 1, peerTunnelId: 2, sessionId: 10, peerSessionId: 20, pseudowire: 'eth', l2specType: 'default', seqnum: true, reorderTimeoutMs: 0,
  cookie: Uint8Array.of(1, 2, 3, 4), peerCookie: Uint8Array.of(4, 3, 2, 1),
};

function plane() {
  const kernel = new FakeL2tpKernel();
  return { kernel, dp: new NetlinkDataPlane(new L2tpNetlink(kernel.transport), { openControlSocket: async () => socketWithFd(9), existRetryMs: 20 }) };
}

describe('NetlinkDataPlane over the fake kernel', () => {
  test('managed tunnel: the control socket fd becomes L2TP_ATTR_FD', async () => {
    const { kernel, dp } = plane();
    const socket = await dp.openControlSocket({ family: 4, encap: 'udp' });
    await dp.createTunnel({ tunnelId: 1, peerTunnelId: 2, version: 2, encap: 'udp', local: v4('10.0.0.1'), peer: v4('10.0.0.2'), socket });
    expect(kernel.transport.requests[0]).toEqual({ command: 'TUNNEL_CREATE', dump: false, attrs: [
      attr('CONN_ID', 1), attr('PEER_CONN_ID', 2), attr('PROTO_VERSION', 2), attr('ENCAP_TYPE', 0), attr('FD', 9),
    ] });
    await expect(dp.createTunnel({ tunnelId: 3, peerTunnelId: 2, version: 2, encap: 'udp', local: v4('10.0.0.1'), peer: v4('10.0.0.2'), socket: socketWithFd(undefined) }))
      .rejects.toThrow(/needs a control socket with an fd/);
  });

  test('unmanaged v3 tunnel with an eth session: interface name from the kernel, stats, idempotent down', async () => {
    const { kernel, dp } = plane();
    const t = await dp.createTunnel({ tunnelId: 1, peerTunnelId: 2, version: 3, encap: 'udp', local: v4('10.0.0.1', 5000), peer: v4('10.0.0.2', 6000), udpChecksum: true });
    expect(kernel.tunnels.get(1)?.get('UDP_CSUM')).toBe(1);
    const s = await t.createSession(session);
    expect(s.interfaceName).toBe('l2tpeth0');
    const sent = kernel.transport.requests.find((r) => r.command === 'SESSION_CREATE')!;
    expect(sent.attrs).toContainEqual(attr('PEER_COOKIE', Uint8Array.of(4, 3, 2, 1)));
    expect(sent.attrs).toContainEqual(attr('SEND_SEQ', 1));
    expect(sent.attrs).toContainEqual(attr('RECV_SEQ', 1));
    kernel.stats.set('1/10', { RX_PACKETS: 5n, RX_ERRORS: 1n, TX_BYTES: 70n });
    kernel.stats.set(1, { TX_PACKETS: 8n });
    expect(await s.stats()).toEqual({ txPackets: 0n, txBytes: 70n, txErrors: 0n, rxPackets: 5n, rxBytes: 0n, rxErrors: 1n });
    expect((await t.stats()).txPackets).toBe(8n);
    await s.down();
    await s.down();
    expect(kernel.sessions.size).toBe(0);
    kernel.tunnels.delete(1); // deleted under us (ip l2tp del tunnel): down() still succeeds
    await t.down();
    expect(kernel.transport.requests.filter((r) => r.command.endsWith('_DELETE')).length).toBe(2);
  });

  test('errors other than "already gone" propagate from down(); duplicate tunnels are EEXIST', async () => {
    const { dp } = plane();
    const spec = { tunnelId: 1, peerTunnelId: 2, version: 3 as const, encap: 'ip' as const, local: v4('10.0.0.1', 0), peer: v4('10.0.0.2', 0) };
    await dp.createTunnel(spec);
    await expect(dp.createTunnel(spec)).rejects.toMatchObject({ name: 'NetlinkError', op: 'TUNNEL_CREATE', errnoName: 'EEXIST' });
    await expect(dp.createTunnel({ ...spec, tunnelId: 5, peer: { address: '::1', port: 0, family: 6 } })).rejects.toThrow(/different families/);
  });

  test('EEXIST is retried while the kernel still frees a deleted id, then reported', async () => {
    const { kernel, dp } = plane();
    const spec = { tunnelId: 1, peerTunnelId: 2, version: 3 as const, encap: 'ip' as const, local: v4('10.0.0.1', 0), peer: v4('10.0.0.2', 0) };
    kernel.tunnels.set(1, new Map()); // a tunnel being deleted: its id is still taken
    setTimeout(() => kernel.tunnels.delete(1), 8);
    await dp.createTunnel(spec);
    expect(kernel.transport.requests.filter((r) => r.command === 'TUNNEL_CREATE').length).toBeGreaterThan(1);
  });

  test('close() releases the netlink transport and what open() added', async () => {
    const kernel = new FakeL2tpKernel();
    let closed = 0;
    const dp = new NetlinkDataPlane(new L2tpNetlink(kernel.transport), { onClose: () => closed++ });
    await dp.close();
    expect([kernel.transport.closed, closed]).toEqual([true, 1]);
  });

  test('an eth session MTU is applied to its interface; a failure removes the session', async () => {
    const kernel = new FakeL2tpKernel();
    const set: [string, number][] = [];
    let fail = false;
    const dp = new NetlinkDataPlane(new L2tpNetlink(kernel.transport), {
      setLinkMtu: async (name, mtu) => { if (fail) throw new Error('no'); set.push([name, mtu]); },
    });
    const t = await dp.createTunnel({ tunnelId: 1, peerTunnelId: 2, version: 3, encap: 'udp', local: v4('10.0.0.1'), peer: v4('10.0.0.2') });
    await t.createSession({ ...session, mtu: 1400, interfaceName: 'pw0' });
    expect(set).toEqual([['pw0', 1400]]);
    fail = true;
    await expect(t.createSession({ ...session, sessionId: 11, mtu: 1400 })).rejects.toThrow('no');
    expect([...kernel.sessions.keys()]).toEqual(['1/10']);
  });
});
