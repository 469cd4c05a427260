/**
 * The null data plane's UDP sockets: datagrams between two sockets addressed by literal (node:dgram's
 * lookup is ours: literals pass through), IPv4 and IPv6, and a host name still resolved by DNS.
 */
import { afterEach, expect, test } from 'vitest';
import type { ControlSocket } from '../../src/api/dataplane.js';
import { openUdpControlSocket } from '../../src/node/null-dataplane.js';

const open: ControlSocket[] = [];
afterEach(() => { for (const s of open.splice(0)) s.close(); });

async function pair(family: 4 | 6, address: string) {
  const a = await openUdpControlSocket({ family, encap: 'udp', local: { address, port: 0, family } });
  const b = await openUdpControlSocket({ family, encap: 'udp', local: { address, port: 0, family } });
  open.push(a, b);
  const got = new Promise<Uint8Array>((resolve) => b.onDatagram((bytes) => resolve(bytes)));
  return { a, b, got };
}

test.each([[4, '127.0.0.1'], [6, '::1']] as const)('IPv%i: a datagram sent by literal address arrives', async (family, address) => {
  const { a, b, got } = await pair(family, address);
  a.send(new Uint8Array([1, 2, 3]), b.local);
  expect([...await got]).toEqual([1, 2, 3]);
});

test('a host name is still looked up (localhost)', async () => {
  const { a, b, got } = await pair(4, 'localhost');
  expect(a.local.address).toBe('127.0.0.1');
  a.send(new Uint8Array([9]), { ...b.local, address: 'localhost' });
  expect([...await got]).toEqual([9]);
});
