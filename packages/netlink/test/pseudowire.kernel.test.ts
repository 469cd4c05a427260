/**
 * Static L2TPv3 Ethernet pseudowires made by NetlinkDataPlane between two namespaces, over UDP and
 * IP, IPv4 and IPv6: ping crosses when cookies match, and a wrong cookie drops the traffic (counted
 * in the session's rx_cookie_discards).
 */
import type { SessionDataPlane } from '@l2tp/control';
import { describe, expect, test } from 'vitest';
import { ok, sh, twoDataPlanes, until } from './kernel-helpers.js';

const A = 'pwa';
const B = 'pwb';
const dp = twoDataPlanes(A, B);

const cookieA = Uint8Array.of(0xca, 0xfe, 0, 1);
const cookieB = Uint8Array.of(0xbe, 0xef, 0, 2, 3, 4, 5, 6);

async function pseudowire(encap: 'udp' | 'ip', family: 4 | 6, bPeerCookie: Uint8Array) {
  // Tunnels go from a kernel workqueue after the delete returns (at once on one CPU, not on two):
  // the previous test's tunnels 10 and 20 may still be there.
  await until('the previous tunnels to go', () => sh(`ip -n ${A} l2tp show tunnel`) === '' && sh(`ip -n ${B} l2tp show tunnel`) === '');
  const [la, lb] = family === 4 ? ['10.9.0.1', '10.9.0.2'] : ['fd09::1', 'fd09::2'];
  const port = encap === 'udp' ? 1701 : 0;
  const end = (address: string) => ({ address, port, family });
  const tA = await dp.a.createTunnel({ tunnelId: 10, peerTunnelId: 20, version: 3, encap, local: end(la), peer: end(lb), udpChecksum: true });
  const tB = await dp.b.createTunnel({ tunnelId: 20, peerTunnelId: 10, version: 3, encap, local: end(lb), peer: end(la), udpChecksum: true });
  const common = { l2specType: 'default', seqnum: false, reorderTimeoutMs: 0, pseudowire: 'eth' } as const;
  const sA = await tA.createSession({ ...common, tunnelId: 10, peerTunnelId: 20, sessionId: 1, peerSessionId: 2, cookie: cookieA, peerCookie: cookieB, interfaceName: 'pwA', mtu: 1400 });
  const sB = await tB.createSession({ ...common, tunnelId: 20, peerTunnelId: 10, sessionId: 2, peerSessionId: 1, cookie: cookieB, peerCookie: bPeerCookie, interfaceName: 'pwB' });
  expect([sA.interfaceName, sB.interfaceName]).toEqual(['pwA', 'pwB']);
  expect(sh(`ip -n ${A} link show pwA`)).toMatch(/ mtu 1400 /); // set by rtnetlink: the kernel ignores L2TP_ATTR_MTU
  sh(`ip -n ${A} addr add 10.10.0.1/24 dev pwA; ip -n ${A} link set pwA up
      ip -n ${B} addr add 10.10.0.2/24 dev pwB; ip -n ${B} link set pwB up`);
  return { tA, tB, sA, sB };
}

const kinds = [['udp', 4], ['ip', 4], ['udp', 6], ['ip', 6]] as const;

describe.each(kinds)('v3 eth pseudowire over %s/IPv%i', (encap, family) => {
  test('matching cookies: ping crosses and the counters move', async () => {
    const { tA, tB, sA } = await pseudowire(encap, family, cookieA);
    try {
      expect(sh(`ip netns exec ${A} ping -c 3 -i 0.2 -W 2 10.10.0.2`)).toMatch(/3 received/);
      const st = await sA.stats();
      expect(st.rxPackets).toBeGreaterThanOrEqual(3n);
      expect(st.txPackets).toBeGreaterThanOrEqual(3n);
      expect((await tA.stats()).rxPackets).toBeGreaterThanOrEqual(3n);
    } finally {
      await tA.down();
      await tB.down();
    }
    await until('the tunnels to go', () => sh(`ip -n ${A} l2tp show tunnel`) === '' && sh(`ip -n ${B} l2tp show tunnel`) === '');
  });

  test('a wrong cookie drops the traffic', async () => {
    const { tA, tB, sB } = await pseudowire(encap, family, Uint8Array.of(9, 9, 9, 9));
    try {
      expect(ok(`ip netns exec ${A} ping -c 2 -i 0.2 -W 1 10.10.0.2`)).toBe(false);
      const b = await dp.b.netlink.getSession(20, 2);
      expect(b.stats.rxCookieDiscards).toBeGreaterThan(0n);
      expect(b.stats.rxPackets).toBe(0n);
      expect(sB.interfaceName).toBe('pwB');
    } finally {
      await tA.down();
      await tB.down();
    }
  });
});

test('session down() removes only the session; a second down() is a no-op', async () => {
  const { tA, tB, sA } = await pseudowire('udp', 4, cookieA);
  const s: SessionDataPlane = sA;
  await s.down();
  await s.down();
  expect(sh(`ip -n ${A} l2tp show session`)).toBe('');
  expect(sh(`ip -n ${A} l2tp show tunnel`)).toMatch(/Tunnel 10/);
  await tA.down();
  await tA.down();
  await tB.down();
});
