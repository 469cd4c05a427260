import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { describe, expect, test } from 'vitest';
import { openKernelControlSocket } from '../src/sockets/control-socket.js';
import { openPppol2tpSocket } from '../src/sockets/pppol2tp.js';
import { parseSockaddrIp, sockaddrIp, sockaddrL2tpIp, sockaddrPppol2tp, sockaddrUn } from '../src/sockets/sockaddr.js';

const fdFlags = (fd: number): number => parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
const O_CLOEXEC = 0o2000000;

describe('socket address structs', () => {
  test('sockaddr_in/in6 round-trip through the parser; ports are network order', () => {
    expect(sockaddrIp(4, '10.1.2.3', 1701).toString('hex')).toBe('0200' + '06a5' + '0a010203' + '0000000000000000');
    expect(parseSockaddrIp(sockaddrIp(6, 'fd00::7', 1701))).toEqual({ address: 'fd00::7', port: 1701, family: 6 });
  });

  test('sockaddr_l2tpip carries the connection id in host order after the address', () => {
    expect(sockaddrL2tpIp(4, '10.0.0.1', 0x01020304).toString('hex')).toBe('0200' + '0000' + '0a000001' + '04030201' + '00000000');
    const b6 = sockaddrL2tpIp(6, '::1', 9);
    expect([b6.length, b6.readUInt32LE(28), b6[23]]).toEqual([32, 9, 1]);
  });

  test('sockaddr_pppol2tp is 38 packed bytes (v2) and 46 (v3) with fd -1', () => {
    const v2 = sockaddrPppol2tp({ version: 2, tunnelId: 100, sessionId: 1, peerTunnelId: 200, peerSessionId: 2 });
    expect([v2.length, v2.readUInt16LE(0), v2.readUInt32LE(2), v2.readInt32LE(10), v2.readUInt16LE(30), v2.readUInt16LE(32), v2.readUInt16LE(34), v2.readUInt16LE(36)])
      .toEqual([38, 24, 1, -1, 100, 1, 200, 2]);
    const v3 = sockaddrPppol2tp({ version: 3, tunnelId: 70000, sessionId: 1, peerTunnelId: 2, peerSessionId: 80000 });
    expect([v3.length, v3.readUInt32LE(30), v3.readUInt32LE(42)]).toEqual([46, 70000, 80000]);
  });

  test('sockaddr_un: path with NUL, abstract name without', () => {
    expect(sockaddrUn('/run/x').toString('latin1')).toBe('\x01\x00/run/x\0');
    expect(sockaddrUn('@sd').toString('latin1')).toBe('\x01\x00\0sd');
  });
});

describe('kernel control sockets on the host', () => {
  test.each([4, 6] as const)('UDP/IPv%i: own fd with CLOEXEC, bound, Node receives, connect and send', async (family) => {
    const lo = family === 4 ? '127.0.0.1' : '::1';
    const cs = await openKernelControlSocket({ family, encap: 'udp', local: { address: lo, port: 0, family } });
    try {
      expect(typeof cs.fd).toBe('number');
      expect(fdFlags(cs.fd!) & O_CLOEXEC).toBe(O_CLOEXEC);
      expect(cs.local.port).toBeGreaterThan(0);
      const peer = createSocket(family === 4 ? 'udp4' : 'udp6');
      await new Promise<void>((r) => peer.bind(0, lo, r));
      const got = new Promise<string>((r) => cs.onDatagram((b, from) => r(`${Buffer.from(b).toString()} from ${from.port}`)));
      peer.send('hello', cs.local.port, lo);
      expect(await got).toBe(`hello from ${peer.address().port}`);
      const back = new Promise<string>((r) => peer.once('message', (m) => r(m.toString())));
      cs.send(Buffer.from('before'), { address: lo, port: peer.address().port, family });
      await cs.connect({ address: lo, port: peer.address().port, family });
      expect(await back).toBe('before');
      const back2 = new Promise<string>((r) => peer.once('message', (m) => r(m.toString())));
      cs.send(Buffer.from('connected'));
      expect(await back2).toBe('connected');
      peer.close();
    } finally {
      cs.close();
      cs.close();
    }
  });

  test('reuseAddress lets a per-tunnel socket share the listening port', async () => {
    const a = await openKernelControlSocket({ family: 4, encap: 'udp', local: { address: '127.0.0.1', port: 0, family: 4 }, reuseAddress: true });
    const b = await openKernelControlSocket({ family: 4, encap: 'udp', local: a.local, reuseAddress: true });
    expect(b.local.port).toBe(a.local.port);
    a.close();
    b.close();
    await expect(openKernelControlSocket({ family: 4, encap: 'udp', local: { address: '256.0.0.1', port: 0, family: 4 } })).rejects.toThrow(RangeError);
  });

  test('without PPP in the kernel, a PPPoL2TP socket fails as NetlinkError(socket, EAFNOSUPPORT)', () => {
    let fd: number | undefined;
    try {
      fd = openPppol2tpSocket({ version: 2, tunnelId: 1, sessionId: 1, peerTunnelId: 1, peerSessionId: 1 });
    } catch (e) {
      expect(e).toMatchObject({ name: 'NetlinkError', op: 'socket', errnoName: 'EAFNOSUPPORT' });
      return;
    }
    // A kernel with pppol2tp but no such tunnel: connect fails, so reaching here is wrong.
    expect.fail(`PPPoL2TP connect to a missing tunnel succeeded (fd ${fd})`);
  });
});
