/**
 * Conformance (issue 11): an AVP that cannot be processed and has M clear is ignored (RFC 2661 §4.1),
 * whatever made it unusable — here the H bit on Result Code, which is never hidden (RFC 2661 §4.3,
 * §4.4.2). With M set the message is refused, scoped as the message is: StopCCN for a tunnel message,
 * CDN for a call's.
 */
import { describe, expect, test } from 'vitest';
import { lns, rawPeerAgainst, tunnelAndCallUp } from './peer.js';

/** Result Code AVP (type 1) with the H bit set: 40 0a 00 00 00 01 00 01 00 00 (M clear), or c0 0a ... (M set). */
const hiddenResultCode = (mandatory: boolean) => ({ mandatory, hidden: true, vendorId: 0, attrType: 1, value: Uint8Array.of(0, 1, 0, 0) });

describe('a hidden Result Code with M clear is ignored; with M set the message is refused in its scope', () => {
  test('HELLO on an established tunnel with it, M clear: acknowledged (ZLB), no StopCCN, tunnel and call kept', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId, sessionId } = tunnelAndCallUp(p);
    const before = p.got().length;
    p.send('HELLO', {}, { unknownAvps: [hiddenResultCode(false)] });
    p.net.runUntilIdle({ limitMs: 5000 });
    expect(p.got().slice(before).map((g) => g.type)).toEqual(['ZLB']);
    expect(p.engine.tunnel(tunnelId)!.state).toBe('established');
    expect(p.engine.tunnel(tunnelId)!.session(sessionId)?.state).toBe('established');
    expect(p.events().filter((e) => e.type === 'tunnel-down' || e.type === 'session-down')).toEqual([]);
  });

  test('ICRQ with it, M clear: the call is answered with ICRP as if the AVP were absent', () => {
    const p = rawPeerAgainst(lns());
    tunnelAndCallUp(p);
    p.send('ICRQ', { assignedSessionId: 9, callSerialNumber: 9 }, { unknownAvps: [hiddenResultCode(false)] });
    expect(p.net.runUntil(() => p.got().some((g) => g.type === 'ICRP' && g.sessionId === 9), 2000)).toBe(true);
    expect(p.got().some((g) => g.type === 'CDN' || g.type === 'StopCCN')).toBe(false);
  });

  test('M set: HELLO gets StopCCN 2/3 (tunnel scope); ICRQ gets CDN 2/3 and the tunnel stays (session scope)', () => {
    const a = rawPeerAgainst(lns());
    tunnelAndCallUp(a);
    a.send('HELLO', {}, { unknownAvps: [hiddenResultCode(true)] });
    expect(a.net.runUntil(() => a.got().some((g) => g.type === 'StopCCN'), 2000)).toBe(true);
    expect(a.got().find((g) => g.type === 'StopCCN')!.message!.avps.resultCode).toMatchObject({ result: 2, error: 3 });

    const b = rawPeerAgainst(lns());
    const { tunnelId } = tunnelAndCallUp(b);
    b.send('ICRQ', { assignedSessionId: 9, callSerialNumber: 9 }, { unknownAvps: [hiddenResultCode(true)] });
    expect(b.net.runUntil(() => b.got().some((g) => g.type === 'CDN'), 2000)).toBe(true);
    expect(b.got().find((g) => g.type === 'CDN')).toMatchObject({ sessionId: 9, message: { avps: { resultCode: { result: 2, error: 3 } } } });
    b.net.runUntilIdle({ limitMs: 5000 });
    expect(b.engine.tunnel(tunnelId)!.state).toBe('established');
  });
});
