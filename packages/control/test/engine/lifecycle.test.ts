/**
 * LAC engine against LNS engine in SimNet (JSON wire, so only engine behaviour is under test):
 * tunnel and session setup, teardown from either side, the StopCCN hold (RFC 2661 §5.7), HELLO
 * acknowledged and unanswered, and a tunnel that never comes up still reporting its down.
 */
import { describe, expect, test } from 'vitest';
import { enginePair } from './pair.js';
import { jsonWire, peek } from './json-wire.js';
import type { WireCodec } from '../../src/engine/wire.js';

/** A pair with its tunnel up and no HELLOs (so only the teardown runs the clock). */
function upPair() {
  const pair = enginePair({ lac: { helloIntervalMs: 0 }, lns: { helloIntervalMs: 0 } });
  pair.open();
  pair.net.runUntil(() => pair.lac.state === 'established' && pair.lns.state === 'established');
  /** StopCCN from `side` now; returns the time it was sent. */
  const close = (side: 'lac' | 'lns') => {
    const engine = side === 'lac' ? pair.lac : pair.lns;
    pair.net.call(side, (nowMs) => engine.handle({ kind: 'command', nowMs, command: { type: 'close' } }));
    return pair.net.nowMs;
  };
  return { ...pair, close };
}

describe('tunnel and session lifecycle', () => {
  test('tunnel up, session up, CDN from the LAC, StopCCN from the LAC', () => {
    const { net, lac, lns, events, open } = enginePair();
    open();
    net.runUntil(() => lac.state === 'established' && lns.state === 'established');
    expect(events('lac')).toEqual([{ type: 'tunnel-up', tunnelId: 100, peerTunnelId: 200, peerHostName: 'lns' }]);
    expect(events('lns')).toEqual([{ type: 'tunnel-up', tunnelId: 200, peerTunnelId: 100, peerHostName: 'lac' }]);
    const sid = lac.allocateSessionId();
    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId: sid } }));
    net.runUntil(() => events('lns').some((e) => e.type === 'session-up'));
    const lnsUp = events('lns').find((e) => e.type === 'session-up')!;
    expect(lnsUp).toMatchObject({ peerSessionId: sid });
    expect(events('lac').at(-1)).toEqual({ type: 'session-up', tunnelId: 100, sessionId: sid, peerSessionId: (lnsUp as { sessionId: number }).sessionId });

    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'close-session', sessionId: sid } }));
    net.runUntil(() => events('lns').some((e) => e.type === 'session-down'));
    expect(events('lns').at(-1)).toMatchObject({ type: 'session-down', reason: { type: 'peer-cdn', result: { result: 3 } } });

    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'close' } }));
    net.runUntil(() => events('lns').some((e) => e.type === 'tunnel-down'));
    expect(events('lns').at(-1)).toMatchObject({ type: 'tunnel-down', reason: { type: 'peer-stopccn', result: { result: 1 } } });
    expect(events('lac').at(-1)).toMatchObject({ type: 'tunnel-down', reason: { type: 'local-close' } });
    expect(lac.state).toBe('closing');
    net.runUntilIdle({ limitMs: 100_000 });
    expect(lac.finished && lns.finished).toBe(true);
  });

  test('StopCCN state is held for a full retransmission cycle (31 s) and then released', () => {
    const { net, lac, lns, open } = enginePair({ lac: { helloIntervalMs: 0 }, lns: { helloIntervalMs: 0 } });
    open();
    net.runUntil(() => lns.state === 'established');
    const closedAt = net.nowMs;
    net.call('lns', (nowMs) => lns.handle({ kind: 'command', nowMs, command: { type: 'close' } }));
    net.runUntil(() => lac.finished, 100_000);
    expect(lac.state).toBe('closed');
    expect(net.nowMs - closedAt).toBeGreaterThanOrEqual(31_000);
    expect(net.nowMs - closedAt).toBeLessThan(31_100);
  });

  test('the side that sent StopCCN is released once it is acknowledged; its receiver holds the full cycle (§5.7)', () => {
    const { net, lac, lns, close } = upPair();
    const closedAt = close('lac');
    net.runUntil(() => lac.finished, 100_000);
    const ack = net.sent('lns').find((r) => r.atMs >= closedAt && peek(r.bytes).type === 'ZLB')!;
    // Released when the LNS's ZLB arrives (one link latency after it left), not 31 s later.
    expect(net.nowMs).toBeGreaterThan(ack.atMs);
    expect(net.nowMs - closedAt).toBeLessThan(1000);
    expect(lns.finished).toBe(false);
    net.runUntil(() => lns.finished, 100_000);
    expect(net.nowMs - closedAt).toBeGreaterThanOrEqual(31_000);
  });

  test('our StopCCN unacknowledged at first: retransmitted, and released once the retransmission is acknowledged', () => {
    const { net, lac, close } = upPair();
    net.runUntilIdle({ limitMs: 1000 }); // the setup's delayed acknowledgements are out
    net.drop({ from: 'lns', match: (b) => peek(b).type === 'ZLB', count: 1 });
    const closedAt = close('lac');
    net.runUntil(() => lac.finished, 100_000);
    expect(net.sent('lac').filter((r) => peek(r.bytes).type === 'StopCCN').map((r) => r.atMs - closedAt)).toEqual([0, 1000]);
    expect(net.nowMs - closedAt).toBeGreaterThan(1000);
    expect(net.nowMs - closedAt).toBeLessThan(2000);
  });

  test('StopCCNs crossing: each side is the receiver of the other\'s, and both hold the full cycle', () => {
    const { net, lac, lns, close } = upPair();
    const closedAt = close('lac');
    close('lns');
    net.runUntil(() => lac.finished || lns.finished, 100_000);
    expect(net.nowMs - closedAt).toBeGreaterThanOrEqual(31_000);
  });

  test('a retransmitted StopCCN during the hold is acknowledged again', () => {
    const { net, lns, open } = enginePair({ lac: { helloIntervalMs: 0 } });
    open();
    net.runUntil(() => lns.state === 'established');
    // Lose the LAC's first ZLB for the StopCCN: the LNS retransmits and the LAC (in its hold) acks again.
    let dropped = 0;
    net.drop({ from: 'lac', match: (b) => peek(b).type === 'ZLB' && dropped++ === 0, count: 1 });
    net.call('lns', (nowMs) => lns.handle({ kind: 'command', nowMs, command: { type: 'close' } }));
    net.runUntilIdle({ limitMs: 40_000 });
    const stopccns = net.sent('lns').filter((r) => peek(r.bytes).type === 'StopCCN');
    expect(stopccns.length).toBe(2);
    expect(stopccns[1]!.atMs - stopccns[0]!.atMs).toBe(1000);
    expect(net.sent('lac').filter((r) => peek(r.bytes).type === 'ZLB').length).toBeGreaterThanOrEqual(2);
  });

  test('a LAC whose SCCRQ is never answered reports tunnel-down after 31 s (go-l2tp stays silent)', () => {
    const { net, lac, events, open } = enginePair();
    net.drop({ from: 'lac', match: () => true });
    open();
    net.runUntilIdle({ limitMs: 100_000 });
    expect(net.sent('lac').map((r) => r.atMs)).toEqual([0, 1000, 3000, 7000, 15_000, 23_000]);
    expect(events('lac')).toEqual([{ type: 'tunnel-down', tunnelId: 100, peerTunnelId: 0, reason: { type: 'retransmit-exhausted', messageType: 'SCCRQ' }, wasUp: false }]);
    expect(lac.finished).toBe(true);
    expect(net.nowMs).toBe(31_000);
  });

  test('SCCRQ lost once is retransmitted after the initial timeout and the tunnel comes up', () => {
    const { net, lac, open } = enginePair();
    net.drop({ from: 'lac', match: (b) => peek(b).type === 'SCCRQ', count: 1 });
    open();
    net.runUntil(() => lac.state === 'established');
    expect(net.sent('lac').map((r) => [r.atMs, peek(r.bytes).type, peek(r.bytes).ns])).toEqual([[0, 'SCCRQ', 0], [1000, 'SCCRQ', 0], [1020, 'SCCCN', 1]]);
  });

  test('HELLO after the idle interval is acknowledged and completes; the tunnel stays up', () => {
    const { net, lac, lns, open } = enginePair({ lac: { helloIntervalMs: 60_000 }, lns: { helloIntervalMs: 0 } });
    open();
    net.runUntil(() => lns.state === 'established');
    net.runUntilIdle({ limitMs: 200_000 });
    const hellos = net.sent('lac').filter((r) => peek(r.bytes).type === 'HELLO');
    expect(hellos.length).toBe(3);
    expect(hellos.every((h) => h.atMs % 60_000 >= 0)).toBe(true);
    expect(lac.state).toBe('established');
    expect(lns.state).toBe('established');
  });

  test('an unanswered HELLO takes the tunnel down with retransmit-exhausted', () => {
    const { net, lac, lns, events, open } = enginePair({ lac: { helloIntervalMs: 10_000 }, lns: { helloIntervalMs: 0 } });
    open();
    net.runUntil(() => lns.state === 'established');
    net.runUntilIdle({ limitMs: 1000 });
    net.drop({ from: 'lns', match: () => true });
    net.runUntil(() => lac.finished, 200_000);
    expect(events('lac').at(-1)).toMatchObject({ type: 'tunnel-down', reason: { type: 'retransmit-exhausted', messageType: 'HELLO' } });
  });

  test('an unknown M-bit AVP in a session message clears that session with CDN 2/8; the tunnel stays', () => {
    const { net, lac, lns, events, open } = enginePair({ lnsWire: withMbitOn('ICRP') });
    open();
    net.runUntil(() => lns.state === 'established');
    const sid = lac.allocateSessionId();
    net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId: sid } }));
    net.runUntil(() => events('lns').some((e) => e.type === 'session-down'));
    expect(events('lac').at(-1)).toMatchObject({ type: 'session-down', sessionId: sid, reason: { type: 'peer-violation', sent: { result: 2, error: 8 } } });
    expect(events('lns').at(-1)).toMatchObject({ type: 'session-down', reason: { type: 'peer-cdn', result: { result: 2, error: 8 } } });
    expect(lac.state).toBe('established');
  });

  test('an unknown M-bit AVP in SCCRP clears the tunnel with StopCCN 2/8', () => {
    const { net, lns, events, open } = enginePair({ lnsWire: withMbitOn('SCCRP') });
    open();
    net.runUntil(() => events('lns').some((e) => e.type === 'tunnel-down'));
    expect(events('lac')).toMatchObject([{ type: 'tunnel-down', reason: { type: 'peer-violation', sent: { result: 2, error: 8 } } }]);
    expect(events('lns')).toMatchObject([{ type: 'tunnel-down', reason: { type: 'peer-stopccn', result: { result: 2, error: 8 } } }]);
    expect(lns.state).toBe('closing');
  });
});

/** The JSON wire, except that messages of `type` carry an unknown M-bit AVP. */
function withMbitOn(type: string): WireCodec {
  return {
    ...jsonWire,
    encode(m, h, c) {
      const b = jsonWire.encode(m, h, c);
      if (m.type !== type) return b;
      const f = JSON.parse(new TextDecoder().decode(b));
      return new TextEncoder().encode(JSON.stringify({ ...f, m: { ...f.m, mbit: true } }));
    },
  };
}
