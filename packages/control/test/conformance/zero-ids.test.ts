/**
 * Assigned ids of 0 (issue 11, LOW finding "zero ids accepted"): RFC 2661 §4.4.3 (Assigned Tunnel
 * ID) and §4.4.4 (Assigned Session ID) make the id a sender assigns non-zero; 0 is the header's "not
 * yet known". A message assigning 0 is refused on the wire with Result 2, Error 3 (a field value out
 * of range, §4.4.2), scoped as any refusal: StopCCN for SCCRQ, a CDN for ICRQ with the tunnel and its
 * other calls untouched. Never an exception, always an event (what the daemons log and count).
 */
import { describe, expect, test } from 'vitest';
import { lns, rawPeerAgainst, SCCRQ_AVPS, tunnelAndCallUp } from './peer.js';

const OUT_OF_RANGE = { result: 2, error: 3 };

describe('an assigned id of 0 is refused on the wire (RFC 2661 §4.4.3, §4.4.4)', () => {
  test('SCCRQ with Assigned Tunnel ID 0, sent twice: StopCCN 2/3 (to tunnel 0), no SCCRP, one tunnel-down, released after the hold', () => {
    const p = rawPeerAgainst(lns());
    const sccrq = () => p.send('SCCRQ', { ...SCCRQ_AVPS, assignedTunnelId: 0 }, { tunnelId: 0, ns: 0 });
    sccrq();
    p.net.advanceTo(1000);
    sccrq();
    p.net.advanceTo(1500);
    expect(p.got().some((g) => g.type === 'SCCRP')).toBe(false);
    const stops = p.got().filter((g) => g.type === 'StopCCN');
    expect(stops.length).toBeGreaterThanOrEqual(1);
    expect(stops[0]).toMatchObject({ tunnelId: 0, ns: 0, nr: 1 });
    expect(stops[0]!.message!.avps.resultCode).toMatchObject(OUT_OF_RANGE);
    // The second copy is a duplicate for the refusing tunnel: acknowledged, no second tunnel.
    expect(p.got().some((g) => g.atMs > 1000 && g.nr === 1)).toBe(true);
    expect(p.engine.size).toBe(1);
    expect(p.events()).toEqual([
      expect.objectContaining({ type: 'tunnel-down', wasUp: false, reason: expect.objectContaining({ sent: expect.objectContaining(OUT_OF_RANGE) }) }),
    ]);
    p.ack(0);
    p.net.runUntilIdle({ limitMs: 60_000 });
    expect(p.engine.settled).toBe(true);
  });

  test('ICRQ with Assigned Session ID 0: CDN 2/3 to header Session ID 0, no ICRP; the tunnel and its established call untouched', () => {
    const p = rawPeerAgainst(lns());
    const { tunnelId, sessionId } = tunnelAndCallUp(p);
    const before = p.got().length;
    p.send('ICRQ', { assignedSessionId: 0, callSerialNumber: 7 });
    expect(p.net.runUntil(() => p.got().slice(before).some((g) => g.type === 'CDN'), 2000)).toBe(true);
    const answers = p.got().slice(before).filter((g) => g.kind === 'control');
    expect(answers.map((g) => g.type)).toEqual(['CDN']);
    expect(answers[0]).toMatchObject({ tunnelId: 1, sessionId: 0 });
    expect(answers[0]!.message!.avps.resultCode).toMatchObject(OUT_OF_RANGE);
    p.ack();
    p.net.runUntilIdle({ limitMs: 10_000 });
    const t = p.engine.tunnel(tunnelId)!;
    expect(t.state).toBe('established');
    expect(t.sessionCount).toBe(1);
    expect(t.session(sessionId)?.state).toBe('established');
    expect(p.events().filter((e) => e.type === 'session-down')).toEqual([
      expect.objectContaining({ sessionId: 0, peerSessionId: 0, wasUp: false, reason: { type: 'refused', sent: expect.objectContaining(OUT_OF_RANGE) } }),
    ]);
  });
});
