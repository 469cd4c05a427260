/**
 * L2TPv3 over IP (protocol 115, RFC 3931 §4.1.1.2) with our own sockets: an L2TP/IP control socket
 * per end (bound to its connection id, adopted by node:dgram) exchanges control messages, and its fd
 * makes a managed IP-encapsulated tunnel; IPv4 and IPv6.
 */
import { describe, expect, test } from 'vitest';
import { inNetns } from '../src/sockets/netns.js';
import { sh, twoDataPlanes, until } from './kernel-helpers.js';

const A = 'ipa';
const B = 'ipb';
const dp = twoDataPlanes(A, B);

describe.each([4, 6] as const)('L2TP/IPv%i control sockets', (family) => {
  test('control messages cross between Node sockets; the fd makes a managed v3 IP tunnel; close removes it', async () => {
    const [la, lb] = family === 4 ? ['10.9.0.1', '10.9.0.2'] : ['fd09::1', 'fd09::2'];
    const a = { address: la, port: 0, family };
    const b = { address: lb, port: 0, family };
    const sa = await inNetns(A, () => dp.a.openControlSocket({ family, encap: 'ip', local: a, tunnelId: 100 }));
    const sb = await inNetns(B, () => dp.b.openControlSocket({ family, encap: 'ip', local: b, tunnelId: 200 }));
    try {
      expect(typeof sa.fd).toBe('number');
      const got = new Promise<{ hex: string; from: string }>((r) => sa.onDatagram((bytes, from) => r({ hex: Buffer.from(bytes).toString('hex'), from: from.address })));
      // RFC 3931 §4.1.1.2: over IP a control message follows a zero session id, which the kernel adds
      // and strips; we send the control header (T, L, S; version 3) to connection id 100.
      await sb.connect(a);
      sb.send(Buffer.from('c803000c' + '00000064' + '00000000', 'hex'));
      const m = await got;
      expect(m.hex).toBe('c803000c0000006400000000');
      expect(m.from).toBe(lb);
      await sa.connect(b);
      await dp.a.createTunnel({ tunnelId: 100, peerTunnelId: 200, version: 3, encap: 'ip', local: a, peer: b, socket: sa });
      expect(sh(`ip -n ${A} l2tp show tunnel`)).toMatch(/Tunnel 100, encap IP/);
      // After the kernel adopted A's socket, its control messages still reach Node (a ZLB to B).
      const back = new Promise<string>((r) => sb.onDatagram((bytes) => r(Buffer.from(bytes).toString('hex'))));
      sa.send(Buffer.from('c803000c' + '000000c8' + '00000001', 'hex'));
      expect(await back).toBe('c803000c000000c800000001');
    } finally {
      sa.close();
      sb.close();
    }
    await until('the tunnel to go with its socket', async () => (await dp.a.netlink.tunnels()).length === 0);
  });
});
