/**
 * The transport inside the engine: a burst of incoming calls goes out within the peer's Receive
 * Window Size, one dropped ICRQ is retransmitted with the same Ns one second later carrying the
 * current Nr, later ICRQs held by the LNS's reorder buffer are delivered after it, and every call comes up.
 */
import { expect, test } from 'vitest';
import { enginePair } from './pair.js';
import { peek } from './json-wire.js';

test('a dropped ICRQ in a burst is resent once with its Ns; the rest are not resent and all calls come up', () => {
  const { net, lac, lns, events, open } = enginePair({ lac: { helloIntervalMs: 0 }, lns: { helloIntervalMs: 0, transport: { receiveWindowSize: 8 } } });
  open();
  net.runUntil(() => lns.state === 'established');
  net.runUntilIdle({ limitMs: 500 });
  net.drop({ from: 'lac', match: (b) => peek(b).type === 'ICRQ' && peek(b).m?.['callSerialNumber'] === 2, count: 1 });
  const t0 = net.nowMs;
  net.call('lac', (nowMs) => Array.from({ length: 6 }, () =>
    lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId: lac.allocateSessionId() } })).flat());
  net.runUntil(() => events('lns').filter((e) => e.type === 'session-up').length === 6, 60_000);
  const icrqs = net.sent('lac').filter((r) => peek(r.bytes).type === 'ICRQ').map((r) => ({ at: r.atMs - t0, ...peek(r.bytes), dropped: r.dropped }));
  // Peer RWS 8 but CWND starts at 1 and grows per ack (slow start): not all six leave at t0.
  expect(icrqs.filter((r) => r.at === 0).length).toBeLessThan(6);
  const lost = icrqs.filter((r) => r.m?.['callSerialNumber'] === 2);
  expect(lost.map((r) => [r.ns, r.dropped])).toEqual([[lost[0]!.ns, true], [lost[0]!.ns, false]]);
  expect(lost[1]!.at - lost[0]!.at).toBe(1000);
  expect(lost[1]!.nr).toBeGreaterThan(lost[0]!.nr);
  expect(icrqs.filter((r) => r.m?.['callSerialNumber'] !== 2).length).toBe(5);
  expect(events('lac').filter((e) => e.type === 'session-up').length).toBe(6);
});
