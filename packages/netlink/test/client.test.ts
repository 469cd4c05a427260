import { describe, expect, test } from 'vitest';
import { attr } from '../src/l2tp/attrs.js';
import { L2tpNetlink } from '../src/l2tp/client.js';
import { FakeL2tpKernel, fakeGenl, fakeReply } from '../src/fake.js';
import { L2tpFamilyMissingError, NetlinkError } from '../src/errors.js';

const v3eth = { tunnelId: 10, peerTunnelId: 20, sessionId: 1, peerSessionId: 2, version: 3, pseudowire: 'eth' } as const;

describe('L2tpNetlink over the fake kernel', () => {
  test('create, get, dump and delete tunnels and sessions; the kernel keeps the peer cookie apart', async () => {
    const k = new FakeL2tpKernel();
    const nl = new L2tpNetlink(k.transport);
    await nl.createTunnel({ tunnelId: 10, peerTunnelId: 20, version: 3, encap: 'udp', family: 4, local: { address: '10.0.0.1', port: 1701 }, peer: { address: '10.0.0.2', port: 1701 } });
    await nl.createSession({ ...v3eth, cookie: Uint8Array.of(1, 2, 3, 4), peerCookie: Uint8Array.of(5, 6, 7, 8) });
    k.stats.set('10/1', { RX_PACKETS: 3n, TX_BYTES: 300n });
    expect(await nl.getTunnel(10)).toMatchObject({ tunnelId: 10, peerTunnelId: 20, version: 3, encap: 'udp', localAddress: '10.0.0.1', peerPort: 1701 });
    const s = await nl.getSession(10, 1);
    expect(s).toMatchObject({ interfaceName: 'l2tpeth0', cookie: Uint8Array.of(1, 2, 3, 4), peerCookie: Uint8Array.of(5, 6, 7, 8), pseudowire: 'eth' });
    expect([s.stats.rxPackets, s.stats.txBytes]).toEqual([3n, 300n]);
    expect((await nl.sessions()).map((x) => x.sessionId)).toEqual([1]);
    await nl.modifySession({ tunnelId: 10, sessionId: 1, sendSeq: true });
    expect((await nl.getSession(10, 1)).sendSeq).toBe(true);
    await nl.deleteTunnel(10);
    expect(await nl.tunnels()).toEqual([]);
    expect(await nl.sessions()).toEqual([]);
    expect(k.transport.requests.map((r) => r.command)).toEqual([
      'TUNNEL_CREATE', 'SESSION_CREATE', 'TUNNEL_GET', 'SESSION_GET', 'SESSION_GET', 'SESSION_MODIFY', 'SESSION_GET', 'TUNNEL_DELETE', 'TUNNEL_GET', 'SESSION_GET',
    ]);
  });

  test('kernel errors reject as NetlinkError with the command and errno name', async () => {
    const k = new FakeL2tpKernel();
    const nl = new L2tpNetlink(k.transport);
    await nl.createTunnel({ tunnelId: 10, peerTunnelId: 20, version: 2, encap: 'udp', fd: 5 });
    await expect(nl.createTunnel({ tunnelId: 10, peerTunnelId: 21, version: 2, encap: 'udp', fd: 6 })).rejects.toMatchObject({ name: 'NetlinkError', op: 'TUNNEL_CREATE', errnoName: 'EEXIST' });
    await expect(nl.createSession({ ...v3eth, tunnelId: 11 })).rejects.toMatchObject({ op: 'SESSION_CREATE', errnoName: 'ENODEV' });
    await expect(nl.getSession(10, 99)).rejects.toMatchObject({ op: 'SESSION_GET', errnoName: 'ENODEV' });
    await expect(nl.deleteTunnel(99)).rejects.toMatchObject({ op: 'TUNNEL_DELETE', errnoName: 'ENODEV' });
  });

  test('a request that fails validation never reaches the transport', async () => {
    const t = fakeGenl(() => []);
    const nl = new L2tpNetlink(t);
    await expect(nl.createSession({ ...v3eth, version: 2 })).rejects.toThrow(RangeError);
    expect(t.requests).toEqual([]);
  });

  test('fakeGenl asserts on requests as data and returns canned replies', async () => {
    const t = fakeGenl((r) => (r.command === 'TUNNEL_GET' ? [fakeReply('TUNNEL_GET', [attr('CONN_ID', 7), attr('PEER_CONN_ID', 8), attr('PROTO_VERSION', 2)], { TX_PACKETS: 1n })] : 'EOPNOTSUPP'));
    const nl = new L2tpNetlink(t);
    expect((await nl.getTunnel(7)).stats.txPackets).toBe(1n);
    expect(t.requests).toEqual([{ command: 'TUNNEL_GET', dump: false, attrs: [attr('CONN_ID', 7)] }]);
    await expect(nl.modifyTunnel(7)).rejects.toMatchObject({ errnoName: 'EOPNOTSUPP' });
    await nl.close();
    expect(t.closed).toBe(true);
  });
});

describe('L2tpNetlink on the host kernel (no l2tp family)', () => {
  test('open() says which modules to load', () => {
    let err: unknown;
    try { L2tpNetlink.open(); } catch (e) { err = e; }
    // On a kernel with L2TP loaded this test is meaningless: it then only checks open() succeeded.
    if (err === undefined) return;
    expect(err).toBeInstanceOf(L2tpFamilyMissingError);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err).toMatchObject({ name: 'L2tpFamilyMissingError', op: 'GETFAMILY', errnoName: 'ENOENT' });
    expect((err as Error).message).toMatch(/modprobe -a l2tp_core l2tp_netlink/);
  });
});
