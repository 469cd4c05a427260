/**
 * No silent drops (issue 11, LOW finding "silent drops above debug"):
 * - An ICRQ whose Assigned Session ID is hidden while we have no shared secret cannot be read (RFC
 *   2661 §4.3: unhiding needs the secret); with its M bit set the message is refused (§4.1) — for a
 *   call's message that costs the call only. The peer waits for an answer to its ICRQ, so it gets a
 *   CDN (Result 2, Error 6 as the codec answers a hidden AVP without a secret) to header Session ID 0,
 *   the only id it can be sent to, and a `session-down` (never up, refused) is what daemons log and count.
 * - A message for a call the tunnel does not hold is acknowledged (RFC 2661 §5.8) and not acted on;
 *   no CDN goes back (our own CDN for a call we closed reaches the peer reliably, and a CDN answering
 *   a CDN about nobody could go on for ever). It is counted in `counters.ignored` every time and
 *   reported as `message-ignored` on the 1st, 2nd, 4th, 8th ... so a repeating peer cannot flood logs.
 */
import { describe, expect, test } from 'vitest';
import { lns, rawPeerAgainst, tunnelAndCallUp } from './peer.js';

/** Assigned Session ID (type 14) with the H bit set (M set, as the AVP requires): unreadable without the secret. */
const hiddenAssignedSessionId = { mandatory: true, hidden: true, vendorId: 0, attrType: 14, value: Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc) };
const RV = Uint8Array.from({ length: 16 }, (_, i) => i * 7);

describe('what cannot be acted on is still answered or counted, never silently dropped', () => {
  test('ICRQ with a hidden Assigned Session ID and no secret: CDN 2/6 to session 0, a refused session-down; tunnel and call kept', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId, sessionId } = tunnelAndCallUp(p);
    const before = p.got().length;
    p.send('ICRQ', { randomVector: RV, callSerialNumber: 5 }, { unknownAvps: [hiddenAssignedSessionId] });
    expect(p.net.runUntil(() => p.got().slice(before).some((g) => g.type === 'CDN'), 2000)).toBe(true);
    const answers = p.got().slice(before).filter((g) => g.kind === 'control');
    expect(answers.map((g) => g.type)).toEqual(['CDN']);
    expect(answers[0]).toMatchObject({ sessionId: 0, message: { avps: { resultCode: { result: 2, error: 6 } } } });
    p.ack();
    p.net.runUntilIdle({ limitMs: 10_000 });
    expect(p.engine.tunnel(tunnelId)!.state).toBe('established');
    expect(p.engine.tunnel(tunnelId)!.session(sessionId)?.state).toBe('established');
    expect(p.events().filter((e) => e.type === 'session-down')).toEqual([
      expect.objectContaining({ sessionId: 0, peerSessionId: 0, wasUp: false, reason: { type: 'refused', sent: expect.objectContaining({ result: 2, error: 6 }) } }),
    ]);
  });

  test('messages for a call the tunnel does not hold: acknowledged, no CDN, counted each time, reported on the 1st, 2nd, 4th, 8th', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId, sessionId } = tunnelAndCallUp(p);
    const before = p.got().length;
    for (let i = 0; i < 11; i++) p.send('ICCN', { txConnectSpeed: 1, framingType: 1 }, { sessionId: 4242 });
    p.net.runUntilIdle({ limitMs: 10_000 });
    expect(p.got().slice(before).every((g) => g.type === 'ZLB')).toBe(true);
    const ignored = p.events().filter((e) => e.type === 'message-ignored');
    expect(ignored).toEqual([1, 2, 4, 8].map((count) => ({ type: 'message-ignored', tunnelId, sessionId: 4242, messageType: 'ICCN', reason: 'unknown-session', count })));
    expect(p.engine.tunnel(tunnelId)!.counters.ignored).toBe(11);
    expect(p.engine.tunnel(tunnelId)!.session(sessionId)?.state).toBe('established');
  });

  test('a CDN for a call we already cleared is ignored the same way (no CDN back)', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId } = tunnelAndCallUp(p);
    const before = p.got().length;
    p.send('CDN', { resultCode: { result: 1 }, assignedSessionId: 77 }, { sessionId: 999 });
    p.net.runUntilIdle({ limitMs: 10_000 });
    expect(p.got().slice(before).map((g) => g.type)).toEqual(['ZLB']);
    expect(p.events().filter((e) => e.type === 'message-ignored')).toEqual([expect.objectContaining({ sessionId: 999, messageType: 'CDN', reason: 'unknown-session', count: 1 })]);
    expect(p.engine.tunnel(tunnelId)!.counters.ignored).toBe(1);
  });
});
