/**
 * SLI and WEN on the real wire are surfaced as events with their values (RFC 2661 §6.14, §6.15):
 * go-l2tp rejected SLI from Cisco/Meraki LNSes ("no specification for v2 message avpMsgTypeSli").
 */
import { expect, test } from 'vitest';
import { encodeMessage } from '../../src/codec/index.js';
import { codecWire } from '../../src/engine/codec-wire.js';
import { md5 } from '../../src/node/platform.js';
import { enginePair } from './pair.js';

function established() {
  const p = enginePair({ wire: codecWire, md5, lac: { helloIntervalMs: 0 }, lns: { helloIntervalMs: 0 } });
  p.open();
  p.net.call('lac', (nowMs) => p.lac.handle({ kind: 'command', nowMs, command: { type: 'open-session', sessionId: 5 } }));
  p.net.runUntilIdle({ limitMs: 5000 });
  const lnsSession = p.events('lns').find((e) => e.type === 'session-up') as { sessionId: number };
  return { ...p, lnsSessionId: lnsSession.sessionId };
}

test('an SLI from the LNS reaches the LAC as set-link-info with its ACCM', () => {
  const { lac, net, events } = established();
  // The LNS has sent SCCRP (Ns 0) and ICRP (Ns 1); the LAC has sent four messages.
  const sli = encodeMessage({ type: 'SLI', avps: { accm: { sendAccm: 0, receiveAccm: 0xffffffff } } }, { version: 2, tunnelId: 100, sessionId: 5, ns: 2, nr: 4 });
  net.call('lac', (nowMs) => lac.handle({ kind: 'datagram', nowMs, bytes: sli }));
  expect(events('lac').at(-1)).toEqual({ type: 'set-link-info', tunnelId: 100, sessionId: 5, accm: { sendAccm: 0, receiveAccm: 0xffffffff } });
});

test('a WEN from the LAC reaches the LNS as wan-error-notify with its counters', () => {
  const { lns, net, events, lnsSessionId } = established();
  const callErrors = { crcErrors: 1, framingErrors: 2, hardwareOverruns: 3, bufferOverruns: 4, timeoutErrors: 5, alignmentErrors: 6 };
  const wen = encodeMessage({ type: 'WEN', avps: { callErrors } }, { version: 2, tunnelId: 200, sessionId: lnsSessionId, ns: 4, nr: 2 });
  net.call('lns', (nowMs) => lns.handle({ kind: 'datagram', nowMs, bytes: wen }));
  expect(events('lns').at(-1)).toEqual({ type: 'wan-error-notify', tunnelId: 200, sessionId: lnsSessionId, callErrors });
});
