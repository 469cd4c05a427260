/**
 * Pins the tunnel transition table (RFC 2661 §7.2): both roles' setup with and without a secret,
 * version mismatch → StopCCN 5, bad challenge response → StopCCN 4, and the h2 rule that any pair
 * outside the table ends in StopCCN Result 7 (FSM error) and `closing`, never an exception (fast-check over all pairs).
 */
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  INITIAL_TUNNEL, type Inbound, type TunnelContext, type TunnelData, type TunnelInput, type TunnelState,
  TUNNEL_TABLE, stepTunnel,
} from '../../src/fsm/index.js';
import { describeResult } from '../../src/codec/index.js';

const fakeRespond = (id: number, ch: Uint8Array) => Uint8Array.of(id, ...ch);
const lac: TunnelContext = { role: 'lac', tunnelId: 7, challenge: undefined, respond: undefined, quiescent: false };
const lacAuth: TunnelContext = { ...lac, challenge: Uint8Array.of(1, 2), respond: fakeRespond };
const lns: TunnelContext = { role: 'lns', tunnelId: 9, challenge: undefined, respond: undefined, quiescent: false };
const lnsAuth: TunnelContext = { ...lns, challenge: Uint8Array.of(5), respond: fakeRespond };
const at = (state: TunnelState): TunnelData => ({ ...INITIAL_TUNNEL, state, peerTunnelId: 3 });
const recv = (message: Inbound): TunnelInput => ({ type: 'recv', message });

describe('LAC', () => {
  test('open sends SCCRQ; SCCRP brings the tunnel up with SCCCN', () => {
    const a = stepTunnel(INITIAL_TUNNEL, { type: 'open' }, lac);
    expect(a).toEqual({ next: { ...INITIAL_TUNNEL, state: 'wait-ctl-reply' }, actions: [{ type: 'send', message: { type: 'SCCRQ' } }] });
    const b = stepTunnel(a.next, recv({ type: 'SCCRP', assignedTunnelId: 42, hostName: 'lns', receiveWindowSize: 8, protocolVersion: 0x100 }), lac);
    expect(b.next).toEqual({ state: 'established', peerTunnelId: 42, peerHostName: 'lns', peerWindow: 8 });
    expect(b.actions).toEqual([
      { type: 'send', message: { type: 'SCCCN' } },
      { type: 'emit', event: { type: 'tunnel-up', tunnelId: 7, peerTunnelId: 42, peerHostName: 'lns' } },
    ]);
  });

  test('with a secret: challenge in SCCRQ, response verified in SCCRP, peer challenge answered in SCCCN', () => {
    const a = stepTunnel(INITIAL_TUNNEL, { type: 'open' }, lacAuth);
    expect(a.actions).toEqual([{ type: 'send', message: { type: 'SCCRQ', challenge: Uint8Array.of(1, 2) } }]);
    const ok = stepTunnel(a.next, recv({ type: 'SCCRP', assignedTunnelId: 4, challengeResponse: Uint8Array.of(2, 1, 2), challenge: Uint8Array.of(9) }), lacAuth);
    expect(ok.actions[0]).toEqual({ type: 'send', message: { type: 'SCCCN', challengeResponse: Uint8Array.of(3, 9) } });
    expect(ok.next.state).toBe('established');
  });

  test('a wrong or missing challenge response is refused with StopCCN 4', () => {
    const s = stepTunnel(at('wait-ctl-reply'), recv({ type: 'SCCRP', assignedTunnelId: 4 }), lacAuth);
    expect(s.next.state).toBe('closing');
    expect(s.actions[0]).toMatchObject({ type: 'send', message: { type: 'StopCCN', result: { result: 4 } } });
    expect(s.actions[1]).toMatchObject({ type: 'emit', event: { type: 'tunnel-down', reason: { type: 'auth-failed' } } });
  });

  test('a challenge without a configured secret is refused with StopCCN 4', () => {
    const s = stepTunnel(at('wait-ctl-reply'), recv({ type: 'SCCRP', assignedTunnelId: 4, challenge: Uint8Array.of(1) }), lac);
    expect(s.actions[0]).toMatchObject({ message: { type: 'StopCCN', result: { result: 4 } } });
  });

  test('a version other than 1.x is refused with StopCCN 5 carrying our highest version', () => {
    const s = stepTunnel(at('wait-ctl-reply'), recv({ type: 'SCCRP', assignedTunnelId: 4, protocolVersion: 0x0300 }), lac);
    expect(s.actions[0]).toMatchObject({ message: { type: 'StopCCN', result: { result: 5, error: 0x0100 } } });
    expect(s.actions[1]).toMatchObject({ event: { reason: { type: 'version-mismatch' } } });
    // RFC 2661 §4.4.2: that Error Code is a version, not an error, and is logged as one.
    expect(describeResult({ result: 5, error: 0x0100 }, 'stopccn')).toBe('result 5 (protocol version not supported), highest version supported 1.0');
    expect(describeResult({ result: 2, error: 6 }, 'stopccn')).toMatch(/^result 2 \(.*\), error 6 \(/);
  });

  test('peer StopCCN takes the tunnel down with the peer result, and the hold ignores repeats', () => {
    const s = stepTunnel(at('established'), recv({ type: 'StopCCN', result: { result: 6, message: 'bye' } }), lac);
    expect(s).toEqual({
      // The receiver of a StopCCN holds the full retransmission cycle, acknowledged or not.
      next: { ...at('established'), state: 'closing', hold: 'full-cycle' },
      // RFC 2661 §5.7: our own unacknowledged messages are abandoned; the peer's retransmissions are still acknowledged.
      actions: [{ type: 'abandon' }, { type: 'emit', event: { type: 'tunnel-down', tunnelId: 7, peerTunnelId: 3, reason: { type: 'peer-stopccn', result: { result: 6, message: 'bye' } }, wasUp: true } }],
    });
    expect(stepTunnel(s.next, recv({ type: 'StopCCN', result: { result: 6 } }), lac).actions).toEqual([]);
  });

  test('a local close holds only until our StopCCN is acknowledged; a crossing StopCCN of the peer makes it a full cycle (§5.7)', () => {
    const closed = stepTunnel(at('established'), { type: 'close' }, lac);
    expect(closed.next).toEqual({ ...at('established'), state: 'closing', hold: 'until-acknowledged' });
    expect(closed.actions[0]).toEqual({ type: 'send', message: { type: 'StopCCN', result: { result: 1 } } });
    expect(stepTunnel(closed.next, { type: 'stopccn-acknowledged' }, lac)).toEqual({ next: { ...closed.next, state: 'closed' }, actions: [] });
    // The peer's own StopCCN crossed ours: we are its receiver now and must answer its retransmissions.
    const crossed = stepTunnel(closed.next, recv({ type: 'StopCCN', result: { result: 1 } }), lac);
    expect(crossed).toEqual({ next: { ...closed.next, hold: 'full-cycle' }, actions: [] });
    expect(stepTunnel(crossed.next, { type: 'stopccn-acknowledged' }, lac).next.state).toBe('closing');
    expect(stepTunnel(crossed.next, { type: 'hold-expired' }, lac).next.state).toBe('closed');
    // Received, or sent refusing the peer's message: the full cycle, acknowledged or not.
    const peer = stepTunnel(at('established'), recv({ type: 'StopCCN', result: { result: 1 } }), lac).next;
    const refused = stepTunnel(at('wait-ctl-reply'), recv({ type: 'SCCRP', assignedTunnelId: 4 }), lacAuth).next;
    for (const d of [peer, refused]) {
      expect(d).toMatchObject({ state: 'closing', hold: 'full-cycle' });
      expect(stepTunnel(d, { type: 'stopccn-acknowledged' }, lac).next.state).toBe('closing');
    }
    // Outside `closing` the input means nothing.
    expect(stepTunnel(at('established'), { type: 'stopccn-acknowledged' }, lac)).toEqual({ next: at('established'), actions: [] });
  });

  test('a tunnel that never came up reports retransmit exhaustion as a down event', () => {
    const s = stepTunnel(at('wait-ctl-reply'), { type: 'transport-failed', messageType: 'SCCRQ' }, lac);
    expect(s.next.state).toBe('closed');
    expect(s.actions).toEqual([{ type: 'emit', event: { type: 'tunnel-down', tunnelId: 7, peerTunnelId: 3, reason: { type: 'retransmit-exhausted', messageType: 'SCCRQ' }, wasUp: false } }]);
  });
});

describe('LNS', () => {
  test('SCCRQ is answered with SCCRP; SCCCN brings the tunnel up', () => {
    const a = stepTunnel(INITIAL_TUNNEL, recv({ type: 'SCCRQ', assignedTunnelId: 11, hostName: 'lac' }), lns);
    expect(a).toEqual({ next: { state: 'wait-ctl-conn', peerTunnelId: 11, peerHostName: 'lac', peerWindow: undefined }, actions: [{ type: 'send', message: { type: 'SCCRP' } }] });
    const b = stepTunnel(a.next, recv({ type: 'SCCCN' }), lns);
    expect(b.next.state).toBe('established');
  });

  test('with a secret: SCCRP answers and issues a challenge; SCCCN must carry MD5(3‖secret‖challenge)', () => {
    const a = stepTunnel(INITIAL_TUNNEL, recv({ type: 'SCCRQ', assignedTunnelId: 11, challenge: Uint8Array.of(8) }), lnsAuth);
    expect(a.actions).toEqual([{ type: 'send', message: { type: 'SCCRP', challenge: Uint8Array.of(5), challengeResponse: Uint8Array.of(2, 8) } }]);
    expect(stepTunnel(a.next, recv({ type: 'SCCCN', challengeResponse: Uint8Array.of(3, 5) }), lnsAuth).next.state).toBe('established');
    expect(stepTunnel(a.next, recv({ type: 'SCCCN', challengeResponse: Uint8Array.of(3, 6) }), lnsAuth).actions[0])
      .toMatchObject({ message: { type: 'StopCCN', result: { result: 4 } } });
  });

  test('a message out of sequence (SCCRP to an LNS) is answered with StopCCN Result 7, FSM error (RFC 2661 §4.4.2)', () => {
    const s = stepTunnel(at('wait-ctl-conn'), recv({ type: 'SCCRP', assignedTunnelId: 1 }), lns);
    expect(s.next.state).toBe('closing');
    expect(s.actions[0]).toEqual({ type: 'send', message: { type: 'StopCCN', result: { result: 7, message: 'SCCRP in state wait-ctl-conn' } } });
  });

  test('a refused SCCRQ (bad AVP) ends in StopCCN to the Assigned Tunnel ID it carried, held for §5.7', () => {
    const s = stepTunnel(INITIAL_TUNNEL, { type: 'bad-message', result: { result: 2, error: 8 }, assignedTunnelId: 1 }, lns);
    expect(s.next).toMatchObject({ state: 'closing', peerTunnelId: 1 });
    expect(s.actions[0]).toEqual({ type: 'send', message: { type: 'StopCCN', result: { result: 2, error: 8 } } });
    expect(s.actions[1]).toMatchObject({ type: 'emit', event: { type: 'tunnel-down', wasUp: false, reason: { type: 'peer-violation' } } });
  });

  test('quiescent open goes straight to established; a superseded tunnel closes without StopCCN; the hold ends in closed', () => {
    const q = stepTunnel(INITIAL_TUNNEL, { type: 'open' }, { ...lns, quiescent: true });
    expect(q.next.state).toBe('established');
    expect(q.actions).toEqual([{ type: 'emit', event: { type: 'tunnel-up', tunnelId: 9, peerTunnelId: 0, peerHostName: undefined } }]);
    const gone = stepTunnel(at('established'), { type: 'superseded' }, lns);
    expect(gone).toEqual({ next: { ...at('established'), state: 'closed' }, actions: [{ type: 'emit', event: { type: 'tunnel-down', tunnelId: 9, peerTunnelId: 3, reason: { type: 'superseded' }, wasUp: true } }] });
    expect(stepTunnel(at('closing'), { type: 'hold-expired' }, lns)).toEqual({ next: at('closed'), actions: [] });
  });
});

describe('every (state, input) pair', () => {
  const states = Object.keys(TUNNEL_TABLE) as TunnelState[];
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 4 });
  const setup = fc.record({ assignedTunnelId: fc.integer({ min: 0, max: 65535 }), protocolVersion: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }), challenge: fc.option(bytes, { nil: undefined }), challengeResponse: fc.option(bytes, { nil: undefined }) });
  const inbound: fc.Arbitrary<Inbound> = fc.oneof(
    setup.map((s) => ({ type: 'SCCRQ' as const, ...s })), setup.map((s) => ({ type: 'SCCRP' as const, ...s })),
    fc.record({ challengeResponse: fc.option(bytes, { nil: undefined }) }).map((s) => ({ type: 'SCCCN' as const, ...s })),
    fc.constant({ type: 'StopCCN' as const, result: { result: 1 } }), fc.constant({ type: 'HELLO' as const }),
    fc.constantFrom('ICRQ', 'OCRQ').map((t) => ({ type: t as 'ICRQ', sessionId: 0, assignedSessionId: 5, callSerialNumber: 1 })),
    fc.constantFrom('ICRP', 'OCRP').map((t) => ({ type: t as 'ICRP', sessionId: 1, assignedSessionId: 5 })),
    fc.constantFrom('ICCN', 'OCCN').map((t) => ({ type: t as 'ICCN', sessionId: 1 })),
    fc.constant({ type: 'CDN' as const, sessionId: 1, assignedSessionId: 2, result: { result: 3 } }),
  );
  const input: fc.Arbitrary<TunnelInput> = fc.oneof(
    fc.constant({ type: 'open' as const }), fc.constant({ type: 'close' as const }),
    fc.constant({ type: 'bad-message' as const, result: { result: 2, error: 8 } }),
    fc.constant({ type: 'transport-failed' as const, messageType: 'HELLO' as const }),
    fc.constant({ type: 'hold-expired' as const }), fc.constant({ type: 'superseded' as const }), fc.constant({ type: 'stopccn-acknowledged' as const }),
    inbound.map((message) => ({ type: 'recv' as const, message })),
  );

  test('lands in a valid state, and leaving a live state always explains itself with a down event', () => {
    fc.assert(fc.property(fc.constantFrom(...states), input, fc.constantFrom(lac, lacAuth, lns, lnsAuth), (state, i, ctx) => {
      const s = stepTunnel(at(state), i, ctx);
      expect(states).toContain(s.next.state);
      const wasLive = state !== 'closing' && state !== 'closed';
      if (wasLive && (s.next.state === 'closing' || s.next.state === 'closed')) {
        expect(s.actions.filter((a) => a.type === 'emit' && a.event.type === 'tunnel-down')).toHaveLength(1);
      }
      const key = i.type === 'recv' ? `recv:${i.message.type}` : i.type;
      const ignored = i.type === 'open' || i.type === 'hold-expired' || i.type === 'superseded' || i.type === 'stopccn-acknowledged';
      if (wasLive && !ignored && !(key in TUNNEL_TABLE[state])) {
        expect(s.next.state).toBe('closing');
        expect(s.actions[0]).toMatchObject({ type: 'send', message: { type: 'StopCCN', result: { result: 7 } } });
      }
      // Events balance: `tunnel-down` says whether a `tunnel-up` came before it.
      for (const a of s.actions) if (a.type === 'emit' && a.event.type === 'tunnel-down') expect(a.event.wasUp).toBe(state === 'established');
    }), { numRuns: 2000 });
  });
});
