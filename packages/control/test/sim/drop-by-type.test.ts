/**
 * Drops by message type on the real wire (the testing kit's semantic filter): a lost ICCN is
 * retransmitted after exactly the initial timeout with its Ns, and the LNS then reports the session
 * up; a lost ZLB makes the peer retransmit and the duplicate is acknowledged, not redelivered.
 */
import { expect, test } from 'vitest';
import { codecWire } from '../../src/engine/codec-wire.js';
import { md5 } from '../../src/node/platform.js';
import { decodeMessage } from '../../src/codec/index.js';
import { matchMessageType, messageTypeOf } from '../../src/testing/index.js';
import { enginePair } from '../engine/pair.js';

const ns = (b: Uint8Array) => { const p = decodeMessage(b); return p.ok && p.value.kind !== 'data' ? p.value.header.ns : -1; };

test('a lost ICCN is resent 1 s later with the same Ns; the LNS reports the session once', () => {
  const { net, lac, lns, events, open } = enginePair({ wire: codecWire, md5 });
  open();
  net.runUntil(() => lns.state === 'established');
  net.drop({ from: 'lac', match: matchMessageType('ICCN'), count: 1 });
  net.call('lac', (nowMs) => lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId: 9 } }));
  net.runUntil(() => events('lns').some((e) => e.type === 'session-up'));
  const iccn = net.sent('lac').filter((r) => messageTypeOf(r.bytes) === 'ICCN');
  expect(iccn.map((r) => [r.dropped, ns(r.bytes)])).toEqual([[true, 3], [false, 3]]);
  expect(iccn[1]!.atMs - iccn[0]!.atMs).toBe(1000);
  net.runUntilIdle({ limitMs: 5000 });
  expect(events('lns').filter((e) => e.type === 'session-up')).toHaveLength(1);
});

test('a lost ZLB: the peer retransmits, the duplicate is acknowledged and not delivered twice', () => {
  const { net, lns, events, open } = enginePair({ wire: codecWire, md5, lac: { helloIntervalMs: 0 }, lns: { helloIntervalMs: 0 } });
  net.drop({ from: 'lns', match: matchMessageType('ZLB'), count: 1 });
  open();
  net.runUntilIdle({ limitMs: 10_000 });
  const scccn = net.sent('lac').filter((r) => messageTypeOf(r.bytes) === 'SCCCN');
  expect(scccn).toHaveLength(2);
  expect(net.sent('lns').filter((r) => messageTypeOf(r.bytes) === 'ZLB').map((r) => r.dropped)).toEqual([true, false]);
  expect(events('lns').filter((e) => e.type === 'tunnel-up')).toHaveLength(1);
  expect(lns.state).toBe('established');
});
