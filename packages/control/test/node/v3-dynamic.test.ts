/**
 * Dynamic L2TPv3 through the library context in virtual time (SimEdge: SimNet sockets, fake
 * kernels): two LCCEs that both listen and both dial each other end with one control connection
 * (tie breaker), kernel tunnels and sessions made from the negotiated ids and cookies, the Message
 * Digest on, a wrong secret bringing nothing up and reported on both ends, a dead peer's
 * connection ended and a restarted peer's replacing its stale one.
 */
import { describe, expect, it } from 'vitest';
import type { ContextEvents, V3ConnectionOptions } from '../../src/api/context-types.js';
import type { LinkChange, SocketAddress } from '../../src/api/dataplane.js';
import { L2tpContext } from '../../src/node/index.js';
import { seededRandom, SimEdge, SimNet } from '../../src/testing/index.js';

const at = (address: string): SocketAddress => ({ address, port: 1701, family: 4 });

function lcce(edge: SimEdge, me: string, them: string, seed: number, extra: Partial<V3ConnectionOptions> = {}) {
  // The SimEdge data plane, plus interface state changes the test makes (`link`).
  const links = new Set<(c: LinkChange) => void>();
  const dataPlane = { ...edge.dataPlane(me), watchLinks: (l: (c: LinkChange) => void) => { links.add(l); return () => links.delete(l); } };
  const link = (interfaceName: string, up: boolean) => { for (const l of links) l({ interfaceName, up, deleted: false }); };
  const ctx = new L2tpContext({ dataPlane, clock: edge.clock, random: seededRandom(seed) });
  const options: V3ConnectionOptions = {
    name: 'pe', encap: 'udp', local: at(me), peer: at(them), hostName: me, routerId: seed, helloIntervalMs: 1000, retryTimeoutMs: 200, maxRetries: 3,
    pseudowires: [{ name: 'vc100', remoteEndId: 'vc100', cookieLength: me.endsWith('1') ? 4 : 8, interfaceName: 'l2tpeth100' }],
    ...extra,
  };
  const events: string[] = [];
  const dropped: ContextEvents['message-dropped'][] = [];
  ctx.on('connection-up', (e) => events.push(`up ${e.connection.role}`));
  ctx.on('connection-down', (e) => events.push(`down ${e.reason.type}`));
  ctx.on('pseudowire-up', (e) => events.push(`pw-up ${e.pseudowire.name}`));
  ctx.on('message-dropped', (e) => dropped.push(e));
  ctx.on('pseudowire-circuit', (e) => events.push(`peer circuit ${e.active ? 'up' : 'down'}`));
  ctx.on('circuit-changed', (e) => events.push(`circuit ${e.interfaceName} ${e.active ? 'up' : 'down'}`));
  const start = async () => {
    await ctx.listenV3('udp', options.local);
    ctx.acceptV3((peer) => (peer.address === them ? options : undefined));
    return ctx.dialV3(options);
  };
  const up = () => ctx.connections().filter((c) => c.state === 'established');
  return { ctx, kernel: dataPlane.kernel, options, events, dropped, start, up, link };
}

describe('dynamic L2TPv3 through L2tpContext', () => {
  it('both ends dial: one connection, kernel tunnel and session from the negotiated ids and cookies, digest verified', async () => {
    const edge = new SimEdge(new SimNet({ seed: 1, latencyMs: 5 }));
    const digest = { secrets: ['s3cret'], digestType: 1 as const };
    const a = lcce(edge, '10.0.0.1', '10.0.0.2', 11, { digest });
    const b = lcce(edge, '10.0.0.2', '10.0.0.1', 22, { digest });
    await Promise.all([a.start(), b.start()]);
    await edge.run(5000);
    const [ca] = a.up();
    const [cb] = b.up();
    expect(a.up()).toHaveLength(1);
    expect(b.up()).toHaveLength(1);
    expect(ca!.peerConnectionId).toBe(cb!.connectionId);
    expect(cb!.peerConnectionId).toBe(ca!.connectionId);
    expect(ca!.digest!.verified).toBeGreaterThan(0);
    expect(Object.values(ca!.digest!.dropped).reduce((x, y) => x + y, 0)).toBe(0);
    // One connection stands: the other was dropped by the tie breaker, never brought up.
    expect([...a.events, ...b.events].filter((e) => e.startsWith('up'))).toHaveLength(2);
    expect([...a.kernel.tunnels.values()]).toMatchObject([{ tunnelId: ca!.connectionId, peerTunnelId: cb!.connectionId, version: 3, encap: 'udp' }]);
    const sa = [...a.kernel.sessions.values()];
    const sb = [...b.kernel.sessions.values()];
    expect(sa).toHaveLength(1);
    expect(sb).toHaveLength(1);
    expect(sa[0]).toMatchObject({ pseudowire: 'eth', interfaceName: 'l2tpeth100', sessionId: sb[0]!.peerSessionId, peerSessionId: sb[0]!.sessionId });
    // A assigned a 4-byte cookie (B sends it), B an 8-byte one: each kernel sends the other's.
    expect(sa[0]!.peerCookie).toHaveLength(4);
    expect(sa[0]!.cookie).toEqual(sb[0]!.peerCookie);
    expect(sb[0]!.cookie).toEqual(sa[0]!.peerCookie);
    expect(ca!.pseudowires).toMatchObject([{ name: 'vc100', remoteEndId: 'vc100', cookieLength: 4, peerCookieLength: 8, state: 'established' }]);
  });

  it('the pseudowire interface going down and up reaches the peer as SLI (only after it was first up)', async () => {
    const edge = new SimEdge(new SimNet({ seed: 4, latencyMs: 5 }));
    const a = lcce(edge, '10.0.0.1', '10.0.0.2', 11);
    const b = lcce(edge, '10.0.0.2', '10.0.0.1', 22);
    await Promise.all([a.start(), b.start()]);
    await edge.run(3000);
    a.link('l2tpeth100', false);           // a new interface starts down: not the circuit's change
    a.link('l2tpeth100', true);
    await edge.run(1000);
    expect(b.events.filter((e) => e.startsWith('peer circuit'))).toEqual([]);
    a.link('eth0', false);                 // not a pseudowire's interface
    a.link('l2tpeth100', false);
    await edge.run(1000);
    a.link('l2tpeth100', true);
    await edge.run(1000);
    expect(a.events.filter((e) => e.startsWith('circuit'))).toEqual(['circuit l2tpeth100 down', 'circuit l2tpeth100 up']);
    expect(b.events.filter((e) => e.startsWith('peer circuit'))).toEqual(['peer circuit down', 'peer circuit up']);
  });

  it('a wrong secret brings nothing up; both ends report the drops', async () => {
    const edge = new SimEdge(new SimNet({ seed: 2, latencyMs: 5 }));
    const a = lcce(edge, '10.0.0.1', '10.0.0.2', 11, { digest: { secrets: ['right'] } });
    const b = lcce(edge, '10.0.0.2', '10.0.0.1', 22, { digest: { secrets: ['wrong'] } });
    await Promise.all([a.start(), b.start()]);
    await edge.run(10_000);
    expect(a.up()).toEqual([]);
    expect(b.up()).toEqual([]);
    expect(a.kernel.tunnels.size + b.kernel.tunnels.size).toBe(0);
    for (const x of [a, b]) expect(x.dropped[0]).toMatchObject({ name: 'pe', reason: 'mismatch', messageType: 'SCCRQ' });
  });

  it('a restarted peer replaces its stale connection; the kernel objects follow', async () => {
    const edge = new SimEdge(new SimNet({ seed: 3, latencyMs: 5 }));
    const a = lcce(edge, '10.0.0.1', '10.0.0.2', 11);
    const b = lcce(edge, '10.0.0.2', '10.0.0.1', 22, { helloIntervalMs: 60_000 });
    await Promise.all([a.start(), b.start()]);
    await edge.run(3000);
    const old = b.up()[0]!.connectionId;
    // A dies without a word; a new A (same Router ID, new connection id) dials B before B notices.
    let cut = true;
    edge.net.drop({ match: () => cut });
    void a.ctx.close(0);
    await edge.run(10);
    cut = false;
    const a2 = lcce(edge, '10.0.0.1', '10.0.0.2', 33, { routerId: 11 });
    await a2.start();
    await edge.run(3000);
    expect(b.up()).toHaveLength(1);
    expect(b.up()[0]!.connectionId).not.toBe(old);
    expect(b.events).toContain('down superseded');
    expect([...b.kernel.tunnels.keys()]).toEqual([b.up()[0]!.connectionId]);
    expect([...b.kernel.sessions.values()]).toMatchObject([{ interfaceName: 'l2tpeth100' }]);
    expect(a2.up()).toHaveLength(1);
  });
});
