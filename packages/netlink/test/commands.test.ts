import { describe, expect, test } from 'vitest';
import { attr, encodeL2tpAttr, L2tpAttr, L2TP_ATTR_KIND } from '../src/l2tp/attrs.js';
import {
  sessionCreateRequest, sessionDeleteRequest, sessionGetRequest, sessionModifyRequest, tunnelCreateRequest,
  tunnelDeleteRequest, tunnelGetRequest,
} from '../src/l2tp/commands.js';
import { encodeRequest } from '../src/l2tp/encode.js';
import { parseSession, parseTunnel } from '../src/l2tp/replies.js';
import { AttrMap, encodeAttrs, parseGenl, parseMessages } from '../src/netlink/wire.js';

const cookie = Uint8Array.of(1, 2, 3, 4);
const peerCookie = Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2);

describe('attribute table', () => {
  test('every kind-declared attribute has a number in L2tpAttr, and numbers are unique', () => {
    for (const name of Object.keys(L2TP_ATTR_KIND)) expect(L2tpAttr).toHaveProperty(name);
    expect(new Set(Object.values(L2tpAttr)).size).toBe(Object.keys(L2tpAttr).length);
    expect([L2tpAttr.COOKIE, L2tpAttr.PEER_COOKIE, L2tpAttr.FD, L2tpAttr.STATS, L2tpAttr.PAD]).toEqual([15, 16, 23, 30, 35]);
  });

  test('integers are range-checked against their kernel width', () => {
    expect(() => encodeL2tpAttr(attr('PROTO_VERSION', 256))).toThrow(/not a u8/);
    expect(() => encodeL2tpAttr(attr('UDP_SPORT', 70000))).toThrow(/not a u16/);
    expect(() => encodeL2tpAttr(attr('CONN_ID', -1))).toThrow(/not a u32/);
    expect(encodeL2tpAttr(attr('RECV_TIMEOUT', 250)).payload).toEqual(Buffer.from([250, 0, 0, 0, 0, 0, 0, 0]));
    expect(encodeL2tpAttr(attr('IP_SADDR', '10.0.0.1')).payload).toEqual(Buffer.from([10, 0, 0, 1]));
    expect(encodeL2tpAttr(attr('UDP_ZERO_CSUM6_TX', true)).payload.length).toBe(0);
  });
});

describe('tunnel requests', () => {
  test('managed tunnel: ids, version, encap and the socket fd', () => {
    expect(tunnelCreateRequest({ tunnelId: 100, peerTunnelId: 200, version: 2, encap: 'udp', fd: 21 })).toEqual({
      command: 'TUNNEL_CREATE', dump: false,
      attrs: [attr('CONN_ID', 100), attr('PEER_CONN_ID', 200), attr('PROTO_VERSION', 2), attr('ENCAP_TYPE', 0), attr('FD', 21)],
    });
  });

  test('unmanaged v3 UDP/IPv4 and IP/IPv6 tunnels carry addresses, ports only for UDP', () => {
    const udp = tunnelCreateRequest({
      tunnelId: 1, peerTunnelId: 2, version: 3, encap: 'udp', family: 4,
      local: { address: '10.0.0.1', port: 5000 }, peer: { address: '10.0.0.2', port: 6000 }, udpChecksum: true,
    });
    expect(udp.attrs.slice(4)).toEqual([attr('IP_SADDR', '10.0.0.1'), attr('IP_DADDR', '10.0.0.2'),
      attr('UDP_SPORT', 5000), attr('UDP_DPORT', 6000), attr('UDP_CSUM', 1)]);
    const ip6 = tunnelCreateRequest({
      tunnelId: 70000, peerTunnelId: 2, version: 3, encap: 'ip', family: 6,
      local: { address: 'fd00::1', port: 0 }, peer: { address: 'fd00::2', port: 0 },
    });
    expect(ip6.attrs.slice(3)).toEqual([attr('ENCAP_TYPE', 1), attr('IP6_SADDR', 'fd00::1'), attr('IP6_DADDR', 'fd00::2')]);
  });

  test('invalid tunnels are refused before the kernel', () => {
    expect(() => tunnelCreateRequest({ tunnelId: 70000, peerTunnelId: 1, version: 2, encap: 'udp', fd: 3 })).toThrow(/L2TPv2 id/);
    expect(() => tunnelCreateRequest({ tunnelId: 0, peerTunnelId: 1, version: 3, encap: 'udp', fd: 3 })).toThrow(/valid/);
    expect(() => tunnelCreateRequest({ tunnelId: 1, peerTunnelId: 1, version: 2, encap: 'ip', fd: 3 })).toThrow(/UDP only/);
    expect(() => tunnelCreateRequest({ tunnelId: 1, peerTunnelId: 1, version: 3, encap: 'udp' })).toThrow(/unmanaged/);
  });

  test('delete, get and dump', () => {
    expect(tunnelDeleteRequest(5)).toEqual({ command: 'TUNNEL_DELETE', dump: false, attrs: [attr('CONN_ID', 5)] });
    expect(tunnelGetRequest(5).dump).toBe(false);
    expect(tunnelGetRequest()).toEqual({ command: 'TUNNEL_GET', dump: true, attrs: [] });
  });
});

describe('session requests', () => {
  test('v3 eth session: cookie and peer cookie in their own attributes, l2spec, seq, timeout, ifname, mtu', () => {
    const r = sessionCreateRequest({
      tunnelId: 1, peerTunnelId: 2, sessionId: 3, peerSessionId: 4, version: 3, pseudowire: 'eth',
      cookie, peerCookie, l2specType: 'default', sendSeq: true, recvSeq: true, reorderTimeoutMs: 100,
      interfaceName: 'l2tpeth7', mtu: 1400,
    });
    expect(r.attrs).toEqual([
      attr('CONN_ID', 1), attr('PEER_CONN_ID', 2), attr('SESSION_ID', 3), attr('PEER_SESSION_ID', 4), attr('PW_TYPE', 5),
      attr('L2SPEC_TYPE', 1), attr('L2SPEC_LEN', 4), attr('COOKIE', cookie), attr('PEER_COOKIE', peerCookie),
      attr('SEND_SEQ', 1), attr('RECV_SEQ', 1), attr('RECV_TIMEOUT', 100), attr('IFNAME', 'l2tpeth7'), attr('MTU', 1400),
    ]);
  });

  test('v2 ppp session in LNS mode has no l2spec', () => {
    const r = sessionCreateRequest({ tunnelId: 1, peerTunnelId: 2, sessionId: 3, peerSessionId: 4, version: 2, pseudowire: 'ppp', lnsMode: true });
    expect(r.attrs.map((a) => a.name)).toEqual(['CONN_ID', 'PEER_CONN_ID', 'SESSION_ID', 'PEER_SESSION_ID', 'PW_TYPE', 'LNS_MODE']);
  });

  test('invalid sessions are refused before the kernel', () => {
    const base = { tunnelId: 1, peerTunnelId: 2, sessionId: 3, peerSessionId: 4 } as const;
    expect(() => sessionCreateRequest({ ...base, version: 2, pseudowire: 'eth' })).toThrow(/PPP only/);
    expect(() => sessionCreateRequest({ ...base, version: 3, pseudowire: 'eth', cookie: Uint8Array.of(1, 2) })).toThrow(/4 or 8 bytes/);
    expect(() => sessionCreateRequest({ ...base, version: 3, pseudowire: 'eth', interfaceName: 'a-very-long-ifname' })).toThrow(/IFNAMSIZ/);
    expect(() => sessionCreateRequest({ ...base, version: 2, pseudowire: 'ppp', sessionId: 65536 })).toThrow(/L2TPv2 id/);
  });

  test('delete, modify, get and dump', () => {
    expect(sessionDeleteRequest(1, 2).attrs).toEqual([attr('CONN_ID', 1), attr('SESSION_ID', 2)]);
    expect(sessionModifyRequest({ tunnelId: 1, sessionId: 2, recvSeq: false }).attrs).toEqual([attr('CONN_ID', 1), attr('SESSION_ID', 2), attr('RECV_SEQ', 0)]);
    expect(sessionGetRequest(1, 2).dump).toBe(false);
    expect(sessionGetRequest().dump).toBe(true);
  });
});

describe('encode and parse', () => {
  test('an encoded request parses back to the same attributes', () => {
    const req = sessionCreateRequest({ tunnelId: 1, peerTunnelId: 2, sessionId: 3, peerSessionId: 4, version: 3, pseudowire: 'eth', cookie, peerCookie, interfaceName: 'x0' });
    const bytes = encodeRequest(req, 0x21, 9);
    const [msg] = parseMessages(bytes, bytes.length);
    expect([msg?.type, msg?.flags, msg?.seq]).toEqual([0x21, 0x5, 9]);
    const g = parseGenl(msg!.payload);
    expect(g.command).toBe(5);
    expect(g.attrs.uint(L2tpAttr.PW_TYPE)).toBe(5);
    expect(g.attrs.bytes(L2tpAttr.PEER_COOKIE)).toEqual(Buffer.from(peerCookie));
    expect(g.attrs.string(L2tpAttr.IFNAME)).toBe('x0');
    expect(encodeRequest(tunnelGetRequest(), 0x21, 1).readUInt16LE(6)).toBe(0x301);
  });

  test('tunnel and session replies parse to plain data with statistics', () => {
    const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
    const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
    const stats = encodeAttrs([{ type: 1, payload: u64(10) }, { type: 5, payload: u64(999) }, { type: 10, payload: u64(2) }]);
    const tunnel = new AttrMap(encodeAttrs([
      { type: L2tpAttr.CONN_ID, payload: u32(100) }, { type: L2tpAttr.PEER_CONN_ID, payload: u32(200) },
      { type: L2tpAttr.PROTO_VERSION, payload: Buffer.from([3]) }, { type: L2tpAttr.ENCAP_TYPE, payload: Buffer.from([0, 0]) },
      { type: L2tpAttr.IP6_SADDR, payload: Buffer.from('fd000000000000000000000000000001', 'hex') },
      { type: L2tpAttr.IP6_DADDR, payload: Buffer.from('fd000000000000000000000000000002', 'hex') },
      { type: L2tpAttr.UDP_SPORT, payload: Buffer.from([0xa5, 0x06]) }, { type: L2tpAttr.UDP_DPORT, payload: Buffer.from([0xa5, 0x06]) },
      { type: L2tpAttr.STATS, payload: stats, nested: true },
    ]));
    expect(parseTunnel(tunnel)).toMatchObject({
      tunnelId: 100, peerTunnelId: 200, version: 3, encap: 'udp', family: 6, localAddress: 'fd00::1', peerAddress: 'fd00::2',
      localPort: 1701, peerPort: 1701, udpChecksum: undefined,
      stats: { txPackets: 10n, rxBytes: 999n, rxCookieDiscards: 2n, rxErrors: 0n },
    });
    const session = new AttrMap(encodeAttrs([
      { type: L2tpAttr.CONN_ID, payload: u32(100) }, { type: L2tpAttr.SESSION_ID, payload: u32(7) },
      { type: L2tpAttr.PEER_SESSION_ID, payload: u32(8) }, { type: L2tpAttr.PW_TYPE, payload: Buffer.from([5, 0]) },
      { type: L2tpAttr.IFNAME, payload: Buffer.from('l2tpeth0\0') }, { type: L2tpAttr.PEER_COOKIE, payload: Buffer.from(peerCookie) },
      { type: L2tpAttr.SEND_SEQ, payload: Buffer.from([1]) }, { type: L2tpAttr.RECV_TIMEOUT, payload: u64(250) },
      { type: 99, payload: Buffer.from([1]) },
    ]));
    expect(parseSession(session)).toMatchObject({
      tunnelId: 100, sessionId: 7, peerSessionId: 8, pseudowire: 'eth', interfaceName: 'l2tpeth0', cookie: undefined,
      peerCookie, sendSeq: true, recvSeq: false, reorderTimeoutMs: 250,
    });
  });
});
