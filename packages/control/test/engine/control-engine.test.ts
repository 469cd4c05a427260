/**
 * The multi-tunnel engine: an LNS ControlEngine accepting SCCRQs from a LAC ControlEngine holding
 * ten tunnels. Pins routing by tunnel id, one accepted tunnel per (peer, Assigned Tunnel ID) even
 * when the SCCRQ is retransmitted, and release of tunnels after their StopCCN hold.
 */
import { describe, expect, test } from 'vitest';
import { ControlEngine, type ControlOutput } from '../../src/engine/control-engine.js';
import { SimNet } from '../../src/testing/index.js';
import type { TunnelEvent } from '../../src/fsm/types.js';
import { jsonWire, peek } from './json-wire.js';
import { fakeMd5 } from './pair.js';

function setup(seed = 1, lnsRetryMs = 1000) {
  const net = new SimNet({ seed });
  const lac = new ControlEngine({}, { random: net.rng.fork(), md5: fakeMd5 }, jsonWire);
  const lns = new ControlEngine({ accept: { hostName: 'lns', transport: { retryTimeoutMs: lnsRetryMs } } }, { random: net.rng.fork(), md5: fakeMd5 }, jsonWire);
  net.add('lac', lac);
  net.add('lns', lns);
  const events = (n: string) => net.events(n).map((e) => e.output as ControlOutput).filter((o) => o.kind === 'event').map((o) => (o as { event: TunnelEvent }).event);
  const released = (n: string) => net.events(n).filter((e) => (e.output as ControlOutput).kind === 'released').length;
  const open = (count: number) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(lac.addTunnel({ role: 'lac', hostName: 'lac' }, net.addressOf('lns')));
    net.call('lac', (nowMs) => ids.flatMap((tunnelId) => lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open' } })));
    return ids;
  };
  return { net, lac, lns, events, released, open };
}

describe('ControlEngine', () => {
  test('ten LAC tunnels with five sessions each come up against one accepting LNS and are released after close', () => {
    const { net, lac, lns, events, released, open } = setup();
    const ids = open(10);
    net.runUntil(() => events('lns').filter((e) => e.type === 'tunnel-up').length === 10);
    expect(lns.size).toBe(10);
    net.call('lac', (nowMs) => ids.flatMap((tunnelId) => Array.from({ length: 5 }, () =>
      lac.handle({ kind: 'command', nowMs, tunnelId, command: { type: 'open-session', sessionId: lac.allocateSessionId(tunnelId) } })).flat()));
    net.runUntil(() => events('lns').filter((e) => e.type === 'session-up').length === 50);
    expect(events('lac').filter((e) => e.type === 'session-up').length).toBe(50);
    net.call('lac', (nowMs) => lac.closeAll(nowMs));
    net.runUntilIdle({ limitMs: 200_000 });
    expect(lac.size + lns.size).toBe(0);
    expect([released('lac'), released('lns')]).toEqual([10, 10]);
    expect(events('lns').filter((e) => e.type === 'tunnel-down').every((e) => e.type === 'tunnel-down' && e.reason.type === 'peer-stopccn' && e.reason.result.result === 6)).toBe(true);
  });

  test('a retransmitted SCCRQ reaches the tunnel it created instead of opening a second one', () => {
    const { net, lns, events, open } = setup(2, 3000);
    net.drop({ from: 'lns', match: (b) => peek(b).type === 'SCCRP', count: 1 });
    open(1);
    net.runUntil(() => events('lns').some((e) => e.type === 'tunnel-up'));
    expect(lns.size).toBe(1);
    expect(net.sent('lac').filter((r) => peek(r.bytes).type === 'SCCRQ').length).toBe(2);
    // The duplicate SCCRQ is acknowledged at once (a ZLB before the LNS's own SCCRP retransmission).
    const resentAt = net.sent('lac').filter((r) => peek(r.bytes).type === 'SCCRQ')[1]!.atMs;
    const zlb = net.sent('lns').find((r) => peek(r.bytes).type === 'ZLB' && r.atMs > resentAt);
    expect(zlb?.atMs).toBe(resentAt + 10);
  });

  test('without accept options an SCCRQ is ignored', () => {
    const net = new SimNet();
    const lac = new ControlEngine({}, { random: net.rng.fork(), md5: fakeMd5 }, jsonWire);
    const other = new ControlEngine({}, { random: net.rng.fork(), md5: fakeMd5 }, jsonWire);
    net.add('lac', lac);
    net.add('other', other);
    const id = lac.addTunnel({ role: 'lac' }, net.addressOf('other'));
    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, tunnelId: id, command: { type: 'open' } }));
    net.runUntilIdle({ limitMs: 100_000 });
    expect(other.size).toBe(0);
    expect(lac.size).toBe(0);
  });
});

describe('ControlEngine views', () => {
  test('tunnel() is a read-only view that follows the tunnel; settled turns true when the last tunnel is released', () => {
    const { net, lac, lns, events, open } = setup(3);
    const [id] = open(1);
    const view = lac.tunnel(id!)!;
    expect(view).not.toHaveProperty('handle');
    expect(view.state).toBe('wait-ctl-reply');
    net.runUntil(() => events('lac').some((e) => e.type === 'tunnel-up'));
    expect(view).toMatchObject({ tunnelId: id, state: 'established', role: 'lac', version: 2, peer: net.addressOf('lns'), peerHostName: 'lns' });
    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, tunnelId: id!, command: { type: 'open-session', sessionId: lac.allocateSessionId(id!) } }));
    net.runUntil(() => events('lac').some((e) => e.type === 'session-up'));
    expect(view.sessions()).toEqual([expect.objectContaining({ state: 'established' })]);
    net.runUntilIdle({ limitMs: 1000 });
    expect(view.settled).toBe(true);
    expect([lac.settled, lns.settled]).toEqual([false, false]);
    net.call('lac', (nowMs) => lac.closeAll(nowMs));
    net.runUntilIdle({ limitMs: 100_000 });
    expect([lac.settled, lns.settled]).toEqual([true, true]);
    expect(lac.tunnel(id!)).toBeUndefined();
  });
});
