/**
 * Pins the incoming-call tables (RFC 2661 §7.4) of both roles, OCRQ refusal, WEN/SLI surfacing,
 * and the rule that any pair outside the table sends CDN Result 2 and never throws (fast-check).
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  SESSION_TABLE, type SessionData, type SessionInput, type SessionMessage, type SessionState, lacSession,
  lnsSession, stepSession,
} from '../../src/fsm/index.js';

const T = 7;

describe('LAC incoming call', () => {
  test('waits for the tunnel, sends ICRQ, and on ICRP answers ICCN and reports session-up', () => {
    const a = stepSession(lacSession(100, 1), { type: 'tunnel-up' }, T);
    expect(a.actions).toEqual([{ type: 'send', message: { type: 'ICRQ', sessionId: 100, callSerialNumber: 1 } }]);
    const b = stepSession(a.next, { type: 'recv', message: { type: 'ICRP', sessionId: 100, assignedSessionId: 200 } }, T);
    expect(b.next).toMatchObject({ state: 'established', peerSessionId: 200 });
    expect(b.actions).toEqual([
      { type: 'send', message: { type: 'ICCN', sessionId: 100, peerSessionId: 200 } },
      { type: 'emit', event: { type: 'session-up', tunnelId: T, sessionId: 100, peerSessionId: 200 } },
    ]);
  });

  test('SLI is surfaced with its ACCM', () => {
    const d: SessionData = { state: 'established', sessionId: 1, peerSessionId: 2, callSerialNumber: 0 };
    const s = stepSession(d, { type: 'recv', message: { type: 'SLI', sessionId: 1, accm: { sendAccm: 0, receiveAccm: 0xffffffff } } }, T);
    expect(s.actions).toEqual([{ type: 'emit', event: { type: 'set-link-info', tunnelId: T, sessionId: 1, accm: { sendAccm: 0, receiveAccm: 0xffffffff } } }]);
  });

  test('local close sends CDN result 3 (administrative) and reports the down', () => {
    const d: SessionData = { state: 'established', sessionId: 1, peerSessionId: 2, callSerialNumber: 0 };
    const s = stepSession(d, { type: 'close' }, T);
    expect(s.actions).toEqual([
      { type: 'send', message: { type: 'CDN', sessionId: 1, peerSessionId: 2, result: { result: 3 } } },
      { type: 'emit', event: { type: 'session-down', tunnelId: T, sessionId: 1, peerSessionId: 2, reason: { type: 'local-close', sent: { result: 3 } }, wasUp: true } },
    ]);
  });

  test('the tunnel going down closes the session without a CDN (RFC 2661 §6.4)', () => {
    const d: SessionData = { state: 'established', sessionId: 1, peerSessionId: 2, callSerialNumber: 0 };
    const s = stepSession(d, { type: 'tunnel-down' }, T);
    expect(s.actions.map((a) => a.type)).toEqual(['emit']);
  });
});

describe('LNS incoming call', () => {
  test('ICRQ is answered with ICRP; ICCN brings the session up', () => {
    const a = stepSession(lnsSession(300), { type: 'recv', message: { type: 'ICRQ', sessionId: 0, assignedSessionId: 17, callSerialNumber: 5 } }, T);
    expect(a.actions).toEqual([{ type: 'send', message: { type: 'ICRP', sessionId: 300, peerSessionId: 17 } }]);
    const b = stepSession(a.next, { type: 'recv', message: { type: 'ICCN', sessionId: 300 } }, T);
    expect(b.actions).toEqual([{ type: 'emit', event: { type: 'session-up', tunnelId: T, sessionId: 300, peerSessionId: 17 } }]);
  });

  test('OCRQ is refused with a CDN that says why', () => {
    const s = stepSession(lnsSession(300), { type: 'recv', message: { type: 'OCRQ', sessionId: 0, assignedSessionId: 9, callSerialNumber: 1 } }, T);
    expect(s.next.state).toBe('closed');
    const result = { result: 5, error: 0, message: 'outgoing calls are not supported' };
    expect(s.actions).toEqual([
      { type: 'send', message: { type: 'CDN', sessionId: 300, peerSessionId: 9, result } },
      // Logged and counted like any refusal, as a call that never came up.
      { type: 'emit', event: { type: 'session-down', tunnelId: T, sessionId: 300, peerSessionId: 9, reason: { type: 'refused', sent: result }, wasUp: false } },
    ]);
  });

  test('WEN is surfaced with its call errors; peer CDN reports its result', () => {
    const d: SessionData = { state: 'established', sessionId: 1, peerSessionId: 2, callSerialNumber: 0 };
    const callErrors = { crcErrors: 1, framingErrors: 2, hardwareOverruns: 3, bufferOverruns: 4, timeoutErrors: 5, alignmentErrors: 6 };
    expect(stepSession(d, { type: 'recv', message: { type: 'WEN', sessionId: 1, callErrors } }, T).actions[0]).toMatchObject({ event: { type: 'wan-error-notify', callErrors } });
    const c = stepSession(d, { type: 'recv', message: { type: 'CDN', sessionId: 1, assignedSessionId: 2, result: { result: 1, message: 'hangup' } } }, T);
    expect(c.actions).toEqual([{ type: 'emit', event: { type: 'session-down', tunnelId: T, sessionId: 1, peerSessionId: 2, reason: { type: 'peer-cdn', result: { result: 1, message: 'hangup' } }, wasUp: true } }]);
  });
});

describe('every (state, input) pair', () => {
  const states = Object.keys(SESSION_TABLE) as SessionState[];
  const message: fc.Arbitrary<SessionMessage> = fc.constantFrom<SessionMessage>(
    { type: 'ICRQ', sessionId: 0, assignedSessionId: 5, callSerialNumber: 1 }, { type: 'ICRP', sessionId: 1, assignedSessionId: 5 },
    { type: 'ICCN', sessionId: 1 }, { type: 'OCRQ', sessionId: 0, assignedSessionId: 5, callSerialNumber: 1 },
    { type: 'OCRP', sessionId: 1, assignedSessionId: 5 }, { type: 'OCCN', sessionId: 1 },
    { type: 'CDN', sessionId: 1, assignedSessionId: 2, result: { result: 1 } },
    { type: 'WEN', sessionId: 1, callErrors: { crcErrors: 0, framingErrors: 0, hardwareOverruns: 0, bufferOverruns: 0, timeoutErrors: 0, alignmentErrors: 0 } },
    { type: 'SLI', sessionId: 1, accm: { sendAccm: 0, receiveAccm: 0 } },
  );
  const input: fc.Arbitrary<SessionInput> = fc.oneof(
    fc.constantFrom<SessionInput>({ type: 'tunnel-up' }, { type: 'tunnel-down' }, { type: 'close' }, { type: 'bad-message', result: { result: 2, error: 8 } }),
    message.map((m) => ({ type: 'recv' as const, message: m })),
  );

  test('lands in a valid state; a pair outside the table sends CDN Result 2 and closes', () => {
    fc.assert(fc.property(fc.constantFrom(...states), input, (state, i) => {
      const d: SessionData = { state, sessionId: 1, peerSessionId: 2, callSerialNumber: 0 };
      const s = stepSession(d, i, T);
      expect(states).toContain(s.next.state);
      const key = i.type === 'recv' ? `recv:${i.message.type}` : i.type;
      if (state !== 'closed' && i.type !== 'tunnel-up' && !(key in SESSION_TABLE[state])) {
        expect(s.next.state).toBe('closed');
        expect(s.actions[0]).toMatchObject({ type: 'send', message: { type: 'CDN', result: { result: 2 } } });
      }
      // Events balance: a session-down says whether the call had come up; a closed call emits nothing more.
      const downs = s.actions.filter((a) => a.type === 'emit' && a.event.type === 'session-down');
      for (const a of downs) expect(a.type === 'emit' && a.event.type === 'session-down' && a.event.wasUp).toBe(state === 'established');
      if (state === 'closed') expect(downs).toHaveLength(0);
    }), { numRuns: 1000 });
  });
});
