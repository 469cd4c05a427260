/**
 * Every L2TP command against the real kernel, cross-checked with iproute2 (`ip l2tp show`,
 * `ip -d link`), in a namespace of its own.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attr } from '../src/l2tp/attrs.js';
import { L2tpNetlink } from '../src/l2tp/client.js';
import { request } from '../src/l2tp/request.js';
import { inNetns } from '../src/sockets/netns.js';
import { dropNamespaces, sh, twoNamespaces, until } from './kernel-helpers.js';

const NS = 'kc';
const ipns = (cmd: string) => sh(`ip -n ${NS} ${cmd}`);
let nl: L2tpNetlink;
/**
 * The kernel deletes a tunnel (and its sessions) from a workqueue after TUNNEL_DELETE returns: on
 * more than one CPU it can still be found for a moment. Waits until TUNNEL_GET says ENODEV.
 */
const gone = (tunnelId: number) => until(`tunnel ${tunnelId} to go`, () => nl.getTunnel(tunnelId).then(() => false, () => true));

beforeAll(() => {
  twoNamespaces(NS, 'kcpeer', '10.20.0', 'fd20::');
  nl = inNetns(NS, () => L2tpNetlink.open());
});
afterAll(async () => {
  await nl.close();
  dropNamespaces(NS, 'kcpeer');
});

const kinds = [
  { name: 'v2 UDP IPv4', version: 2, encap: 'udp', family: 4, local: '10.20.0.1', peer: '10.20.0.2', ip: /encap UDP/ },
  { name: 'v3 UDP IPv4', version: 3, encap: 'udp', family: 4, local: '10.20.0.1', peer: '10.20.0.2', ip: /encap UDP/ },
  { name: 'v3 UDP IPv6', version: 3, encap: 'udp', family: 6, local: 'fd20::1', peer: 'fd20::2', ip: /encap UDP/ },
  { name: 'v3 IP IPv4', version: 3, encap: 'ip', family: 4, local: '10.20.0.1', peer: '10.20.0.2', ip: /encap IP/ },
  { name: 'v3 IP IPv6', version: 3, encap: 'ip', family: 6, local: 'fd20::1', peer: 'fd20::2', ip: /encap IP/ },
] as const;

describe('tunnels', () => {
  test.each(kinds)('$name: create, get, dump, ip l2tp show, delete', async (k) => {
    const port = k.encap === 'udp' ? 5000 + k.version * 10 + k.family : 0;
    await nl.createTunnel({
      tunnelId: 100, peerTunnelId: 200, version: k.version, encap: k.encap, family: k.family,
      local: { address: k.local, port }, peer: { address: k.peer, port: port + 1 }, udpChecksum: k.family === 4,
    });
    const t = await nl.getTunnel(100);
    expect(t).toMatchObject({ tunnelId: 100, peerTunnelId: 200, version: k.version, encap: k.encap, family: k.family, localAddress: k.local, peerAddress: k.peer });
    if (k.encap === 'udp') expect([t.localPort, t.peerPort]).toEqual([port, port + 1]);
    expect((await nl.tunnels()).map((x) => x.tunnelId)).toEqual([100]);
    const shown = ipns('l2tp show tunnel');
    expect(shown).toMatch(/Tunnel 100, encap/);
    expect(shown).toMatch(k.ip);
    expect(shown).toMatch(new RegExp(`From ${k.local} to ${k.peer}`));
    expect(shown).toMatch(/Peer tunnel 200/);
    await nl.deleteTunnel(100);
    await gone(100);
    expect(ipns('l2tp show tunnel')).toBe('');
    await expect(nl.getTunnel(100)).rejects.toMatchObject({ name: 'NetlinkError', op: 'TUNNEL_GET', errnoName: 'ENODEV' });
  });

  test('a tunnel made by ip l2tp is in our dump, and ours is in ip l2tp show', async () => {
    ipns('l2tp add tunnel tunnel_id 7 peer_tunnel_id 8 encap udp local 10.20.0.1 remote 10.20.0.2 udp_sport 6001 udp_dport 6002');
    await nl.createTunnel({ tunnelId: 9, peerTunnelId: 10, version: 3, encap: 'ip', family: 4, local: { address: '10.20.0.1', port: 0 }, peer: { address: '10.20.0.2', port: 0 } });
    const ours = (await nl.tunnels()).map((t) => t.tunnelId).sort();
    expect(ours).toEqual([7, 9]);
    expect((await nl.getTunnel(7)).localPort).toBe(6001);
    expect(ipns('l2tp show tunnel tunnel_id 9')).toMatch(/Tunnel 9, encap IP/);
    await nl.deleteTunnel(7);
    ipns('l2tp del tunnel tunnel_id 9');
    await gone(7);
    await gone(9);
    expect(await nl.tunnels()).toEqual([]);
  });
});

describe('sessions', () => {
  beforeAll(async () => {
    await nl.createTunnel({ tunnelId: 300, peerTunnelId: 400, version: 3, encap: 'udp', family: 4, local: { address: '10.20.0.1', port: 7000 }, peer: { address: '10.20.0.2', port: 7000 } });
  });
  afterAll(async () => { await nl.deleteTunnel(300).catch(() => undefined); });

  test('v3 eth session: cookies in their own attributes, l2spec, seq, ifname and MTU, seen by ip', async () => {
    await nl.createSession({
      tunnelId: 300, peerTunnelId: 400, sessionId: 1, peerSessionId: 2, version: 3, pseudowire: 'eth',
      cookie: Buffer.from('01020304', 'hex'), peerCookie: Buffer.from('0a0b0c0d0e0f1011', 'hex'),
      l2specType: 'default', sendSeq: true, recvSeq: true, reorderTimeoutMs: 300, interfaceName: 'pw300', mtu: 1400,
    });
    const s = await nl.getSession(300, 1);
    expect(s).toMatchObject({
      tunnelId: 300, sessionId: 1, peerSessionId: 2, pseudowire: 'eth', interfaceName: 'pw300', sendSeq: true, recvSeq: true,
      cookie: Uint8Array.from(Buffer.from('01020304', 'hex')), peerCookie: Uint8Array.from(Buffer.from('0a0b0c0d0e0f1011', 'hex')),
      reorderTimeoutMs: 300,
    });
    const shown = ipns('l2tp show session');
    expect(shown).toMatch(/Session 1 in tunnel 300/);
    expect(shown).toMatch(/Peer session 2, tunnel 400/);
    expect(shown).toMatch(/interface name: pw300/);
    expect(shown).toMatch(/cookie 01020304/);
    expect(shown).toMatch(/peer cookie 0a0b0c0d0e0f1011/);
    expect(shown).toMatch(/reorder timeout: 300/);
    // 6.1 ignores L2TP_ATTR_MTU (l2tp_eth sizes the link from its underlay): NetlinkDataPlane sets it by rtnetlink.
    expect(ipns('-d link show pw300')).toMatch(/pw300: .* mtu \d+/);
  });

  test('modify turns sequencing off; dump lists ip-made sessions too; delete removes the interface', async () => {
    await nl.modifySession({ tunnelId: 300, sessionId: 1, sendSeq: false, recvSeq: false });
    expect(await nl.getSession(300, 1)).toMatchObject({ sendSeq: false, recvSeq: false });
    ipns('l2tp add session name ipmade tunnel_id 300 session_id 5 peer_session_id 6');
    const all = await nl.sessions();
    expect(all.map((s) => [s.sessionId, s.interfaceName]).sort()).toEqual([[1, 'pw300'], [5, 'ipmade']]);
    await nl.deleteSession(300, 5);
    await nl.deleteSession(300, 1);
    expect(ipns('l2tp show session')).toBe('');
    expect(() => ipns('link show pw300')).toThrow();
  });

  test('v2 PPP session in LNS mode', async () => {
    await nl.createTunnel({ tunnelId: 21, peerTunnelId: 22, version: 2, encap: 'udp', family: 4, local: { address: '10.20.0.1', port: 1701 }, peer: { address: '10.20.0.2', port: 1701 } });
    await nl.createSession({ tunnelId: 21, peerTunnelId: 22, sessionId: 31, peerSessionId: 32, version: 2, pseudowire: 'ppp', lnsMode: true });
    expect(await nl.getSession(21, 31)).toMatchObject({ pseudowire: 'ppp', lnsMode: true, peerSessionId: 32 });
    expect(ipns('l2tp show session tunnel_id 21 session_id 31')).toMatch(/Session 31 in tunnel 21/);
    await nl.deleteTunnel(21);
    await gone(21);
    await expect(nl.getSession(21, 31)).rejects.toMatchObject({ errnoName: 'ENODEV' });
  });
});

describe('error paths', () => {
  test('duplicate tunnel id is EEXIST; unknown tunnel is ENODEV; missing attribute is EINVAL', async () => {
    const t = { tunnelId: 500, peerTunnelId: 1, version: 3, encap: 'ip', family: 4, local: { address: '10.20.0.1', port: 0 }, peer: { address: '10.20.0.2', port: 0 } } as const;
    await nl.createTunnel(t);
    await expect(nl.createTunnel(t)).rejects.toMatchObject({ name: 'NetlinkError', op: 'TUNNEL_CREATE', errno: 17, errnoName: 'EEXIST' });
    await nl.deleteTunnel(500);
    await gone(500);
    await expect(nl.deleteTunnel(500)).rejects.toMatchObject({ op: 'TUNNEL_DELETE', errnoName: 'ENODEV' });
    await expect(nl.createSession({ tunnelId: 501, peerTunnelId: 1, sessionId: 1, peerSessionId: 1, version: 3, pseudowire: 'eth' }))
      .rejects.toMatchObject({ op: 'SESSION_CREATE', errnoName: 'ENODEV' });
    await expect(nl.transport.execute(request('TUNNEL_CREATE', [attr('CONN_ID', 600)]))).rejects.toMatchObject({ op: 'TUNNEL_CREATE', errnoName: 'EINVAL' });
  });

  test('an attribute the kernel policy rejects comes back with its extended-ack text', async () => {
    const tooLong = request('TUNNEL_DELETE', [attr('CONN_ID', 1), attr('IFNAME', 'x'.repeat(40))]);
    const err = await nl.transport.execute(tooLong).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ name: 'NetlinkError', op: 'TUNNEL_DELETE', errnoName: 'EINVAL' }); // NLA_NUL_STRING over IFNAMSIZ-1
    expect((err as { extAck?: string }).extAck).toMatch(/\w/);
  });
});
