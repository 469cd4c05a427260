/**
 * Quiescent L2TPv3 (go-l2tp's ql2tpd mode): no setup exchange, HELLO and acknowledgements only.
 * Pins that HELLOs are acknowledged and keep both ends up, and that a silent peer takes the tunnel
 * down with retransmit-exhausted (go-l2tp kills healthy tunnels instead, never completing its HELLO).
 */
import { expect, test } from 'vitest';
import { enginePair } from './pair.js';
import { peek } from './json-wire.js';

const quiescent = (tunnelId: number, peerTunnelId: number) => ({ version: 3 as const, quiescent: true, tunnelId, peerTunnelId, helloIntervalMs: 10_000 });

function pair() {
  const p = enginePair({ lac: quiescent(100, 200), lns: quiescent(200, 100) });
  p.net.call('lac', (nowMs) => p.lac.handle({ kind: 'command', nowMs, command: { type: 'open' } }));
  p.net.call('lns', (nowMs) => p.lns.handle({ kind: 'command', nowMs, command: { type: 'open' } }));
  return p;
}

test('both ends are up at once and stay up on acknowledged HELLOs', () => {
  const { net, lac, lns, events } = pair();
  expect(events('lac')).toEqual([{ type: 'tunnel-up', tunnelId: 100, peerTunnelId: 200, peerHostName: undefined }]);
  net.runUntilIdle({ limitMs: 100_000 });
  const hellos = net.log.filter((r) => peek(r.bytes).type === 'HELLO');
  expect(hellos.length).toBeGreaterThanOrEqual(10);
  expect(net.log.filter((r) => peek(r.bytes).type === 'ZLB').length).toBeGreaterThanOrEqual(hellos.length);
  expect(lac.state).toBe('established');
  expect(lns.state).toBe('established');
  expect(net.log.some((r) => !['HELLO', 'ZLB'].includes(peek(r.bytes).type))).toBe(false);
});

test('a silent peer takes the tunnel down after the HELLO exhausts its retries', () => {
  const { net, lac, events } = pair();
  net.drop({ from: 'lns', match: () => true });
  net.runUntil(() => lac.finished, 200_000);
  expect(events('lac').at(-1)).toMatchObject({ type: 'tunnel-down', reason: { type: 'retransmit-exhausted', messageType: 'HELLO' } });
  // First HELLO at 9-10 s (RFC 3931 §4.4 jitter), retries 1, 3, 7, 15, 23 s later, failure 31 s after it.
  const first = net.sent('lac').find((r) => peek(r.bytes).type === 'HELLO')!.atMs;
  expect(first).toBeGreaterThanOrEqual(9000);
  expect(first).toBeLessThanOrEqual(10_000);
  expect(net.sent('lac').filter((r) => peek(r.bytes).type === 'HELLO').map((r) => r.atMs - first)).toEqual([0, 1000, 3000, 7000, 15_000, 23_000]);
  expect(net.nowMs - first).toBe(31_000);
});

test('counters: HELLOs sent and delivered match the wire; a silent peer shows the retransmissions', () => {
  const { net, lac, lns } = pair();
  net.runUntilIdle({ limitMs: 50_000 });
  const lacHellos = net.sent('lac').filter((r) => peek(r.bytes).type === 'HELLO').length;
  expect(lac.counters).toEqual({ sent: lacHellos, received: lns.counters.sent, retransmitted: 0, hellosSent: lacHellos, ignored: 0 });
  const silent = pair();
  silent.net.drop({ from: 'lns', match: () => true });
  silent.net.runUntil(() => silent.lac.finished, 200_000);
  expect(silent.lac.counters).toMatchObject({ sent: 1, retransmitted: 5, hellosSent: 1, received: 0 });
});
