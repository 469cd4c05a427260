/**
 * L2TPv3 over IP (protocol 115, RFC 3931 §4.1.1.2) with our own sockets: an L2TP/IP control socket
 * per end (bound to its connection id, adopted by node:dgram) exchanges control messages, and its fd
 * makes a managed IP-encapsulated tunnel; IPv4 and IPv6.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NetlinkDataPlane } from '../src/dataplane.js';
import { inNetns } from '../src/sockets/netns.js';
import { dropNamespaces, sh, twoNamespaces } from './kernel-helpers.js';

const A = 'ipa';
const B = 'ipb';
let dpA: NetlinkDataPlane;
let dpB: NetlinkDataPlane;

beforeAll(() => {
  twoNamespaces(A, B, '10.9.0', 'fd09::');
  dpA = inNetns(A, () => NetlinkDataPlane.open());
  dpB = inNetns(B, () => NetlinkDataPlane.open());
});
afterAll(async () => {
  await dpA.close();
  await dpB.close();
  dropNamespaces(A, B);
});

describe.each([4, 6] as const)('L2TP/IPv%i control sockets', (family) => {
  test('control messages cross between Node sockets; the fd makes a managed v3 IP tunnel; close removes it', async () => {
    const [la, lb] = family === 4 ? ['10.9.0.1', '10.9.0.2'] : ['fd09::1', 'fd09::2'];
    const a = { address: la, port: 0, family };
    const b = { address: lb, port: 0, family };
    const sa = await inNetns(A, () => dpA.openControlSocket({ family, encap: 'ip', local: a, tunnelId: 100 }));
    const sb = await inNetns(B, () => dpB.openControlSocket({ family, encap: 'ip', local: b, tunnelId: 200 }));
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
      await dpA.createTunnel({ tunnelId: 100, peerTunnelId: 200, version: 3, encap: 'ip', local: a, peer: b, socket: sa });
      expect(sh(`ip -n ${A} l2tp show tunnel`)).toMatch(/Tunnel 100, encap IP/);
      // After the kernel adopted A's socket, its control messages still reach Node (a ZLB to B).
      const back = new Promise<string>((r) => sb.onDatagram((bytes) => r(Buffer.from(bytes).toString('hex'))));
      sa.send(Buffer.from('c803000c' + '000000c8' + '00000001', 'hex'));
      expect(await back).toBe('c803000c000000c800000001');
    } finally {
      sa.close();
      sb.close();
    }
    const end = Date.now() + 5000;
    while ((await dpA.netlink.tunnels()).length > 0) {
      if (Date.now() > end) throw new Error('tunnel outlived its socket');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
