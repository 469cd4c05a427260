/**
 * Conformance (issue 11): a client refused with StopCCN that acknowledged it may try again at once
 * from the same address, port and Assigned Tunnel ID (Windows: port 1701, tunnel id 1). RFC 2661 §5.7
 * holds the refused tunnel only to retransmit or acknowledge the StopCCN exchange; once the peer has
 * acknowledged our StopCCN, its next SCCRQ is a new attempt and gets an answer, not a bare ZLB.
 */
import { describe, expect, test } from 'vitest';
import { lns, rawPeerAgainst, SCCRQ_AVPS } from './peer.js';

const unknownMandatory = { mandatory: true, hidden: false, vendorId: 9, attrType: 100, value: Uint8Array.of(1, 2) };

/** Sends a refused SCCRQ and returns the StopCCN and the held tunnel's id (from its Assigned Tunnel ID). */
function refusedOnce(p: ReturnType<typeof rawPeerAgainst>, bad = true) {
  p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, ns: 0, ...(bad && { unknownAvps: [unknownMandatory] }) });
  if (!p.net.runUntil(() => p.got().some((g) => g.type === 'StopCCN'), 1000)) throw new Error('no StopCCN');
  const stop = p.got().find((g) => g.type === 'StopCCN')!;
  return { stop, heldId: stop.message!.avps.assignedTunnelId! };
}

describe('a retry after an acknowledged StopCCN refusal is a new attempt (RFC 2661 §5.7)', () => {
  test('malformed SCCRQ refused, StopCCN acknowledged, fixed SCCRQ 2 s later on the same 5-tuple and id: SCCRP, the tunnel comes up', () => {
    const p = rawPeerAgainst(lns());
    const { heldId } = refusedOnce(p);
    p.ack(heldId); // ZLB Ns 1, Nr 1: covers our StopCCN (Ns 0)
    p.net.advanceTo(2000);
    expect(p.engine.tunnelIds()).toEqual([heldId]);
    p.restart();
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0 });
    expect(p.net.runUntil(() => p.got().some((g) => g.type === 'SCCRP'), 500)).toBe(true);
    const sccrp = p.got().find((g) => g.type === 'SCCRP')!;
    expect(sccrp).toMatchObject({ tunnelId: 1, ns: 0, nr: 1 });
    const fresh = sccrp.message!.avps.assignedTunnelId!;
    expect(fresh).not.toBe(heldId);
    // The held tunnel is released (nothing is owed on it), the new one is the only one.
    expect(p.released()).toEqual([heldId]);
    p.learn(fresh);
    p.send('SCCCN', {});
    expect(p.net.runUntil(() => p.events().some((e) => e.type === 'tunnel-up' && e.tunnelId === fresh), 1000)).toBe(true);
    expect(p.engine.tunnelIds()).toEqual([fresh]);
  });

  test('SCCRQ refused by policy (tunnel limit), acknowledged; the client retries on its own schedule and is admitted once room is made', () => {
    let full = true;
    const p = rawPeerAgainst(lns({ admit: () => (full ? { result: 2, error: 4, message: 'max_tunnels reached' } : undefined) }));
    const { heldId } = refusedOnce(p, false);
    p.ack(heldId);
    full = false;
    // Retries at 1, 3 and 7 s (RFC 2661 §5.8 backoff), each a fresh SCCRQ Ns 0 from port 1701, id 1.
    for (const at of [1000, 3000, 7000]) {
      p.net.advanceTo(at);
      p.restart();
      p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0 });
      if (p.net.runUntil(() => p.got().some((g) => g.type === 'SCCRP'), 500)) break;
    }
    const sccrp = p.got().find((g) => g.type === 'SCCRP');
    expect(sccrp?.atMs).toBeLessThan(1500);
    expect(p.events().filter((e) => e.type === 'tunnel-down')).toHaveLength(1);
  });

  test('before the peer acknowledged our StopCCN, the same SCCRQ again is still a duplicate: acknowledged, nothing new', () => {
    const p = rawPeerAgainst(lns());
    const { heldId } = refusedOnce(p);
    p.net.advanceTo(2000);
    const before = p.got().length;
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, ns: 0, unknownAvps: [unknownMandatory] });
    p.net.advanceTo(2500);
    const answers = p.got().slice(before);
    expect(answers.some((g) => g.type === 'SCCRP')).toBe(false);
    // Acknowledged (a ZLB or the StopCCN again, both Nr 1), by the held tunnel only.
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((g) => g.nr === 1 && (g.type === 'ZLB' || g.type === 'StopCCN'))).toBe(true);
    expect(p.engine.tunnelIds()).toEqual([heldId]);
    expect(p.released()).toEqual([]);
  });

  test('an acknowledged refusal, then the same SCCRQ within a retransmission interval of the first: a late duplicate, not a new attempt', () => {
    const p = rawPeerAgainst(lns());
    const { heldId } = refusedOnce(p);
    p.ack(heldId);
    p.net.advanceTo(500);
    const before = p.got().length;
    p.restart();
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0 });
    p.net.advanceTo(900);
    expect(p.got().slice(before).map((g) => g.type)).toEqual(['ZLB']);
    expect(p.engine.tunnelIds()).toEqual([heldId]);
  });

  test('a malformed retry after an acknowledged refusal is refused again, on the wire (a new StopCCN), not swallowed', () => {
    const p = rawPeerAgainst(lns());
    const { heldId } = refusedOnce(p);
    p.ack(heldId);
    p.net.advanceTo(2000);
    const before = p.got().length;
    p.restart();
    p.send('SCCRQ', SCCRQ_AVPS, { tunnelId: 0, unknownAvps: [unknownMandatory] });
    expect(p.net.runUntil(() => p.got().slice(before).some((g) => g.type === 'StopCCN'), 500)).toBe(true);
    const stop = p.got().slice(before).find((g) => g.type === 'StopCCN')!;
    expect(stop.message!.avps.resultCode).toMatchObject({ result: 2, error: 8 });
    expect(stop.message!.avps.assignedTunnelId).not.toBe(heldId);
    expect(p.events().filter((e) => e.type === 'tunnel-down')).toHaveLength(2);
  });
});
