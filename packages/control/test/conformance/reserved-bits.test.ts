/**
 * A Message Type AVP with a reserved flag bit set (issue 11, LOW finding "reserved bit accepted"):
 * RFC 2661 §4.1 says reserved bits MUST be 0 and an AVP received with one set MUST be treated as
 * unrecognized; a message whose Message Type is not recognized is refused when its M bit is set and
 * ignored when clear (§4.4.1, as for an unknown message type). Refusals are scoped as the message
 * is (§4.1): a call's message gets a CDN (Result 2, Error 8: unknown mandatory AVP, §4.4.2) and the
 * tunnel and its other calls stay; a tunnel message gets StopCCN 2/8.
 */
import { describe, expect, test } from 'vitest';
import { type AvpValues, type MessageTypeName, decodeMessage, encodeMessage } from '../../src/codec/index.js';
import { lns, rawPeerAgainst, tunnelAndCallUp } from './peer.js';

const UNKNOWN_MANDATORY = { result: 2, error: 8 };
/** The header is 12 bytes (L and S set); the Message Type AVP's flag byte follows. */
const MESSAGE_TYPE_FLAGS = 12;

/** `bytes` with the Message Type AVP's reserved bits `bits` (of 0x3c00) set and its M bit as `mandatory`. */
function withReserved(bytes: Uint8Array, bits: number, mandatory = true): Uint8Array {
  const b = bytes.slice();
  b[MESSAGE_TYPE_FLAGS] = (b[MESSAGE_TYPE_FLAGS]! & 0x03) | (mandatory ? 0x80 : 0) | (bits >> 8);
  return b;
}

describe('a Message Type AVP with a reserved bit set is unrecognized (RFC 2661 §4.1)', () => {
  test('ICRQ with it (M set), on a tunnel with an established call: CDN 2/8 to that call only', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId, sessionId } = tunnelAndCallUp(p);
    const before = p.got().length;
    p.sendBytes(withReserved(p.encode('ICRQ', { assignedSessionId: 9, callSerialNumber: 9 }), 0x0400));
    expect(p.net.runUntil(() => p.got().slice(before).some((g) => g.type === 'CDN'), 2000)).toBe(true);
    const answers = p.got().slice(before).filter((g) => g.kind === 'control');
    expect(answers.map((g) => g.type)).toEqual(['CDN']);
    expect(answers[0]).toMatchObject({ sessionId: 9, message: { avps: { resultCode: UNKNOWN_MANDATORY } } });
    p.ack();
    p.net.runUntilIdle({ limitMs: 10_000 });
    const t = p.engine.tunnel(tunnelId)!;
    expect(t.state).toBe('established');
    expect(t.session(sessionId)?.state).toBe('established');
    expect(p.events().filter((e) => e.type === 'session-down')).toEqual([
      expect.objectContaining({ peerSessionId: 9, wasUp: false, reason: { type: 'refused', sent: expect.objectContaining(UNKNOWN_MANDATORY) } }),
    ]);
  });

  test('HELLO with it (M set): StopCCN 2/8 (a tunnel message)', () => {
    const p = rawPeerAgainst(lns());
    tunnelAndCallUp(p);
    p.sendBytes(withReserved(p.encode('HELLO', {}), 0x2000));
    expect(p.net.runUntil(() => p.got().some((g) => g.type === 'StopCCN'), 2000)).toBe(true);
    expect(p.got().find((g) => g.type === 'StopCCN')!.message!.avps.resultCode).toMatchObject(UNKNOWN_MANDATORY);
  });

  test('ICRQ with it and M clear: acknowledged and ignored (no ICRP, no CDN), the tunnel kept', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId } = tunnelAndCallUp(p);
    const before = p.got().length;
    p.sendBytes(withReserved(p.encode('ICRQ', { assignedSessionId: 9, callSerialNumber: 9 }), 0x0800, false));
    p.net.runUntilIdle({ limitMs: 5000 });
    expect(p.got().slice(before).map((g) => g.type)).toEqual(['ZLB']);
    expect(p.engine.tunnel(tunnelId)!.state).toBe('established');
  });

  test('every reserved bit, each message type: refused with 2/8 in the message\'s scope when M is set, ignored when clear; L2TPv3 ignores the bits (RFC 3931 §5.1)', () => {
    const cases: [MessageTypeName, AvpValues, 'tunnel' | 'session'][] = [
      ['HELLO', {}, 'tunnel'], ['ICRQ', { assignedSessionId: 9, callSerialNumber: 1 }, 'session'], ['ICCN', { txConnectSpeed: 1, framingType: 1 }, 'session'],
      ['CDN', { resultCode: { result: 1 }, assignedSessionId: 9 }, 'session'], ['StopCCN', { assignedTunnelId: 5, resultCode: { result: 1 } }, 'tunnel'],
    ];
    const h = { version: 2 as const, tunnelId: 1, sessionId: 3, ns: 0, nr: 0 };
    for (const [type, avps, scope] of cases) {
      for (const bit of [0x0400, 0x0800, 0x1000, 0x2000]) {
        const bytes = encodeMessage({ type, avps }, h);
        expect(decodeMessage(withReserved(bytes, bit)), `${type} ${bit}`).toMatchObject({ ok: false, error: { code: 'unknown-mandatory-avp', scope, answer: UNKNOWN_MANDATORY } });
        const ignored = decodeMessage(withReserved(bytes, bit, false));
        expect(ignored, `${type} ${bit} M clear`).toMatchObject({ ok: false, error: { code: 'unknown-message-type' } });
        expect(ignored.ok === false && ignored.error.answer).toBeFalsy();
      }
    }
    const v3 = encodeMessage({ type: 'HELLO', avps: {} }, { ...h, version: 3, sessionId: 0 });
    expect(decodeMessage(withReserved(v3, 0x3c00))).toMatchObject({ ok: true, value: { message: { type: 'HELLO' } } });
  });
});
