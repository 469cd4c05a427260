/**
 * Packet-info listeners on the host: a socket on the wildcard address reports the local address
 * each datagram was sent to and answers from it, for 127.0.0.1 and 127.0.0.2 (both local through
 * lo's 127.0.0.0/8 route), IPv4 peers of a dual-stack [::] socket (as ::ffff:a.b.c.d), and two
 * IPv6 addresses in a network namespace the test makes (root and `ip netns` needed).
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { existsSync } from 'node:fs';
import type { ControlSocket, SocketAddress } from '@l2tp/control';
import { afterEach, describe, expect, test } from 'vitest';
import { openKernelControlSocket } from '../src/sockets/control-socket.js';
import { inNetns } from '../src/sockets/netns.js';

const cleanups: (() => void)[] = [];
afterEach(() => { for (const c of cleanups.splice(0).reverse()) c(); });

async function listener(family: 4 | 6): Promise<ControlSocket> {
  const s = await openKernelControlSocket({ family, encap: 'udp', local: { address: family === 4 ? '0.0.0.0' : '::', port: 0, family }, reuseAddress: true, packetInfo: true });
  cleanups.push(() => s.close());
  return s;
}

/** Echoes every datagram back from the address it arrived on; records what arrived where. */
function echo(s: ControlSocket): { from: SocketAddress; local: SocketAddress | undefined; text: string }[] {
  const seen: { from: SocketAddress; local: SocketAddress | undefined; text: string }[] = [];
  s.onDatagram((bytes, from, local) => {
    seen.push({ from, local, text: Buffer.from(bytes).toString() });
    s.send(Buffer.from(`re:${Buffer.from(bytes).toString()}`), from, local);
  });
  return seen;
}

/** Sends `text` from a plain socket on `bindTo` to `to:port`; resolves with the reply and its source. */
async function ask(type: 'udp4' | 'udp6', bindTo: string, to: string, port: number, text: string): Promise<{ text: string; from: RemoteInfo }> {
  const c = createSocket(type);
  cleanups.push(() => c.close());
  await new Promise<void>((r) => c.bind(0, bindTo, r));
  const reply = new Promise<{ text: string; from: RemoteInfo }>((r) => c.once('message', (m, from) => r({ text: m.toString(), from })));
  c.send(text, port, to);
  return reply;
}

describe('packet-info listener', () => {
  test('IPv4 on 0.0.0.0: each datagram names its local address, the reply leaves from it', async () => {
    const s = await listener(4);
    const seen = echo(s);
    for (const to of ['127.0.0.2', '127.0.0.1', '127.0.0.2']) {
      const r = await ask('udp4', '127.0.0.1', to, s.local.port, `to ${to}`);
      expect(r).toMatchObject({ text: `re:to ${to}`, from: { address: to, port: s.local.port } });
    }
    expect(seen.map((x) => x.local?.address)).toEqual(['127.0.0.2', '127.0.0.1', '127.0.0.2']);
    expect(seen.every((x) => x.from.address === '127.0.0.1' && x.from.family === 4 && x.local?.port === s.local.port)).toBe(true);
  });

  test('dual-stack [::]: an IPv4 peer is ::ffff:a.b.c.d and is answered from the IPv4 address it dialled', async () => {
    const s = await listener(6);
    const seen = echo(s);
    const r = await ask('udp4', '127.0.0.1', '127.0.0.2', s.local.port, 'v4 on v6');
    expect(r).toMatchObject({ text: 're:v4 on v6', from: { address: '127.0.0.2', port: s.local.port } });
    expect(seen[0]).toMatchObject({ from: { address: '::ffff:127.0.0.1', family: 6 }, local: { address: '::ffff:127.0.0.2', family: 6 } });
    const r6 = await ask('udp6', '::1', '::1', s.local.port, 'v6');
    expect(r6).toMatchObject({ text: 're:v6', from: { address: '::1', port: s.local.port } });
  });

  test('closing stops delivery and frees the port; a second listener on the same port is watched too', async () => {
    const a = await listener(4);
    const seenA = echo(a);
    a.close();
    const b = await openKernelControlSocket({ family: 4, encap: 'udp', local: { address: '0.0.0.0', port: a.local.port, family: 4 }, packetInfo: true });
    cleanups.push(() => b.close());
    echo(b);
    const r = await ask('udp4', '127.0.0.1', '127.0.0.2', a.local.port, 'again');
    expect(r.text).toBe('re:again');
    expect(seenA).toEqual([]);
  });

  test('connect is refused: a listener answers many peers', async () => {
    const s = await listener(4);
    await expect(s.connect({ address: '127.0.0.1', port: 1, family: 4 })).rejects.toThrow(/not connected/);
  });
});

// Two global IPv6 addresses need a namespace of our own (root, iproute2); the host's lo has only ::1.
const NS = `lnsaddr-pi-${process.pid}`;
const canNetns = process.getuid?.() === 0 && ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((p) => existsSync(p));
describe.skipIf(!canNetns)('packet-info listener, IPv6, two addresses in a namespace (needs root and iproute2)', () => {
  test('[::] answers fd00::1 from fd00::1 and fd00::2 from fd00::2', async () => {
    execFileSync('ip', ['netns', 'add', NS]);
    cleanups.push(() => execFileSync('ip', ['netns', 'del', NS]));
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    for (const a of ['fd00::1/128', 'fd00::2/128']) execFileSync('ip', ['-n', NS, 'addr', 'add', a, 'dev', 'lo', 'nodad']);
    const s = await inNetns(NS, () => openKernelControlSocket({ family: 6, encap: 'udp', local: { address: '::', port: 0, family: 6 }, packetInfo: true }));
    cleanups.push(() => s.close());
    const seen = echo(s);
    const client = await inNetns(NS, () => openKernelControlSocket({ family: 6, encap: 'udp', local: { address: 'fd00::1', port: 0, family: 6 } }));
    cleanups.push(() => client.close());
    const replies: { text: string; from: SocketAddress }[] = [];
    let got = (): void => undefined;
    client.onDatagram((b, from) => { replies.push({ text: Buffer.from(b).toString(), from }); got(); });
    for (const to of ['fd00::2', 'fd00::1']) {
      const next = new Promise<void>((r) => { got = r; });
      client.send(Buffer.from(to), { address: to, port: s.local.port, family: 6 });
      await next;
    }
    expect(replies).toEqual([
      { text: 're:fd00::2', from: { address: 'fd00::2', port: s.local.port, family: 6 } },
      { text: 're:fd00::1', from: { address: 'fd00::1', port: s.local.port, family: 6 } },
    ]);
    expect(seen.map((x) => x.local?.address)).toEqual(['fd00::2', 'fd00::1']);
  });
});
